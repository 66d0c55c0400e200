"""Excel rosters: import with a per-row report (idempotent, tenant-safe), masked/unmasked export, upload limits."""

from datetime import datetime

import pytest
from django.test import Client

from children.models import Child
from demo.data import id_number
from jobs.models import Job
from permissions import services as access_services
from permissions.actor import Actor
from permissions.models import AuditEntry
from tests.conftest import user
from tests.jobs.helpers import EXPORT, download, gid, import_payload, ledger_rows, read_xlsx, upload, workbook
from tests.permissions.helpers import org

pytestmark = pytest.mark.django_db

HEADER = [" 姓　名", "性别", "公民身份号码", "出生日期", "学校", "年级", "监护人姓名", "关系", "手机号", "父母务工地", "类别", "监护方式"]
SUN = id_number("420626", "20150606", 12)      # female
QIAN = id_number("420626", "20140101", 31)     # male
ZHOU = id_number("420626", "20130303", 44)     # female
WU = id_number("420626", "20120202", 51)       # male
WANG_LEI = id_number("420626", "20130711", 35)  # registered by 黄堡村团支部 (demo data)


def bad_check_digit(number):
    return number[:-1] + ("0" if number[-1] != "0" else "1")


GOOD_AND_BAD = [
    HEADER,
    ["孙小红", "女", SUN, "", "马良镇中心小学", "三年级", "孙大爷", "祖父", "13911112222", "广东省东莞市", "留守儿童、困境儿童", ""],
    ["钱小刚", "男", bad_check_digit(QIAN), "", "", "", "", "", "", "", "留守儿童", ""],
    ["", "女", ZHOU, "", "", "", "", "", "", "", "留守儿童", ""],
    ["周小丽", "男", ZHOU, "", "", "", "", "", "", "", "留守", ""],
    ["郑小花", "女", ZHOU, "2013-13-03", "", "", "", "", "", "", "留守儿童", ""],
    ["吴小军", "男", WU, datetime(2012, 2, 2), "马良镇中学", "初一", "吴妈妈，吴奶奶", "母亲,祖母", "13500001111，13500002222",
     "浙江省杭州市", "留守儿童,事实孤儿", "单亲照料"],
    ["孙小红", "女", SUN, "", "", "", "", "", "", "", "留守儿童", ""],
    [None] * 12,
]


@pytest.fixture(autouse=True)
def eager_jobs(settings):
    settings.JOBS_EAGER = True


@pytest.fixture
def staff():
    client = Client()
    client.force_login(user("maliang_league_staff"))
    return client


def report_of(client, payload) -> list[tuple]:
    return read_xlsx(client, payload["job"]["resultUrl"], "错误清单")[1:]


def snapshot() -> list[tuple]:
    return [(c.pk, c.name, c.sex, c.birth_date, c.id_number, c.categories, c.school, c.grade, c.guardian_arrangement,
             c.parents_work_place, [(g.name, g.relation, g.phone) for g in c.guardians.all()], c.updated_at)
            for c in Child.objects.prefetch_related("guardians").order_by("pk")]


