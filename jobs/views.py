from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from jobs import services


@require_GET
def result(request, job_id: int):
    """A job's result file, for a valid unexpired signature AND the job's own actor; anything else is 404."""
    if not services.signature_valid(job_id, request.GET.get("sig", "")):
        raise Http404
    job = services.visible_to(request.actor).filter(pk=job_id).exclude(result_file="").first()
    path = services.directory() / job.result_file if job is not None else None
    if path is None or not path.is_file():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"{job.kind.lower()}-{job.pk}.xlsx")
