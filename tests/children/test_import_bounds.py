"""An uploaded roster is bounded before openpyxl reads it (core/xlsx.py): a workbook that inflates too far, a
shared-strings bomb, too many rows or a damaged file fail the import job with a typed error in the job's
language, before any row is written; the uploaded file is deleted either way."""

import pytest
from django.test import Client

from children.models import Child
from core import xlsx
from jobs import services as jobs
from jobs.models import Job
from tests.conftest import user
from tests.jobs.helpers import roster, upload, workbook
from tests.permissions.helpers import org
from tests.xlsx_files import rebuild, sheet_xml, with_shared_strings

pytestmark = pytest.mark.django_db

JOB = "query($id: ID!) { job(id: $id) { state error errorCode progressDone resultUrl } }"


@pytest.fixture(autouse=True)
def eager_jobs(settings, tmp_path):
    settings.JOBS_EAGER = True
    settings.VAR_DIR = tmp_path  # job files of this test only


@pytest.fixture
def staff():
    client = Client()
    client.force_login(user("maliang_league_staff"))
    return client


@pytest.fixture
def never_loaded(monkeypatch):
    """Fails the job (as an internal error, not a typed one) if openpyxl is asked to load the workbook."""
    def load_workbook(*args, **kwargs):
        raise AssertionError("openpyxl loaded a workbook that should have been refused")

    monkeypatch.setattr(xlsx.openpyxl, "load_workbook", load_workbook)


def imported(client, content: bytes, **headers) -> dict:
    """The import job after it ran, as its user reads it over GraphQL."""
    response = upload(client, org("马良镇团委"), content, **headers)
    assert response.status_code == 200, response.content
    payload = response.json()["data"]["importChildren"]
    assert payload["errors"] == []
    body = client.post("/graphql", {"query": JOB, "variables": {"id": payload["job"]["id"]}},
                       content_type="application/json", **headers).json()
    return body["data"]["job"]


def job_files() -> list[str]:
    return sorted(path.name for path in jobs.directory().rglob("*") if path.is_file())


def refused(job: dict, code: str) -> None:
    assert (job["state"], job["errorCode"], job["resultUrl"]) == ("FAILED", code, None), job
    assert Job.objects.get().input_file == "" and job_files() == []


def test_a_shared_strings_bomb_fails_the_import_before_openpyxl_reads_it(staff, settings, never_loaded):
    settings.IMPORT_MAX_SHARED_STRINGS_BYTES = 2**20
    bomb = with_shared_strings(4 * 2**20)
    assert len(bomb) < 32 * 1024  # kilobytes on disk, megabytes inflated
    before = Child.objects.count()

    job = imported(staff, bomb)

    refused(job, "SHARED_STRINGS_TOO_LARGE")
    assert job["error"] == "工作簿中的文字内容（共享字符串表）超过 1 MB 上限。"
    assert Child.objects.count() == before


def test_the_default_bounds_take_a_shared_strings_table_of_several_megabytes(staff):
    job = imported(staff, with_shared_strings(3 * 2**20))
    assert (job["state"], job["errorCode"]) == ("SUCCEEDED", None)


def test_a_workbook_inflating_beyond_the_total_bound_is_refused(staff, settings, never_loaded):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 10_000  # the roster's theme alone inflates to 10 KB
    refused(imported(staff, workbook(roster(3))), "WORKBOOK_TOO_LARGE")


def test_more_rows_than_the_limit_are_refused_before_any_row_is_written(staff, settings, never_loaded):
    settings.IMPORT_MAX_ROWS = 10
    before = Child.objects.count()

    job = imported(staff, workbook(roster(20)))

    refused(job, "TOO_MANY_ROWS")
    assert job["error"] == "表格超过 10 行上限，请拆分后分批导入。"
    assert Child.objects.count() == before


def test_a_row_numbered_far_down_counts_as_all_the_rows_before_it(staff, settings, never_loaded):
    settings.IMPORT_MAX_ROWS = 1000
    content = workbook(roster(3))
    far = sheet_xml(content).replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    refused(imported(staff, rebuild(content, {"xl/worksheets/sheet1.xml": far})), "TOO_MANY_ROWS")


def test_the_refusal_speaks_the_language_of_the_request_that_started_the_job(staff, settings):
    settings.IMPORT_MAX_ROWS = 10
    job = imported(staff, workbook(roster(20)), HTTP_ACCEPT_LANGUAGE="en")
    assert job["error"] == "The sheet has more than 10 rows; split it and import the parts."


def damaged_sheet(content: bytes) -> bytes:
    return rebuild(content, {"xl/worksheets/sheet1.xml": sheet_xml(content).replace(b"</sheetData>", b"<row><c>")})


def bad_crc(content: bytes) -> bytes:
    """The sheet's stored checksum no longer matches its content."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
    data = bytearray(out.getvalue())
    at = data.find(b"sheetData")
    data[at] = ord("S")
    return bytes(data)


@pytest.mark.parametrize("damage", [
    pytest.param(lambda c: rebuild(c, {"[Content_Types].xml": b"<Types"}), id="broken content types"),
    pytest.param(damaged_sheet, id="broken sheet"),
    pytest.param(bad_crc, id="bad checksum"),
])
def test_a_damaged_workbook_is_a_typed_error(staff, damage):
    before = Child.objects.count()
    job = imported(staff, damage(workbook(roster(3))))
    refused(job, "FILE_CORRUPT")
    assert job["error"] == "文件已损坏或不是有效的 Excel .xlsx 文件。"
    assert Child.objects.count() == before


def test_a_good_roster_still_imports_and_its_upload_is_deleted(staff):
    job = imported(staff, workbook(roster(3)))
    assert (job["state"], job["progressDone"]) == ("SUCCEEDED", 3)
    assert Job.objects.get().input_file == ""
    assert job_files() == [f"{Job.objects.get().pk}-report.xlsx"]
