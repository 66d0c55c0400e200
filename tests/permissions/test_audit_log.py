"""操作日志 for auditors: filters by actor, action, organization and dates; a child's name masked (and reasons
withheld) for a reader without the personal-data permission, the same on the screen and in the Excel export;
labels for every action the code records."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from children import services as children
from children.models import Child
from permissions import audit, audit_log
from permissions.actor import Actor
from permissions.models import AuditEntry
from rollups import reports
from demo.data import id_number
from tests.conftest import GraphQLClient, user
from tests.jobs.helpers import read_xlsx
from tests.permissions.helpers import gid, org
from wishes import machine

pytestmark = pytest.mark.django_db

ENTRIES = """query($filters: AuditEntryFilter) {
  auditEntries(first: 100, filters: $filters) {
    totalCount
    edges { node { action actionLabel targetLabel actorLabel actorUsername changes organization { name } } }
  }
}"""
EXPORT = """mutation($input: ExportAuditLogInput!) {
  exportAuditLog(input: $input) { job { id state message resultUrl } errors { field code } }
}"""


@pytest.fixture(autouse=True)
def eager_jobs(settings):
    settings.JOBS_EAGER = True


@pytest.fixture
def registered() -> Child:
    """A child registered and closed with a reason by 马良镇's staff: two entries about a named child."""
    staff = Actor.for_user(user("maliang_league_staff"))
    child = children.create_child(staff, organization_id=org("马良坪村团支部").pk, name="欧阳晓明", sex="MALE",
                                  id_number=id_number("420626", "20150606", 771), categories=["LEFT_BEHIND"],
                                  guardian_arrangement="GRANDPARENTS")
    children.close_child(staff, child_id=child.pk, status="MOVED_OUT", reason="随父母去广州欧阳家")
    return child


def child_entries(client) -> list[dict]:
    nodes = [e["node"] for e in client(ENTRIES, {"filters": {"actor": "maliang_league_staff"}})["auditEntries"]["edges"]]
    return [n for n in nodes if n["action"] in ("child.create", "child.close")]


def test_an_auditor_reads_a_childs_name_masked_and_the_admin_clear(as_user, registered):
    # an auditor (no personal-data permission) sees the name masked and the reason withheld
    entries = {n["action"]: n for n in child_entries(as_user("auditor_baokang"))}
    assert entries["child.create"]["changes"]["name"] == "欧**明"
    assert entries["child.create"]["changes"]["sex"] == "MALE"
    assert entries["child.close"]["changes"]["reason"] == "****"  # children/privacy.py
    assert "欧阳" not in str(entries)
    # labelled, and named by the person's name with the username beside it
    assert entries["child.create"]["actionLabel"] == "登记儿童档案" and entries["child.create"]["targetLabel"] == "儿童档案"
    assert (entries["child.create"]["actorLabel"], entries["child.create"]["actorUsername"]) == \
        ("马良镇团委干部", "maliang_league_staff")
    # the county admin, who holds the permission, reads them clear
    clear = {n["action"]: n for n in child_entries(as_user("baokang_league_admin"))}
    assert clear["child.create"]["changes"]["name"] == "欧阳晓明"
    assert clear["child.close"]["changes"]["reason"] == "随父母去广州欧阳家"


def test_filters_by_organization_dates_actor_and_action(as_user, registered):
    auditor = as_user("auditor_baokang")
    # by organization: 马良镇's subtree holds the entries, 黄堡镇's does not
    at_maliang = auditor(ENTRIES, {"filters": {"organization": gid("Organization", org("马良镇团委").pk),
                                               "action": "child.create"}})["auditEntries"]
    assert "欧**明" in [e["node"]["changes"]["name"] for e in at_maliang["edges"]]
    at_huangbao = auditor(ENTRIES, {"filters": {"organization": gid("Organization", org("黄堡镇团委").pk),
                                                "action": "child.close"}})["auditEntries"]
    assert at_huangbao["totalCount"] == 0
    # by date range
    now = timezone.now()
    within = {"since": (now - timedelta(minutes=5)).isoformat(), "until": (now + timedelta(minutes=5)).isoformat()}
    assert auditor(ENTRIES, {"filters": {**within, "action": "child.close"}})["auditEntries"]["totalCount"] == 1
    before = {"until": (now - timedelta(minutes=5)).isoformat(), "action": "child.close"}
    assert auditor(ENTRIES, {"filters": before})["auditEntries"]["totalCount"] == 0
    # by the actor's name as shown, as well as by username
    by_name = auditor(ENTRIES, {"filters": {"actor": "马良镇团委干部", "action": "child.close"}})["auditEntries"]
    assert by_name["totalCount"] == 1
    # a neighbour's admin reads none of it
    assert as_user("huaihua_wf_admin")(ENTRIES, {"filters": {"action": "child.close"}})["auditEntries"]["totalCount"] == 0


