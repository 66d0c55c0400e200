from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from graphql_api.context import build_actor
from jobs import services
from jobs.models import Job


@require_GET
def result(request, job_id: int):
    """A job's result file, for a valid unexpired signature AND the job's own actor; anything else is 404."""
    if not services.signature_valid(job_id, request.GET.get("sig", "")):
        raise Http404
    job = services.visible_to(build_actor(request)).filter(pk=job_id).exclude(result_file="").first()
    path = services.directory() / job.result_file if job is not None else None
    if path is None or not path.is_file():
        raise Http404
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=f"{job.kind.lower()}-{job.pk}.xlsx")
    if job.params.get("download_once"):  # e.g. initial passwords: the open file is served, then gone
        path.unlink()
        Job.objects.filter(pk=job.pk).update(result_file="")
    return response
