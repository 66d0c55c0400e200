"""Creating jobs, their files under VAR_DIR/jobs, and expiring links to their results."""

from pathlib import Path

import xlsxwriter

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core import links
from jobs.models import Job
from permissions.actor import Actor

LINK_SECONDS = 3600
PURPOSE = "jobs.result"


def directory() -> Path:
    path = Path(settings.VAR_DIR) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def create(actor: Actor, kind: str, organization=None, params: dict | None = None) -> Job:
    """A queued job acting as ``actor``; it will speak the language of the request that started it."""
    return Job.objects.create(kind=kind, actor_user=actor.user, actor_token=actor.token, organization=organization,
                              org_path=organization.path if organization is not None else "",
                              params={"language": translation.get_language(), **(params or {})})


def save_rows(name: str, title: str, header, rows, write=None) -> None:
    """A streamed workbook under the jobs directory (constant memory: rows go to disk as they are written).
    ``write(book, sheet, header, rows)`` lays the sheet out (jobs.sheets.ledger); plain rows by default."""
    book = xlsxwriter.Workbook(str(directory() / name), {"constant_memory": True})
    (write or plain_rows)(book, book.add_worksheet(title), header, rows)
    book.close()


def plain_rows(book, sheet, header, rows) -> None:
    sheet.write_row(0, 0, header)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)


def save_upload(job: Job, upload) -> None:
    job.input_file = f"{job.pk}-upload.xlsx"
    with open(directory() / job.input_file, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job.save(update_fields=["input_file"])


def actor_of(job: Job) -> Actor:
    """The job acts as whoever started it, with that actor's scope as it is now."""
    return Actor.for_token(job.actor_token) if job.actor_token_id else Actor.for_user(job.actor_user)


def visible_to(actor: Actor, queryset=None):
    """Jobs are visible to their own actor only."""
    queryset = Job.objects.all() if queryset is None else queryset
    if actor.token is not None:
        return queryset.filter(actor_token=actor.token)
    if actor.user is not None:
        return queryset.filter(actor_user=actor.user)
    return queryset.none()


def result_url(job: Job) -> str | None:
    if not job.result_file:
        return None
    return f"{reverse('job-result', args=[job.pk])}?sig={links.sign(PURPOSE, job.pk)}"


def signature_valid(job_id: int, signature: str) -> bool:
    return links.valid(PURPOSE, job_id, signature, LINK_SECONDS)
