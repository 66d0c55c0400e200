import logging

from django.http import Http404, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from core.crypto import UnreadableFile
from jobs import services
from jobs.models import Job

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def result(request, job_id: int):
    """A job's result file, decrypted as it is sent, for a valid unexpired signature AND the job's own actor
    while the result has not expired; anything else is 404."""
    if not services.signature_valid(job_id, request.GET.get("sig", "")):
        raise Http404
    job = services.visible_to(request.actor).filter(pk=job_id).first()
    if job is None or not services.has_result(job):
        raise Http404
    try:
        chunks, size = services.read_result(job)
    except FileNotFoundError:
        raise Http404 from None
    except UnreadableFile:
        logger.error("job %s: result file cannot be decrypted (written before sealing, or its key was removed)", job.pk)
        raise Http404 from None
    if job.params.get("download_once"):  # e.g. initial passwords: served once, then gone
        chunks = _then_discarded(chunks, job)
    response = StreamingHttpResponse(chunks, content_type=XLSX)
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = content_disposition_header(True, f"{job.kind.lower()}-{job.pk}.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response


def _then_discarded(chunks, job: Job):
    """The chunks, then the file is deleted and the job names no result any more (an aborted download leaves it
    to the hourly purge)."""
    yield from chunks
    services.discard(job.result_file)
    Job.objects.filter(pk=job.pk).update(result_file="")
