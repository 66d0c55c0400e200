"""Creating jobs, their files under VAR_DIR/jobs, and expiring links to their results.

Job files are sealed at rest (core.crypto.FileWriter: AES-GCM in chunks under a key derived from
FIELD_ENCRYPTION_KEYS): result workbooks are written into the sealing stream as xlsxwriter makes them, uploads
as they arrive. A result can be downloaded for LINK_SECONDS after its job finished; then
``purge_expired_files`` (a periodic job) deletes it with an audit entry. An upload is deleted when its job
ends (jobs.runner), and the purge deletes any left behind.
"""

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from core import crypto, links
from jobs.models import Job, State
from permissions import audit
from permissions.actor import Actor

LINK_SECONDS = 3600
PURPOSE = "jobs.result"


def directory() -> Path:
    path = Path(settings.VAR_DIR) / "jobs"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def scratch_directory() -> Path:
    """Holds a folder per workbook being written for xlsxwriter's temporary files (clear worksheet data while
    the book is built), removed when the book is written or fails; the purge removes any a killed worker left."""
    path = directory() / "tmp"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def create(actor: Actor, kind: str, organization=None, params: dict | None = None) -> Job:
    """A queued job acting as ``actor``; it will speak the language of the request that started it."""
    return Job.objects.create(kind=kind, actor_user=actor.user, actor_token=actor.token, organization=organization,
                              org_path=organization.path if organization is not None else "",
                              params={"language": translation.get_language(), **(params or {})})


def save_rows(name: str, title: str, header, rows, write=None) -> None:
    """A streamed workbook under the jobs directory, sealed as it is written (constant memory: rows go to disk as
    they are written, the zip goes through the sealing stream). ``write(book, sheet, header, rows)`` lays the
    sheet out (jobs.sheets.ledger); plain rows by default."""
    with tempfile.TemporaryDirectory(dir=scratch_directory()) as scratch, crypto.FileWriter(directory() / name) as out:
        book = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": scratch})
        (write or plain_rows)(book, book.add_worksheet(title), header, rows)
        book.close()


def counted(job: Job, items, every: int = 1000):
    """``items`` as they come, the job's progress written every ``every`` of them (an export's rows as the sheet
    takes them); ``job.progress_done`` holds how many came once they are all through."""
    done = 0
    for done, item in enumerate(items, start=1):
        if done % every == 0:
            job.progress(done)
        yield item
    job.progress_done = done


def plain_rows(book, sheet, header, rows) -> None:
    sheet.write_row(0, 0, header)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)


def save_upload(job: Job, upload) -> None:
    job.input_file = f"{job.pk}-upload.xlsx"
    with crypto.FileWriter(directory() / job.input_file) as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job.save(update_fields=["input_file"])


def read_upload(job: Job) -> bytes:
    """The clear upload, in memory only (it is at most IMPORT_MAX_BYTES)."""
    return b"".join(crypto.read_file(directory() / job.input_file))


def discard(name: str) -> None:
    if name:
        (directory() / name).unlink(missing_ok=True)


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


def expiry_cutoff(now=None):
    """Results of jobs that finished before this moment are expired."""
    return (now or timezone.now()) - timedelta(seconds=LINK_SECONDS)


def has_result(job: Job) -> bool:
    """A result file that may still be downloaded (until LINK_SECONDS after the job finished)."""
    return bool(job.result_file) and job.finished_at is not None and job.finished_at >= expiry_cutoff()


def result_url(job: Job) -> str | None:
    if not has_result(job):
        return None
    return f"{reverse('job-result', args=[job.pk])}?sig={links.sign(PURPOSE, job.pk)}"


def signature_valid(job_id: int, signature: str) -> bool:
    return links.valid(PURPOSE, job_id, signature, LINK_SECONDS)


def read_result(job: Job):
    """(the clear result chunk by chunk, its size); FileNotFoundError or crypto.UnreadableFile if it is gone."""
    path = directory() / job.result_file
    return crypto.read_file(path), crypto.clear_size(path)


def purge_expired_files(actor: Actor, now=None) -> int:
    """Deletes the result files whose download period is over and the uploads of finished jobs, with an
    audit entry each, and the files no job names any more (left by a killed worker) once no job can still
    be writing them. Safe to run in several schedulers at once: a file is deleted by whoever clears its
    name in one conditional UPDATE. Returns how many files it deleted."""
    now = now or timezone.now()
    deleted = 0
    expired = Job.objects.filter(finished_at__lt=expiry_cutoff(now)).exclude(result_file="")
    for job in expired.select_related("organization"):
        deleted += _purge(actor, job, "result_file", "result")
    uploads = Job.objects.filter(state__in=[State.SUCCEEDED, State.FAILED]).exclude(input_file="")
    for job in uploads.select_related("organization"):
        deleted += _purge(actor, job, "input_file", "upload")
    return deleted + _purge_orphans(actor, now)


def _purge(actor: Actor, job: Job, field: str, what: str) -> int:
    name = getattr(job, field)
    with transaction.atomic():
        if not Job.objects.filter(pk=job.pk, **{field: name}).update(**{field: ""}):
            return 0  # another purge took it
        audit.record(actor, "job.file_deleted", job, job.organization,
                     {"file": what, "kind": job.kind, "finishedAt": job.finished_at.isoformat() if job.finished_at else None})
        discard(name)
    return 1


def _purge_orphans(actor: Actor, now) -> int:
    """Files under the jobs directory that no job names, and scratch folders, untouched for longer than any
    job may run."""
    named = set(Job.objects.exclude(result_file="").values_list("result_file", flat=True)) | \
        set(Job.objects.exclude(input_file="").values_list("input_file", flat=True))
    scratch, oldest = scratch_directory(), now.timestamp() - settings.JOBS_TIME_LIMIT_SECONDS
    deleted = 0
    for path in [*directory().iterdir(), *scratch.iterdir()]:
        try:
            if path.name in named or path == scratch or path.stat().st_mtime >= oldest:
                continue
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        except FileNotFoundError:
            continue  # another purge took it
        audit.record(actor, "job.file_deleted", "jobs.file", None,
                     {"file": "orphan", "name": str(path.relative_to(directory()))})
        deleted += 1
    return deleted