def test_good_and_bad_rows_give_the_exact_report_and_create_only_the_good_rows(staff):
    before = Child.objects.count()

    payload = import_payload(staff, org("马良镇团委"), workbook(GOOD_AND_BAD))

    assert payload["errors"] == []
    assert payload["job"]["state"] == "SUCCEEDED"
    assert payload["job"]["message"].startswith("新增 2 条，更新 0 条，未变 0 条，有误 5 行")
    assert report_of(staff, payload) == [
        (4, "身份证号", "身份证号校验位不正确，请核对。"),
        (5, "姓名", "请填写儿童姓名。"),
        (6, "性别", "性别与身份证号不一致。"),
        (6, "类别", "“留守”不是有效的选项。"),
        (7, "出生日期", "“2013-13-03”不是有效的日期。"),
        (9, "身份证号", "与第 3 行的身份证号重复。"),
    ]
    marked = download(staff, payload["job"]["resultUrl"]).worksheets[0]  # the upload itself, faults marked in place
    assert marked.title == "原表（已标注错误）" and marked.cell(1, 1).value == "马良镇留守儿童花名册"
    assert [c.value for c in marked[2]][:3] == [h for h in HEADER[:3]] and marked.cell(2, len(HEADER) + 1).value == "错误说明"
    assert marked.cell(4, 3).fill.fgColor.rgb.endswith("FFC7CE") and not marked.cell(4, 1).fill.fgColor.rgb.endswith("FFC7CE")
    assert marked.cell(4, len(HEADER) + 1).value == "身份证号：身份证号校验位不正确，请核对。"
    assert marked.cell(3, len(HEADER) + 1).value is None  # a good row carries no remark
    assert "性别：性别与身份证号不一致。；类别：“留守”不是有效的选项。" == marked.cell(6, len(HEADER) + 1).value
    assert Child.objects.count() == before + 2
    sun = Child.objects.get(name="孙小红")
    assert (sun.organization.name, sun.sex, str(sun.birth_date), sun.categories, sun.guardian_arrangement) == \
        ("马良镇团委", "FEMALE", "2015-06-06", ["LEFT_BEHIND", "IN_DIFFICULTY"], "OTHER")
    wu = Child.objects.get(name="吴小军")
    assert (wu.guardian_arrangement, wu.categories) == ("SINGLE_PARENT", ["LEFT_BEHIND", "DE_FACTO_ORPHAN"])
    assert [(g.name, g.relation, g.phone) for g in wu.guardians.all()] == \
        [("吴妈妈", "母亲", "13500001111"), ("吴奶奶", "祖母", "13500002222")]


def test_reimporting_the_same_file_changes_nothing_and_a_changed_row_is_updated(staff):
    content = workbook(GOOD_AND_BAD)
    import_payload(staff, org("马良镇团委"), content)
    rows, audits = snapshot(), AuditEntry.objects.count()

    again = import_payload(staff, org("马良镇团委"), content)

    assert again["job"]["message"].startswith("新增 0 条，更新 0 条，未变 2 条")
    assert snapshot() == rows and AuditEntry.objects.count() == audits

    changed = [row[:] for row in GOOD_AND_BAD[:2]]
    changed[1][4] = "保康县实验小学"
    updated = import_payload(staff, org("马良镇团委"), workbook(changed))

    assert updated["job"]["message"].startswith("新增 0 条，更新 1 条，未变 0 条")
    assert Child.objects.get(name="孙小红").school == "保康县实验小学"
    assert list(AuditEntry.objects.filter(action="child.update").values_list("changes", flat=True)) == \
        [{"school": ["马良镇中心小学", "保康县实验小学"]}]


def test_an_id_registered_by_another_tenant_is_reported_without_leaking(staff):
    wang = Child.objects.get(id_index__isnull=False, name="王磊")
    before = snapshot()

    payload = import_payload(staff, org("马良镇团委"), workbook([HEADER, ["王小磊", "男", WANG_LEI] + [""] * 9]))

    report = report_of(staff, payload)
    assert report == [(3, "身份证号", "该儿童已在“黄堡村团支部”登记，可申请转移档案。")]
    assert "王磊" not in str(report) and "13872109876" not in str(report)
    assert snapshot() == before and Child.objects.get(pk=wang.pk).name == "王磊"


def test_a_missing_required_column_is_reported_and_nothing_is_read(staff):
    before = Child.objects.count()
    payload = import_payload(staff, org("马良镇团委"), workbook([["姓名", "性别"], ["孙小红", "女"]], title=None))
    assert report_of(staff, payload) == [(1, "身份证号", "缺少必需的列“身份证号”。")]
    assert Child.objects.count() == before


def export(client, variables=None) -> list[tuple]:
    response = client.post("/graphql", {"query": EXPORT, "variables": {"input": variables or {}}}, content_type="application/json")
    payload = response.json()["data"]["exportChildren"]
    assert payload["errors"] == [] and payload["job"]["state"] == "SUCCEEDED"
    return ledger_rows(client, payload["job"]["resultUrl"])


