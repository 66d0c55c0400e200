"""Job files at rest: results and uploads are sealed on disk; a result downloads clear for an hour after its job
finished, then resultUrl is null, the link answers 404 and the periodic purge deletes the file with an audit
entry (once, however many schedulers purge); an upload is deleted when its import ends."""

import io
import os
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from core import crypto
from jobs import registry, runner
from jobs import services as jobs
from jobs.models import Job, Kind, State
from permissions.actor import Actor
from permissions.models import AuditEntry
from tests.conftest import GraphQLClient, user
from tests.jobs.helpers import EXPORT, gid, roster, upload, workbook
from tests.permissions.helpers import org, pk_of
from tests.wishes.test_concurrency import race

pytestmark = pytest.mark.django_db

JOB = "query($id: ID!) { job(id: $id) { state resultUrl } }"
SYSTEM = Actor.system("test-purge")


@pytest.fixture(autouse=True)
def private_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # this test's job files only
    settings.JOBS_EAGER = True


def signed_in(username) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def exported(client) -> tuple[Job, str]:
    """maliang's roster exported by ``client``: the job row and its download link."""
    response = client.post("/graphql", {"query": EXPORT, "variables": {"input": {"organizationId": gid("Organization", org("马良镇团委").pk)}}},
                           content_type="application/json")
    payload = response.json()["data"]["exportChildren"]
    assert payload["errors"] == [] and payload["job"]["state"] == "SUCCEEDED"
    return Job.objects.get(pk=pk_of(payload["job"]["id"])), payload["job"]["resultUrl"]


def result_url(client, job: Job) -> str | None:
    return GraphQLClient(client)(JOB, {"id": gid("Job", job.pk)})["job"]["resultUrl"]


def job_files() -> list[str]:
    return sorted(str(path.relative_to(jobs.directory())) for path in jobs.directory().rglob("*") if path.is_file())


def expire(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(seconds=jobs.LINK_SECONDS + 1))


def test_an_export_is_sealed_on_disk_and_downloads_as_the_clear_workbook():
    staff = signed_in("maliang_league_staff")
    job, url = exported(staff)

    path = jobs.directory() / job.result_file
    assert job_files() == [job.result_file]  # no clear temporary file left behind
    assert path.read_bytes().startswith(crypto.MAGIC) and not zipfile.is_zipfile(path)

    response = staff.get(url)
    content = b"".join(response.streaming_content)
    assert response.status_code == 200 and int(response["Content-Length"]) == len(content)
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == f'attachment; filename="children_export-{job.pk}.xlsx"'
    cells = {value for row in openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True)
             for value in row}
    assert "张小明" in cells  # the clear roster, for staff with the PII permission
    assert "张小明".encode() not in path.read_bytes()


def test_a_result_that_cannot_be_decrypted_is_not_found(settings):
    staff = signed_in("maliang_league_staff")
    job, url = exported(staff)
    (jobs.directory() / job.result_file).write_bytes(workbook(roster(1)))  # a clear file from before sealing
    assert staff.get(url).status_code == 404


def test_an_upload_is_sealed_while_it_waits_and_deleted_when_the_import_ends(settings, monkeypatch):
    settings.JOBS_EAGER = False
    monkeypatch.setattr(runner, "send", lambda job_id: None)
    staff = signed_in("maliang_league_staff")
    assert upload(staff, org("马良镇团委"), workbook(roster(3))).status_code == 200
    job = Job.objects.get()
    path = jobs.directory() / job.input_file
    assert path.read_bytes().startswith(crypto.MAGIC) and not zipfile.is_zipfile(path)

    runner.execute(job.pk)

    job.refresh_from_db()
    assert (job.state, job.input_file, path.exists()) == (State.SUCCEEDED, "", False)
    assert job_files() == [job.result_file]


SEEN = []


def crash_seeing_the_upload(job):
    SEEN.append((jobs.directory() / job.input_file).exists())
    raise RuntimeError("database went away")


def test_an_upload_is_kept_for_each_retry_and_deleted_when_the_import_fails_for_good(settings, monkeypatch):
    SEEN.clear()
    monkeypatch.setitem(registry.FUNCTIONS, Kind.CHILDREN_IMPORT, f"{__name__}.crash_seeing_the_upload")
    upload(signed_in("maliang_league_staff"), org("马良镇团委"), workbook(roster(3)))

    job = Job.objects.get()
    assert SEEN == [True] * settings.JOBS_MAX_ATTEMPTS
    assert (job.state, job.input_file, job_files()) == (State.FAILED, "", [])


