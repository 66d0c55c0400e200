"""Delivery channels behind one interface: whether a person chose the channel, and sending a message to them.

In-app is always on: the Notification row is what the console shows, nothing is sent. E-mail goes through
Django's e-mail backend (``EMAIL_BACKEND``, SMTP settings in production); SMS through the provider that
``SMS_BACKEND`` names (notifications.sms). A person switches e-mail and SMS on for themselves
(accounts.services.update_my_settings) and must have the address.

What leaves the platform is made by ``outbound``: the notification's title and body, which never carry a
child's personal data (notifications.events builds them from organization names, titles, dates and counts),
passed through ``scrub`` as a second wall that masks anything shaped like an ID number or a mobile number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail

from notifications import sms
from notifications.models import Channel
from permissions.masking import mask_id_number, mask_phone

ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
SMS_MAX = 300


def scrub(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return MOBILE.sub(lambda m: mask_phone(m.group()), text)


@dataclass(frozen=True)
class Outbound:
    subject: str
    text: str


def outbound(notification, short: bool = False) -> Outbound:
    link = f"{settings.SITE_URL}{notification.link}" if notification.link else settings.SITE_URL
    if short:
        text = f"【{settings.SMS_SIGNATURE}】{notification.title}。{notification.body} {link}"[:SMS_MAX]
    else:
        text = f"{notification.body}\n\n{link}"
    return Outbound(subject=scrub(notification.title), text=scrub(text))


class InApp:
    """Always on: the notification row is the delivery."""

    code = None

    def chosen_by(self, user) -> bool:
        return True

    def send(self, notification) -> None:
        pass


def _profile(user):
    return user.profile if hasattr(user, "profile") else None


class Email:
    code = Channel.EMAIL

    def chosen_by(self, user) -> bool:
        profile = _profile(user)
        return bool(profile and profile.notify_by_email and user.email)

    def send(self, notification) -> None:
        message = outbound(notification)
        send_mail(message.subject, message.text, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email])


class Sms:
    code = Channel.SMS

    def chosen_by(self, user) -> bool:
        profile = _profile(user)
        return bool(profile and profile.notify_by_sms and profile.phone)

    def send(self, notification) -> None:
        sms.backend().send(notification.recipient.profile.phone, outbound(notification, short=True).text)


CHANNELS = (InApp(), Email(), Sms())
SENT_OUT = {channel.code: channel for channel in CHANNELS if channel.code is not None}
