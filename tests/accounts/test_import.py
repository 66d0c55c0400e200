"""Creating accounts from an Excel sheet: a job with a per-row report holding the one-time passwords (downloadable
once), the same rules per row as one account, and a re-run that never creates twice."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts import excel
from accounts.models import Profile
from jobs import runner
from jobs.models import Job
from jobs.services import result_url, save_upload
from permissions.models import AuditEntry, Membership
from tests.conftest import file_graphql_query, user
from tests.jobs.helpers import gid, read_xlsx, workbook
from tests.permissions.helpers import grant, org

pytestmark = pytest.mark.django_db

IMPORT = """
mutation ImportAccounts($organizationId: ID!, $file: Upload!) {
  importAccounts(input: {organizationId: $organizationId, file: $file}) {
    job { id kind state message resultUrl }
    errors { field code message }
  }
}"""
SHEET = [
    ["用户名", "姓名", "手机号", "组织", "角色", "到期日期"],
    ["zhang_sancha", "张三岔", "13900002222", "三岔村团支部", "信息录入员", ""],
    ["li_maliang", "李马良", "", "", "STAFF", date(2031, 6, 30)],
    ["bad name!", "坏用户名", "", "", "工作人员", ""],
    ["wang_huangbao", "王黄堡", "", "黄堡镇团委", "工作人员", ""],
    ["zhao_role", "赵角色", "", "", "县长", ""],
    ["zhang_sancha", "重复", "", "", "工作人员", ""],
    ["maliang_league_staff", "已存在", "123", "", "工作人员", ""],
    ["sun_date", "孙日期", "", "", "工作人员", "明年"],
]


@pytest.fixture(autouse=True)
def eager_jobs(settings):
    settings.JOBS_EAGER = True


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def upload(client, organization, rows, name="人员.xlsx") -> dict:
    response = file_graphql_query(
        IMPORT, op_name="ImportAccounts", variables={"organizationId": gid("Organization", organization.pk)},
        files={"file": SimpleUploadedFile(name, workbook(rows, title="马良镇人员"))}, client=client, graphql_url="/graphql")
    assert response.status_code == 200, response.content
    return response.json()["data"]["importAccounts"]


def test_a_sheet_creates_the_valid_rows_and_reports_every_row(monkeypatch):
    # given 马良镇's admin and a sheet with good and bad rows
    User = get_user_model()
    admin = User.objects.create_user("maliang_admin", first_name="马良镇管理员")
    grant("maliang_admin", org("马良镇团委"), "ORG_ADMIN")
    client = client_of("maliang_admin")

    # when it imports the sheet at 马良镇团委
    payload = upload(client, org("马良镇团委"), SHEET)

    # then the job succeeded and says how many were created, and only the valid rows became accounts
    job = payload["job"]
    assert payload["errors"] == [] and job["kind"] == "ACCOUNTS_IMPORT" and job["state"] == "SUCCEEDED"
    assert job["message"].startswith("创建 2 个账号，6 行未创建")
    assert set(User.objects.filter(username__in=["zhang_sancha", "li_maliang", "wang_huangbao", "zhao_role"])
               .values_list("username", flat=True)) == {"zhang_sancha", "li_maliang"}
    sancha = Membership.objects.get(user__username="zhang_sancha")
    assert (sancha.organization, sancha.role) == (org("三岔村团支部"), "DATA_ENTRY")
    li = Membership.objects.get(user__username="li_maliang")
    assert li.organization == org("马良镇团委") and li.expires_at.date() == date(2031, 6, 30)
    assert Profile.objects.get(user__username="zhang_sancha").must_change_password

    # the report names each row's outcome; the passwords of the new accounts sign in
    rows = read_xlsx(client, job["resultUrl"])
    assert rows[0] == ("行号", "用户名", "姓名", "组织", "角色", "结果", "初始密码", "说明")
    by_row = {row[0]: row for row in rows[1:]}
    assert by_row[3][5:] == ("已创建", by_row[3][6], "首次登录须修改密码") and by_row[3][3:5] == ("三岔村团支部", "信息录入员")
    assert user("zhang_sancha").check_password(by_row[3][6]) and user("li_maliang").check_password(by_row[4][6])
    assert by_row[5][5] == "未创建" and "用户名须为" in by_row[5][7]
    assert "“黄堡镇团委”不是本次导入的组织或其下级组织" in by_row[6][7]
    assert "角色“县长”不存在" in by_row[7][7]
    assert "用户名与第 3 行重复" in by_row[8][7]
    assert "已被使用" in by_row[9][7] and "手机号须为" in by_row[9][7]
    assert "日期“明年”无法识别" in by_row[10][7]
    assert all(row[6] == "" for number, row in by_row.items() if number not in (3, 4))

    # the file with the passwords is downloaded once: then it is gone
    assert client.get(job["resultUrl"]).status_code == 404
    assert Job.objects.get(kind="ACCOUNTS_IMPORT").result_file == ""
    assert AuditEntry.objects.filter(action="account.create", actor_user=admin).count() == 2
    assert AuditEntry.objects.get(action="account.import").changes == {"created": 2, "refused": 6}


def test_a_rerun_after_a_crash_creates_nobody_twice_and_issues_fresh_passwords():
    # given a job that created an account and then died before writing its report
    client = client_of("baokang_league_admin")
    payload = upload(client, org("马良镇团委"), SHEET[:3])
    job = Job.objects.get(kind="ACCOUNTS_IMPORT")
    first = read_xlsx(client, payload["job"]["resultUrl"])[1]
    Job.objects.filter(pk=job.pk).update(state="QUEUED", result_file="")
    job.refresh_from_db()
    save_upload(job, SimpleUploadedFile("人员.xlsx", workbook(SHEET[:3])))  # a crashed run still holds its upload

    # when it runs again
    runner.execute(job.pk)

    # then no account is made twice, each is reported created with a new password that works
    job.refresh_from_db()
    assert job.state == "SUCCEEDED" and job.message.startswith("创建 2 个账号，0 行未创建")
    assert get_user_model().objects.filter(username="zhang_sancha").count() == 1
    assert Membership.objects.filter(user__username="zhang_sancha").count() == 1
    again = read_xlsx(client, result_url(job))[1]
    assert again[5] == "已创建" and again[6] != first[6] and user("zhang_sancha").check_password(again[6])


def test_a_sheet_without_the_required_columns_or_outside_the_scope(as_user):
    client = client_of("baokang_league_admin")
    payload = upload(client, org("马良镇团委"), [["姓名", "手机号"], ["张三", "13900000000"]])
    rows = read_xlsx(client, payload["job"]["resultUrl"])
    assert "缺少“用户名”列" in rows[1][7] and "缺少“角色”列" in rows[1][7]
    # a neighbour's admin cannot import into 保康; staff without the membership permission may not either
    assert [e["code"] for e in upload(client_of("huaihua_wf_admin"), org("马良镇团委"), SHEET)["errors"]] == ["NOT_FOUND"]
    assert [e["code"] for e in upload(client_of("maliang_league_staff"), org("马良镇团委"), SHEET)["errors"]] == \
        ["PERMISSION_DENIED"]
    # a file that is not a workbook is refused before any job
    response = file_graphql_query(
        IMPORT, op_name="ImportAccounts", variables={"organizationId": gid("Organization", org("马良镇团委").pk)},
        files={"file": SimpleUploadedFile("人员.xlsx", b"not a workbook")}, client=client, graphql_url="/graphql")
    assert [e["code"] for e in response.json()["data"]["importAccounts"]["errors"]] == ["FILE_TYPE"]


def test_a_sheet_over_the_row_limit_creates_nobody(monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    client = client_of("baokang_league_admin")
    payload = upload(client, org("马良镇团委"), SHEET[:4])
    assert payload["job"]["message"].startswith("创建 0 个账号")
    assert "一次最多创建 2 个账号" in read_xlsx(client, payload["job"]["resultUrl"])[1][7]
    assert not get_user_model().objects.filter(username="zhang_sancha").exists()
