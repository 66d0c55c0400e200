"""Jobs: the runner (eager, on commit, failure), visibility to their own actor, signed result links, CSRF on uploads."""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from children import services as child_services
from children.models import Child
from core import links
from demo.data import id_number
from jobs import registry, runner
from jobs import services as jobs
from jobs.models import Job, Kind, State
from permissions.actor import Actor
from tests.conftest import GraphQLClient, user
from tests.jobs.helpers import EXPORT, import_payload, upload, workbook
from tests.permissions.helpers import org

pytestmark = pytest.mark.django_db

ROWS = [["姓名", "性别", "身份证号", "类别"],
        ["孙小红", "女", id_number("420626", "20150606", 12), "留守儿童"],
        ["吴小军", "男", id_number("420626", "20120202", 51), "留守儿童"]]
MY_JOBS = "{ myJobs(first: 10) { totalCount edges { node { id kind state } } } }"
JOB = "query($id: ID!) { job(id: $id) { id state resultUrl } }"


def signed_in(username, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user(username))
    return client


def exported_job(client) -> dict:
    response = client.post("/graphql", {"query": EXPORT, "variables": {"input": {}}}, content_type="application/json")
    return response.json()["data"]["exportChildren"]["job"]


def test_a_session_multipart_upload_needs_the_csrf_token():
    client = signed_in("maliang_league_staff", enforce_csrf_checks=True)

    assert upload(client, org("马良镇团委"), workbook(ROWS)).status_code == 403
    assert not Job.objects.exists()

    token = client.get("/auth/csrf/").json()["csrfToken"]
    response = upload(client, org("马良镇团委"), workbook(ROWS), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["data"]["importChildren"]["job"]["state"] == "SUCCEEDED"


def test_the_result_link_needs_a_valid_fresh_signature_and_the_jobs_own_user(monkeypatch):
    staff = signed_in("maliang_league_staff")
    url = exported_job(staff)["resultUrl"]
    assert staff.get(url).status_code == 200

    assert staff.get(url[:-3] + "xyz").status_code == 404
    assert staff.get(url.split("?")[0]).status_code == 404
    assert signed_in("huangbao_league_staff").get(url).status_code == 404
    assert Client().get(url).status_code == 404

    real_time = links.signing.time.time
    monkeypatch.setattr(links.signing.time, "time", lambda: real_time() - jobs.LINK_SECONDS - 60)
    old_url = GraphQLClient(staff)(JOB, {"id": exported_job(staff)["id"]})["job"]["resultUrl"]
    monkeypatch.undo()
    assert staff.get(old_url).status_code == 404


def half_then_crash(job):
    with transaction.atomic():
        child_services.create_child(jobs.actor_of(job), organization_id=job.organization_id, name="孙小红",
                                    sex="FEMALE", id_number=ROWS[1][2], guardian_arrangement="OTHER")
        raise RuntimeError("disk full")


def test_a_job_that_raises_ends_failed_with_a_message_and_leaves_no_rows(monkeypatch):
    monkeypatch.setitem(registry.FUNCTIONS, Kind.CHILDREN_IMPORT, f"{__name__}.half_then_crash")
    actor = Actor.for_user(user("maliang_league_staff"))
    job = jobs.create(actor, Kind.CHILDREN_IMPORT, org("马良镇团委"))
    before = Child.objects.count()

    runner.enqueue(job)

    job.refresh_from_db()
    assert job.state == State.FAILED and job.finished_at is not None
    assert job.attempts == settings.JOBS_MAX_ATTEMPTS  # retried, each run rolled back
    assert job.error == runner.JobText.FAILED.render() and "disk full" not in job.error
    assert Child.objects.count() == before


def test_an_import_that_crashes_mid_batch_writes_none_of_the_batch(monkeypatch):
    def crash(*args, **kwargs):  # the children and guardians of the batch are inserted, then the connection is lost
        raise RuntimeError("connection lost")

    monkeypatch.setattr(child_services.audit, "record_many", crash)
    before = Child.objects.count()

    payload = import_payload(signed_in("maliang_league_staff"), org("马良镇团委"), workbook(ROWS))

    assert payload["job"]["state"] == "FAILED" and payload["job"]["error"] == runner.JobText.FAILED.render()
    assert Child.objects.count() == before


def test_without_eager_the_job_is_sent_only_after_commit(settings, django_capture_on_commit_callbacks, monkeypatch):
    settings.JOBS_EAGER = False
    sent = []
    monkeypatch.setattr(runner, "send", sent.append)
    job = jobs.create(Actor.for_user(user("maliang_league_staff")), Kind.CHILDREN_EXPORT)
    with django_capture_on_commit_callbacks() as callbacks:
        runner.enqueue(job)
    assert sent == [] and len(callbacks) == 1
    assert Job.objects.get(pk=job.pk).state == State.QUEUED
    callbacks[0]()
    assert sent == [job.pk]


def test_my_jobs_and_job_show_only_ones_own_jobs():
    staff, neighbour = signed_in("maliang_league_staff"), signed_in("huangbao_league_staff")
    mine = exported_job(staff)
    theirs = exported_job(neighbour)

    listed = GraphQLClient(staff)(MY_JOBS)["myJobs"]
    assert (listed["totalCount"], [e["node"]["id"] for e in listed["edges"]]) == (1, [mine["id"]])
    assert listed["edges"][0]["node"]["kind"] == "CHILDREN_EXPORT"
    assert GraphQLClient(staff)(JOB, {"id": theirs["id"]})["job"] is None
    assert GraphQLClient(staff)(JOB, {"id": mine["id"]})["job"]["state"] == "SUCCEEDED"
    assert GraphQLClient(staff)("query($id: ID!) { node(id: $id) { id } }", {"id": theirs["id"]})["node"] is None
    anonymous = GraphQLClient().post(MY_JOBS).json()
    assert anonymous["data"] is None and anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_an_api_token_sees_none_of_a_users_jobs(demo_token):
    exported_job(signed_in("baokang_league_admin"))
    assert GraphQLClient(token=demo_token)(MY_JOBS)["myJobs"]["totalCount"] == 0
