"""Writing notifications, reading one's own, marking them read, and sending them out by e-mail and SMS as jobs.

``notify`` writes one row per recipient in the recipient's language, inside the caller's transaction (so a
failed change notifies nobody). For each recipient who chose e-mail or SMS it adds a Delivery, and one job of
kind NOTIFICATION_DELIVERY sends them after the commit (jobs/runner.py: retried with backoff, up to
JOBS_MAX_ATTEMPTS runs). A reminder passes a ``key``: a recipient who already has a notification with that key
gets no second one, so a reminder is sent once however often the scheduler runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from core.errors import ServiceError, not_found
from jobs import services as jobs
from jobs.models import Job, Kind as JobKind
from jobs.runner import enqueue
from notifications.channels import CHANNELS, SENT_OUT
from notifications.errors import NotificationErrorCode
from notifications.models import Delivery, DeliveryState, Notification
from permissions.actor import Actor

MAX_IDS = 100


@dataclass(frozen=True)
class Message:
    """What to say, rendered per recipient: ``title()`` and ``body()`` are called in the recipient's language."""

    kind: str
    title: Callable[[], str]
    body: Callable[[], str]
    link: str = ""


def notify(recipient_ids: Iterable[int], message: Message, key: str | None = None) -> list[Notification]:
    """Notify each recipient once (per ``key``, when given); returns the notifications written."""
    ids = set(recipient_ids)
    if key is not None:
        ids -= set(Notification.objects.filter(key=key, recipient_id__in=ids).values_list("recipient_id", flat=True))
    if not ids:
        return []
    recipients = list(get_user_model().objects.filter(pk__in=ids, is_active=True).select_related("profile").order_by("pk"))
    rows = []
    for user in recipients:
        with translation.override(user.profile.language if hasattr(user, "profile") else settings.LANGUAGE_CODE):
            rows.append(Notification(recipient=user, kind=message.kind, title=message.title()[:200],
                                     body=message.body(), link=message.link, key=key))
    written = Notification.objects.bulk_create(rows)
    deliveries = Delivery.objects.bulk_create([
        Delivery(notification=row, channel=channel.code)
        for row in written for channel in CHANNELS if channel.code is not None and channel.chosen_by(row.recipient)
    ])
    if deliveries:
        job = jobs.create(Actor.system("notifications"), JobKind.NOTIFICATION_DELIVERY,
                          params={"deliveries": [d.pk for d in deliveries]})
        enqueue(job)
    return written


def run_delivery(job: Job) -> None:
    """The job function: sends each pending delivery once; an error is kept on the delivery and the job raises
    after trying the others, so the runner retries the ones that failed (sent ones are never sent again). On the
    last run the failures are marked FAILED."""
    pending = list(Delivery.objects.filter(pk__in=job.params["deliveries"], state=DeliveryState.PENDING)
                   .select_related("notification__recipient__profile"))
    job.progress(0, len(pending))
    failed = 0
    for number, delivery in enumerate(pending, start=1):
        delivery.attempts += 1
        try:
            SENT_OUT[delivery.channel].send(delivery.notification)
        except Exception as error:  # any provider or SMTP failure: keep it, retry later
            failed += 1
            delivery.error = f"{type(error).__name__}: {error}"[:300]
            last = job.attempts >= settings.JOBS_MAX_ATTEMPTS
            delivery.state = DeliveryState.FAILED if last else DeliveryState.PENDING
        else:
            delivery.state, delivery.sent_at, delivery.error = DeliveryState.SENT, timezone.now(), ""
        delivery.save(update_fields=["attempts", "error", "state", "sent_at"])
        job.progress(number)
    job.message = f"{len(pending) - failed}/{len(pending)}"
    if failed:
        raise RuntimeError(f"{failed} notification deliveries failed")


# Reading and marking read (one's own only) ---------------------------------------------------------------

def visible_to(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    """A person's own notifications; an API token has none."""
    queryset = Notification.objects.all() if queryset is None else queryset
    return queryset.filter(recipient=actor.user) if actor.user is not None else queryset.none()


def unread_count(actor: Actor) -> int:
    return visible_to(actor).filter(read_at__isnull=True).count()


@transaction.atomic
def mark_read(actor: Actor, *, ids: list[int] | None = None, everything: bool = False) -> int:
    """Marks the given notifications (or all of them) read; an id that is not one's own is NOT_FOUND."""
    mine = visible_to(actor).filter(read_at__isnull=True)
    if not everything:
        wanted = set(ids or ())
        if not wanted or len(wanted) > MAX_IDS:
            raise ServiceError(NotificationErrorCode.IDS_REQUIRED, "ids", limit=MAX_IDS)
        if visible_to(actor).filter(pk__in=wanted).count() != len(wanted):
            raise not_found("ids")
        mine = mine.filter(pk__in=wanted)
    return mine.update(read_at=timezone.now())
