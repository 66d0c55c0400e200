"""SMS providers. The platform sends through one provider interface; ``SMS_BACKEND`` names the class (dotted
path). The default writes each message to the log and sends nothing (no network here); a deployment plugs in
its provider's client by subclassing ``SmsBackend`` (e.g. a class calling 阿里云短信 or 腾讯云短信)."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from permissions.masking import mask_phone

logger = logging.getLogger("notifications.sms")


class SmsBackend:
    """Sends one text message to one mobile number; raises on failure (the sending job retries)."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


def backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