def test_export_is_masked_for_a_viewer_and_unmasked_for_staff_with_one_audit_entry(staff, django_user_model):
    django_user_model.objects.create_user("maliang_viewer", password="x")
    access_services.grant_role(Actor.system("test"), organization_id=org("马良镇团委").pk, role="VIEWER",
                               username="maliang_viewer")
    viewer = Client()
    viewer.force_login(user("maliang_viewer"))
    zhang = id_number("420626", "20140503", 123)

    masked = export(viewer)

    assert masked[0][:3] == ("姓名", "性别", "身份证号")
    assert sorted(r[0] for r in masked[1:]) == sorted(["张*明", "李*", "赵*婷"])
    assert ("张*明", "男", zhang[:4] + "*" * 10 + zhang[-4:]) in [r[:3] for r in masked]
    assert not AuditEntry.objects.filter(action="children.export").exists()

    clear = export(staff)

    row = next(r for r in clear if r[0] == "张小明")
    assert row[2:] == (zhang, datetime(2014, 5, 3), "马良镇中心小学", "五年级", "祖父母/外祖父母", "张德厚", "祖父", "13912345678",
                       "广东省东莞市", "留守儿童", "马良坪村团支部", "在册")
    entry = AuditEntry.objects.get(action="children.export")
    assert (entry.actor_label, entry.changes["count"], entry.changes["unmasked"]) == ("马良镇团委干部", 3, True)


def test_export_filters_and_organization_narrow_the_rows(staff):
    rows = export(staff, {"organizationId": gid("Organization", org("三岔村团支部").pk)})
    assert [r[0] for r in rows[1:]] == ["李芳"]
    rows = export(staff, {"filters": {"school": "马良镇中心小学"}})
    assert sorted(r[0] for r in rows[1:]) == ["张小明", "赵婷婷"]


def test_a_neighbour_tenant_cannot_import_into_maliang_and_exports_none_of_its_children():
    neighbour = Client()
    neighbour.force_login(user("huangbao_league_staff"))
    response = upload(neighbour, org("马良镇团委"), workbook(GOOD_AND_BAD))
    payload = response.json()["data"]["importChildren"]
    assert (payload["job"], [e["code"] for e in payload["errors"]]) == (None, ["NOT_FOUND"])
    assert not Job.objects.exists()

    rows = export(neighbour)
    assert [r[0] for r in rows[1:]] == ["王磊"]
    response = neighbour.post("/graphql", {"query": EXPORT, "variables": {"input": {
        "organizationId": gid("Organization", org("马良镇团委").pk)}}}, content_type="application/json")
    assert [e["code"] for e in response.json()["data"]["exportChildren"]["errors"]] == ["NOT_FOUND"]


@pytest.mark.parametrize("name, content, code", [
    ("花名册.xlsx", workbook([HEADER]), "FILE_TOO_LARGE"),
    ("花名册.csv", workbook([HEADER]), "FILE_TYPE"),
    ("花名册.xlsx", "姓名,身份证号\n".encode(), "FILE_TYPE"),
    ("花名册.xlsx", b"PK\x03\x04 not really a zip", "FILE_TYPE"),
])
def test_uploads_are_limited_in_size_and_type(staff, settings, name, content, code):
    settings.IMPORT_MAX_BYTES = 2048 if code == "FILE_TOO_LARGE" else 10 * 2**20
    payload = upload(staff, org("马良镇团委"), content, name).json()["data"]["importChildren"]
    assert payload["job"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("file", code)]
    assert not Job.objects.exists()


def test_the_import_template_has_the_expected_headers_and_an_example_that_imports(staff):
    import io

    import openpyxl

    assert Client().get("/files/children-import-template.xlsx").status_code == 403
    response = staff.get("/files/children-import-template.xlsx")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, notes = book["花名册"], book["填写说明"]
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["姓名", "性别", "身份证号", "出生日期"] and sheet.max_row == 2  # nothing to import by mistake
    example = {row[0]: row[1] for row in notes.iter_rows(min_row=2, max_row=len(header) + 1, values_only=True)}
    assert example["姓名"] == "张小明" and example["类别"] == "留守儿童"
    fresh = id_number("420626", "20150808", 89)
    filled = [header, [{**example, "姓名": "试填儿童", "身份证号": fresh, "出生日期": "2015-08-08"}[h] for h in header]]
    payload = import_payload(staff, org("马良镇团委"), workbook(filled, title="留守儿童花名册"))
    assert report_of(staff, payload) == [] and payload["job"]["message"].startswith("新增 1 条")
    assert Child.objects.get(name="试填儿童").guardians.get().relation == "祖父"