def export(username: str, **filters) -> tuple[Client, dict]:
    client = Client()
    client.force_login(user(username))
    return client, GraphQLClient(client)(EXPORT, {"input": filters})["exportAuditLog"]


def test_the_export_is_masked_as_the_screen_and_audited(registered):
    maliang = gid("Organization", org("马良镇团委").pk)
    client, payload = export("auditor_baokang", organizationId=maliang, actor="maliang_league_staff")
    assert payload["errors"] == [] and payload["job"]["state"] == "SUCCEEDED"
    rows = read_xlsx(client, payload["job"]["resultUrl"])
    assert rows[0] == ("时间", "操作人", "用户名", "动作", "组织", "对象", "对象 ID", "变更摘要", "来源地址")
    body = rows[1:]
    assert {r[3] for r in body} >= {"登记儿童档案", "注销儿童档案"}
    assert all(r[1] == "马良镇团委干部" and r[2] == "maliang_league_staff" for r in body)
    text = str(body)
    assert "欧**明" in text and "****" in text and "欧阳" not in text
    assert payload["job"]["message"] == f"导出 {len(body)} 条操作日志"
    entry = AuditEntry.objects.get(action="audit.export")
    assert entry.actor_user == user("auditor_baokang") and entry.changes["rows"] == len(body)

    client, payload = export("baokang_league_admin", organizationId=maliang, action="child.create")
    assert "欧阳晓明" in str(read_xlsx(client, payload["job"]["resultUrl"]))

    # staff without the audit permission may not; a neighbour's subtree is not found
    _client, refused = export("maliang_league_staff")
    assert [e["code"] for e in refused["errors"]] == ["PERMISSION_DENIED"]
    _client, outside = export("huaihua_wf_admin", organizationId=maliang)
    assert [e["code"] for e in outside["errors"]] == ["NOT_FOUND"]
    _client, theirs = export("huaihua_wf_admin", action="child.create")
    assert theirs["errors"] == [] and "欧" not in theirs["job"]["message"]


def recorded_actions() -> set[str]:
    """Every action name the code writes to the audit log: literal names, and the state machines' actions."""
    found = set()
    for path in Path(settings.BASE_DIR).glob("*/*.py"):
        if path.parts[-2] in ("tests", "bench", ".venv"):
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'audit\.record(?:_many)?\(\s*\w+,\s*"([a-z_]+\.[a-z_]+)"\s*,', text))
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
    found |= {f"wish.{action}" for action in machine.TRANSITIONS}
    found |= {f"report.{action}" for action in reports.TRANSITIONS}
    found |= {f"wish.dispatch_{answer}" for answer in ("accept", "decline")}
    found |= {f"child.transfer_{answer}" for answer in ("accept", "decline")}
    found |= {f"unit_application.{decision}" for decision in ("approve", "reject")}
    return found


def test_every_recorded_action_has_a_label():
    actions = recorded_actions()
    assert {"account.create", "child.create", "pii.read", "wish.fulfil", "report.approve"} <= actions
    assert sorted(a for a in actions if audit_log.action_label(a) == a) == []


def test_the_catalog_names_every_action_and_permission_in_the_readers_language(as_user):
    query = "{ catalog { auditActions { value label } permissions { value label } } }"
    catalog = as_user("auditor_baokang")(query)["catalog"]
    actions = {a["value"]: a["label"] for a in catalog["auditActions"]}
    assert set(actions) == set(audit_log.ACTIONS) and actions["account.create"] == "创建账号"
    assert {"value": "wishes.claim_wish", "label": "认领微心愿"} in catalog["permissions"]
    english = GraphQLClient().login("auditor_baokang").post(query, HTTP_ACCEPT_LANGUAGE="en").json()["data"]["catalog"]
    assert {"value": "account.create", "label": "Account created"} in english["auditActions"]
    assert {"value": "wishes.claim_wish", "label": "Claim micro-wishes"} in english["permissions"]


def test_the_platforms_own_tasks_are_shown_as_the_system_not_by_their_technical_name(as_user):
    township = org("马良镇团委")
    audit.record(Actor.system("load_demo"), "organization.update", township, township, {})
    nodes = [e["node"] for e in as_user("auditor_baokang")(ENTRIES, {"filters": {"action": "organization.update"}})["auditEntries"]["edges"]]
    assert [(n["actorLabel"], n["actorUsername"]) for n in nodes] == [("系统", None)]
    english = GraphQLClient().login("auditor_baokang").post(ENTRIES, {"filters": {"action": "organization.update"}},
                                                            HTTP_ACCEPT_LANGUAGE="en").json()["data"]
    assert english["auditEntries"]["edges"][0]["node"]["actorLabel"] == "System"