def test_an_expired_result_loses_its_link_and_the_purge_deletes_it_once_with_an_audit_entry():
    staff = signed_in("maliang_league_staff")
    job, url = exported(staff)
    assert result_url(staff, job) is not None and jobs.purge_expired_files(SYSTEM) == 0  # within its hour

    expire(job)

    assert result_url(staff, job) is None
    assert staff.get(url).status_code == 404  # a link signed minutes ago, for a result past its hour
    assert jobs.purge_expired_files(SYSTEM) == 1
    job.refresh_from_db()
    assert (job.result_file, job_files()) == ("", [])
    entry = AuditEntry.objects.get(action="job.file_deleted")
    assert (entry.actor_label, entry.target_type, entry.target_id, entry.organization) == \
        ("test-purge", "jobs.Job", str(job.pk), org("马良镇团委"))
    assert entry.changes["file"] == "result" and entry.changes["kind"] == "CHILDREN_EXPORT"
    # the purge is idempotent
    assert jobs.purge_expired_files(SYSTEM) == 0 and AuditEntry.objects.filter(action="job.file_deleted").count() == 1
    assert GraphQLClient(staff)(JOB, {"id": gid("Job", job.pk)})["job"] == {"state": "SUCCEEDED", "resultUrl": None}


def test_the_purge_is_a_periodic_job_every_fifteen_minutes_with_a_system_actor():
    purge = registry.periodic("purge_job_files")
    assert (purge.every, purge.call, purge.actor) == (timedelta(minutes=15), "jobs.services.purge_expired_files", True)


def test_files_no_job_names_are_deleted_once_no_job_can_still_be_writing_them(settings):
    staff = signed_in("maliang_league_staff")
    job, _url = exported(staff)
    old = time.time() - settings.JOBS_TIME_LIMIT_SECONDS - 60
    (jobs.scratch_directory() / "killed-export").mkdir()
    for name in ("left-by-a-killed-worker.partial", "tmp/killed-export/row-data", "being-written.partial"):
        (jobs.directory() / name).write_bytes(b"clear rows")
    for name in ("left-by-a-killed-worker.partial", "tmp/killed-export", job.result_file):  # the result: named by its job
        os.utime(jobs.directory() / name, (old, old))

    assert jobs.purge_expired_files(SYSTEM) == 2

    assert job_files() == sorted([job.result_file, "being-written.partial"])
    assert sorted(e.changes["name"] for e in AuditEntry.objects.filter(action="job.file_deleted")) == \
        ["left-by-a-killed-worker.partial", "tmp/killed-export"]


def broken_rows():
    yield ["张小明"]
    raise RuntimeError("connection lost")


def test_a_workbook_that_fails_midway_leaves_no_file_clear_or_sealed():
    with pytest.raises(RuntimeError):
        jobs.save_rows("1-export.xlsx", "儿童台账", ["姓名"], broken_rows())
    assert job_files() == []


def test_uploads_left_by_finished_jobs_are_purged_too():
    job = jobs.create(Actor.for_user(user("maliang_league_staff")), Kind.CHILDREN_IMPORT, org("马良镇团委"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    jobs.save_upload(job, SimpleUploadedFile("花名册.xlsx", workbook(roster(1))))
    assert jobs.purge_expired_files(SYSTEM) == 0  # queued: its upload is still needed
    Job.objects.filter(pk=job.pk).update(state=State.FAILED, finished_at=timezone.now())

    assert jobs.purge_expired_files(SYSTEM) == 1
    assert job_files() == [] and AuditEntry.objects.get(action="job.file_deleted").changes["file"] == "upload"


@race
def test_two_schedulers_purging_at_once_delete_and_audit_each_file_once():
    actor = Actor.for_user(user("maliang_league_staff"))
    expired = []
    for i in range(12):
        job = jobs.create(actor, Kind.CHILDREN_EXPORT)
        job.result_file = f"{job.pk}-export.xlsx"
        jobs.save_rows(job.result_file, "儿童台账", ["姓名"], [[f"测试{i}"]])
        job.state, job.finished_at = State.SUCCEEDED, timezone.now() - timedelta(hours=2)
        job.save()
        expired.append(job)
    gate = threading.Event()

    def purge():
        try:
            gate.wait(timeout=30)
            return jobs.purge_expired_files(Actor.system("periodic:purge_job_files"))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(purge) for _ in range(4)]
        gate.set()
        counts = [future.result(timeout=120) for future in futures]

    assert sum(counts) == len(expired) and job_files() == []
    assert AuditEntry.objects.filter(action="job.file_deleted").count() == len(expired)
    assert not Job.objects.exclude(result_file="").exists()
