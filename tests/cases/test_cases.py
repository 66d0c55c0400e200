"""Child-protection case work over HTTP: the risk rule table, the plan, incidents that raise the level and tell the
county, referrals whose partner access ends with them, services, and who reads what (masked, audited)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases import risk, services
from cases.models import Case, Rating, RiskLevel
from children import services as child_services
from children.models import Child
from notifications.models import Notification
from permissions import services as access
from permissions.models import AuditEntry
from tests.permissions.helpers import SYSTEM, gid, org

pytestmark = pytest.mark.django_db

GOOD = {item: "GOOD" for item in risk.ITEMS}
CASE = """query($id: ID!) { childCase(childId: $id) {
  id childName riskLevel riskReasons nextAssessmentOn overdue textsVisible status closedReason
  assessments { assessedOn level reasons note ratings { item rating } }
  goals { id text actions { id text owner dueOn status } }
  incidents { id kind severity description informed followUp closed }
  referrals { id target receiver reason status feedback accessUntil }
  services { kind givenOn provider withWhom minutes programme amount summary }
  staff { username name }
} }"""
ERRORS = "errors { field code }"
ASSESS = f"""mutation($input: RecordAssessmentInput!) {{ recordAssessment(input: $input) {{
  case {{ riskLevel riskReasons nextAssessmentOn }} {ERRORS} }} }}"""
INCIDENT = f"""mutation($input: ReportIncidentInput!) {{ reportIncident(input: $input) {{
  case {{ riskLevel riskReasons incidents {{ id kind severity }} }} {ERRORS} }} }}"""
REFER = f"""mutation($input: ReferCaseInput!) {{ referCase(input: $input) {{ case {{ id referrals {{ id status }} }} {ERRORS} }} }}"""
UPDATE_REFERRAL = f"""mutation($input: UpdateReferralInput!) {{ updateReferral(input: $input) {{
  case {{ referrals {{ status feedback }} }} {ERRORS} }} }}"""
SERVICE = f"""mutation($input: RecordCaseServiceInput!) {{ recordCaseService(input: $input) {{
  case {{ services {{ kind amount programme minutes }} }} {ERRORS} }} }}"""


def child(name="张小明") -> Child:
    return Child.objects.get(name=name)


def child_id(name="张小明") -> str:
    return gid("Child", child(name).pk)


def today() -> str:
    return timezone.localdate().isoformat()


def assess(client, name="张小明", **ratings):
    data = {"childId": child_id(name), "assessedOn": today(), **GOOD, **ratings, "note": "祖父年迈，夜间独自在家"}
    data = {risk_key(k): v for k, v in data.items()}
    return client(ASSESS, {"input": data})["recordAssessment"]


def risk_key(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(p.title() for p in rest)


def new_user(username: str):
    return get_user_model().objects.create_user(username, password="x", first_name="")


# The rule table -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ratings, level, reasons", [
    ({}, "LOW", []),
    ({"health": "CONCERN", "school_attendance": "CONCERN"}, "LOW", []),
    ({"health": "CONCERN", "school_attendance": "CONCERN", "parent_contact": "SERIOUS"}, "MEDIUM", ["ONE_SERIOUS", "SEVERAL_CONCERNS"]),
    ({"psychological_state": "SERIOUS"}, "MEDIUM", ["ONE_SERIOUS"]),
    ({"safety_at_home": "SERIOUS"}, "HIGH", ["UNSAFE_HOME"]),
    ({"guardian_capacity": "SERIOUS", "health": "SERIOUS"}, "HIGH", ["NO_CAPABLE_GUARDIAN", "SEVERAL_SERIOUS"]),
])
def test_one_rule_table_gives_the_level_and_its_reasons(ratings, level, reasons):
    assert risk.assess({**{i: Rating.GOOD for i in risk.ITEMS}, **ratings}) == (level, reasons)


def test_reassessment_is_due_by_level():
    day = timezone.datetime(2026, 1, 31).date()
    assert [risk.next_assessment(level, day).isoformat() for level in (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)] \
        == ["2026-02-28", "2026-04-30", "2026-07-31"]


# Assessment, overdue filter and the workbench -------------------------------------------------------------

def test_an_assessment_raises_a_child_to_high_risk_and_sets_the_next_due_date(as_user):
    staff = as_user("maliang_league_staff")
    result = assess(staff, safety_at_home="SERIOUS")
    due = risk.next_assessment(RiskLevel.HIGH, timezone.localdate()).isoformat()
    assert result == {"case": {"riskLevel": "HIGH", "riskReasons": ["UNSAFE_HOME"], "nextAssessmentOn": due}, "errors": []}
    assert AuditEntry.objects.filter(action="case.assess", changes__level="HIGH").count() == 1
    listed = staff('{ cases(first: 10, filters: {riskLevel: HIGH}) { totalCount edges { node { childName organizationName } } } }')
    assert listed["cases"] == {"totalCount": 1, "edges": [{"node": {"childName": "张小明", "organizationName": "马良坪村团支部"}}]}


def test_assessment_errors(as_user):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    staff = as_user("maliang_league_staff")
    data = {"childId": child_id(), "assessedOn": tomorrow, **{risk_key(i): "GOOD" for i in risk.ITEMS}, "note": "x" * 2001}
    errors = staff(ASSESS, {"input": data})["recordAssessment"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {("assessedOn", "DATE_IN_FUTURE")}
    data["assessedOn"] = today()
    assert staff(ASSESS, {"input": data})["recordAssessment"]["errors"] == [{"field": "note", "code": "TOO_LONG"}]


def test_overdue_reassessments_are_a_filter_and_a_todo(as_user):
    staff = as_user("maliang_league_staff")
    assess(staff, psychological_state="SERIOUS")
    assess(staff, "赵婷婷")
    Case.objects.filter(child=child()).update(next_assessment_on=timezone.localdate() - timedelta(days=1))
    found = staff('{ children(first: 10, filters: {overdueReassessment: true}) { totalCount edges { node { name } } } }')
    assert found["children"] == {"totalCount": 1, "edges": [{"node": {"name": "张小明"}}]}
    cases = staff('{ cases(first: 10, filters: {overdueReassessment: true}) { edges { node { childName overdue } } } }')
    assert cases["cases"]["edges"] == [{"node": {"childName": "张小明", "overdue": True}}]
    todos = staff("{ todos { items { kind count link dueInDays } } }")["todos"]["items"]
    assert {"kind": "OVERDUE_REASSESSMENTS", "count": 1, "link": "/cases?tab=overdue", "dueInDays": -1} in todos
    huangbao = as_user("huangbao_league_staff")("{ todos { items { kind count } } }")["todos"]["items"]
    assert {"kind": "OVERDUE_REASSESSMENTS", "count": 0} in huangbao  # the neighbour's todo does not count ours


# Protection ----------------------------------------------------------------------------------------------

def test_a_neighbour_is_kept_out(as_user):
    assess(as_user("maliang_league_staff"), safety_at_home="SERIOUS")
    services.report_incident(SYSTEM, child_id=child().pk, kind="RUNAWAY", severity="SERIOUS",
                             occurred_on=timezone.localdate(), description="夜不归宿")
    huangbao = as_user("huangbao_league_staff")
    assert huangbao(CASE, {"id": child_id()})["childCase"] is None
    assert huangbao("{ cases(first: 10) { totalCount } }")["cases"]["totalCount"] == 0
    assert as_user("baokang_wf_staff")("{ cases(first: 10) { totalCount } }")["cases"]["totalCount"] == 0
    refused = assess(huangbao)
    assert refused == {"case": None, "errors": [{"field": "childId", "code": "NOT_FOUND"}]}
    case = as_user("maliang_league_staff")(CASE, {"id": child_id()})["childCase"]
    assert huangbao("query($id: ID!) { node(id: $id) { id } }", {"id": case["id"]})["node"] is None
    incident_id = case["incidents"][0]["id"]
    update = f"""mutation($id: ID!) {{ updateIncident(input: {{id: $id, close: true}}) {{ {ERRORS} }} }}"""
    assert huangbao(update, {"id": incident_id})["updateIncident"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]


def test_a_viewer_reads_the_case_masked_and_clear_reads_are_audited(as_user):
    staff = as_user("maliang_league_staff")
    assess(staff, safety_at_home="SERIOUS")
    staff(INCIDENT, {"input": {"childId": child_id(), "kind": "NEGLECT", "severity": "MINOR", "occurredOn": today(),
                               "description": "独自在家两天无人照看", "informed": ["GUARDIAN"]}})
    new_user("maliang_viewer")
    access.grant_role(SYSTEM, organization_id=org("马良镇团委").pk, role="VIEWER", username="maliang_viewer")
    before = AuditEntry.objects.filter(action="pii.read", target_type="cases.Case").count()
    masked = as_user("maliang_viewer")(CASE, {"id": child_id()})["childCase"]
    assert masked["textsVisible"] is False and masked["childName"] == "张*明" and masked["riskLevel"] == "HIGH"
    assert masked["riskReasons"] == [] and masked["assessments"][0]["ratings"] is None
    assert masked["assessments"][0]["note"] == "****" and masked["incidents"][0]["description"] == "****"
    assert "独自" not in str(masked) and "夜间" not in str(masked)
    assert AuditEntry.objects.filter(action="pii.read", target_type="cases.Case").count() == before
    clear = staff(CASE, {"id": child_id()})["childCase"]
    assert clear["incidents"][0]["description"] == "独自在家两天无人照看" and clear["childName"] == "张小明"
    assert {"item": "safetyAtHome", "rating": "SERIOUS"} in clear["assessments"][0]["ratings"]
    read = AuditEntry.objects.filter(action="pii.read", target_type="cases.Case")
    assert read.count() == before + 1 and read.first().actor_label == "马良镇团委干部"


def test_anonymizing_the_child_clears_the_case_texts(as_user):
    staff = as_user("maliang_league_staff")
    assess(staff)
    staff(INCIDENT, {"input": {"childId": child_id(), "kind": "INJURY", "severity": "MINOR", "occurredOn": today(),
                               "description": "放学路上摔伤", "followUp": "已就医"}})
    case = Case.objects.get(child=child())
    child_services.anonymize_on_request(SYSTEM, child_id=case.child_id, reason="")
    incident = case.incidents.get()
    assert (incident.description, incident.follow_up, case.assessments.get().note) == ("", "", "")
    assert incident.kind == "INJURY"  # what the figures count stays


# Incidents -----------------------------------------------------------------------------------------------

def test_a_grave_incident_raises_the_level_and_tells_the_county_without_personal_data(as_user):
    staff = as_user("maliang_league_staff")
    assess(staff)
    result = staff(INCIDENT, {"input": {"childId": child_id(), "kind": "ABUSE", "severity": "GRAVE", "occurredOn": today(),
                                        "description": "张小明身上有多处伤痕", "informed": ["POLICE", "GUARDIAN"]}})["reportIncident"]
    assert result["errors"] == [] and result["case"]["riskLevel"] == "HIGH"
    assert result["case"]["riskReasons"] == ["GRAVE_INCIDENT"]  # it was low: the incident alone makes it high
    told = Notification.objects.filter(kind="GRAVE_INCIDENT")
    assert {n.recipient.username for n in told} == {"baokang_league_admin"}  # the county body's case workers
    [note] = told
    assert "马良坪村团支部" in note.title + note.body and "虐待" in note.body
    assert "张" not in note.title + note.body and "伤痕" not in note.body
    county = as_user("baokang_league_admin")
    listed = county('{ incidents(first: 10, filters: {open: true}) { totalCount edges { node { kind severity childName closed } } } }')
    assert listed["incidents"] == {"totalCount": 1, "edges": [{"node": {"kind": "ABUSE", "severity": "GRAVE",
                                                                         "childName": "张小明", "closed": False}}]}
    assert as_user("huangbao_league_staff")("{ incidents(first: 10) { totalCount } }")["incidents"]["totalCount"] == 0
    incident_id = result["case"]["incidents"][0]["id"]
    closed = staff(f"""mutation($id: ID!) {{ updateIncident(input: {{id: $id, followUp: "已报警并转介", close: true}}) {{
        case {{ incidents {{ closed followUp }} }} {ERRORS} }} }}""", {"id": incident_id})["updateIncident"]
    assert closed == {"case": {"incidents": [{"closed": True, "followUp": "已报警并转介"}]}, "errors": []}
    assert county("{ incidents(first: 10, filters: {open: true}) { totalCount } }")["incidents"]["totalCount"] == 0


# Plan ----------------------------------------------------------------------------------------------------

def test_plan_goals_actions_owned_by_staff_and_closing_with_a_reason(as_user):
    staff = as_user("maliang_league_staff")
    goal = staff(f"""mutation($id: ID!) {{ addCaseGoal(input: {{childId: $id, text: "恢复正常上学"}}) {{
        case {{ goals {{ id }} staff {{ username name }} }} {ERRORS} }} }}""", {"id": child_id()})["addCaseGoal"]
    assert {"username": "maliang_league_staff", "name": "马良镇团委干部"} in goal["case"]["staff"]
    assert {"username": "huangbao_league_staff", "name": "黄堡镇团委干部"} not in goal["case"]["staff"]
    goal_id = goal["case"]["goals"][0]["id"]
    add = f"""mutation($input: AddCaseActionInput!) {{ addCaseAction(input: $input) {{
        case {{ goals {{ actions {{ id text owner status }} }} }} {ERRORS} }} }}"""
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    refused = staff(add, {"input": {"goalId": goal_id, "text": "联系班主任", "owner": "huangbao_league_staff", "dueOn": due}})
    assert refused["addCaseAction"]["errors"] == [{"field": "owner", "code": "OWNER_NOT_STAFF"}]
    added = staff(add, {"input": {"goalId": goal_id, "text": "联系班主任", "owner": "baokang_league_admin", "dueOn": due}})
    [action] = added["addCaseAction"]["case"]["goals"][0]["actions"]
    assert action["owner"] == "保康团县委管理员" and action["status"] == "TODO"
    done = staff(f"""mutation($id: ID!) {{ setCaseActionStatus(input: {{id: $id, status: DONE}}) {{
        case {{ goals {{ actions {{ status }} }} }} {ERRORS} }} }}""", {"id": action["id"]})["setCaseActionStatus"]
    assert done["case"]["goals"][0]["actions"] == [{"status": "DONE"}]
    close = f"""mutation($id: ID!, $reason: String!) {{ closeCase(input: {{childId: $id, reason: $reason}}) {{
        case {{ status closedReason }} {ERRORS} }} }}"""
    assert staff(close, {"id": child_id(), "reason": " "})["closeCase"]["errors"] == [{"field": "reason", "code": "TEXT_REQUIRED"}]
    closed = staff(close, {"id": child_id(), "reason": "已返校，家庭监护恢复"})["closeCase"]
    assert closed == {"case": {"status": "CLOSED", "closedReason": "已返校，家庭监护恢复"}, "errors": []}
    again = assess(staff)
    assert again["errors"] == [{"field": "childId", "code": "CASE_CLOSED"}]


# Referrals -----------------------------------------------------------------------------------------------

def partner_user():
    new_user("nongshang_worker")
    access.add_unit_member(SYSTEM, unit_id=org("保康县农商行").pk, username="nongshang_worker")


def refer_to_partner(staff, **extra):
    return staff(REFER, {"input": {"childId": child_id(), "target": "PARTNER", "reason": "需要资助与学业辅导",
                                   "sentOn": today(), "unitId": gid("Organization", org("保康县农商行").pk), **extra}})["referCase"]


def test_a_partner_reads_the_referred_case_until_the_referral_closes(as_user):
    staff = as_user("maliang_league_staff")
    assess(staff, safety_at_home="SERIOUS")
    partner_user()
    partner = as_user("nongshang_worker")
    assert partner(CASE, {"id": child_id()})["childCase"] is None
    assert refer_to_partner(staff)["errors"] == [{"field": None, "code": "CONSENT_REQUIRED"}]
    child_services.record_consent(SYSTEM, child_id=child().pk, given_by="张德厚", relation="祖父",
                                  given_on=timezone.localdate(), partner_sharing=True)
    units = staff("query($id: ID!) { childCase(childId: $id) { partnerUnits { id name } } }", {"id": child_id()})
    assert {"id": gid("Organization", org("保康县农商行").pk), "name": "保康县农商行"} in units["childCase"]["partnerUnits"]
    referred = refer_to_partner(staff)
    assert referred["errors"] == [] and referred["case"]["referrals"][0]["status"] == "SENT"
    seen = partner(CASE, {"id": child_id()})["childCase"]
    assert seen["textsVisible"] is True and seen["childName"] == "张小明" and seen["referrals"][0]["reason"] == "需要资助与学业辅导"
    assert seen["staff"] == []  # the partner plans nothing
    assert partner("{ cases(first: 10) { totalCount } }")["cases"]["totalCount"] == 1
    assert partner("query($id: ID!) { child(id: $id) { id } }", {"id": child_id()})["child"] is None  # the case, not the file
    assert assess(partner)["errors"] == [{"field": "childId", "code": "NOT_FOUND"}]
    assert AuditEntry.objects.filter(action="pii.read", target_type="cases.Case", actor_label="nongshang_worker").exists()
    referral_id = referred["case"]["referrals"][0]["id"]
    moved = staff(UPDATE_REFERRAL, {"input": {"id": referral_id, "status": "SERVED", "feedback": "已发放助学金"}})["updateReferral"]
    assert moved == {"case": {"referrals": [{"status": "SERVED", "feedback": "已发放助学金"}]}, "errors": []}
    back = staff(UPDATE_REFERRAL, {"input": {"id": referral_id, "status": "ACCEPTED"}})["updateReferral"]
    assert back["errors"] == [{"field": "status", "code": "STATUS_BACKWARDS"}]
    staff(UPDATE_REFERRAL, {"input": {"id": referral_id, "status": "CLOSED"}})
    assert partner(CASE, {"id": child_id()})["childCase"] is None
    assert partner("{ cases(first: 10) { totalCount } }")["cases"]["totalCount"] == 0


def test_a_partners_access_ends_when_the_referral_expires(as_user):
    staff = as_user("maliang_league_staff")
    partner_user()
    child_services.record_consent(SYSTEM, child_id=child().pk, given_by="张德厚", relation="祖父",
                                  given_on=timezone.localdate(), partner_sharing=True)
    assert refer_to_partner(staff, accessDays=0)["errors"] == [{"field": "accessDays", "code": "ACCESS_DAYS"}]
    assert refer_to_partner(staff, accessDays=1)["errors"] == []
    partner = as_user("nongshang_worker")
    assert partner(CASE, {"id": child_id()})["childCase"] is not None
    from cases.models import CaseGroupGrant
    from permissions.scope import bump_version

    CaseGroupGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    bump_version()
    assert partner(CASE, {"id": child_id()})["childCase"] is None


def test_closing_the_case_ends_the_partners_access(as_user):
    staff = as_user("maliang_league_staff")
    partner_user()
    child_services.record_consent(SYSTEM, child_id=child().pk, given_by="张德厚", relation="祖父",
                                  given_on=timezone.localdate(), partner_sharing=True)
    refer_to_partner(staff)
    services.close_case(SYSTEM, child_id=child().pk, reason="服务完成")
    assert as_user("nongshang_worker")(CASE, {"id": child_id()})["childCase"] is None
    assert Case.objects.get().referrals.get().status == "CLOSED"


def test_a_referral_elsewhere_needs_no_unit(as_user):
    staff = as_user("maliang_league_staff")
    result = staff(REFER, {"input": {"childId": child_id(), "target": "HOTLINE_12355", "reason": "心理援助",
                                     "sentOn": today(), "receiver": "襄阳 12355"}})["referCase"]
    assert result["errors"] == [] and result["case"]["referrals"][0]["status"] == "SENT"
    partner = staff(REFER, {"input": {"childId": child_id(), "target": "PARTNER", "reason": "x", "sentOn": today()}})
    assert partner["referCase"]["errors"] == [{"field": "unitId", "code": "UNIT_REQUIRED"}]


# Services ------------------------------------------------------------------------------------------------

def test_services_given_each_with_what_its_kind_needs(as_user):
    staff = as_user("maliang_league_staff")

    def record(**data):
        return staff(SERVICE, {"input": {"childId": child_id(), "givenOn": today(), **data}})["recordCaseService"]

    assert {(e["field"], e["code"]) for e in record(kind="AID")["errors"]} == {("programme", "FIELD_REQUIRED"),
                                                                               ("amount", "FIELD_REQUIRED")}
    assert record(kind="AID", programme="SHISUI", amount="-5")["errors"] == [{"field": "amount", "code": "INVALID_AMOUNT"}]
    assert record(kind="FAMILY_CALL", withWhom="母亲", minutes=0)["errors"] == [{"field": "minutes", "code": "INVALID_MINUTES"}]
    assert record(kind="AID", programme="SHISUI", amount="1200")["errors"] == []
    assert record(kind="FAMILY_CALL", withWhom="母亲", minutes=15)["errors"] == []
    assert record(kind="COUNSELLING", provider="李老师", summary="情绪好转")["errors"] == []
    last = record(kind="SAFETY_LESSON", summary="防溺水")
    assert {(s["kind"], s["amount"], s["programme"], s["minutes"]) for s in last["case"]["services"]} == {
        ("AID", "1200.00", "SHISUI", None), ("FAMILY_CALL", None, None, 15), ("COUNSELLING", None, None, None),
        ("SAFETY_LESSON", None, None, None)}


def test_a_viewer_cannot_record_case_work(as_user):
    new_user("maliang_viewer")
    access.grant_role(SYSTEM, organization_id=org("马良镇团委").pk, role="VIEWER", username="maliang_viewer")
    assert assess(as_user("maliang_viewer"))["errors"] == [{"field": "childId", "code": "PERMISSION_DENIED"}]


# Lists cost a constant number of statements --------------------------------------------------------------

LISTS = """{ cases(first: 20) { totalCount edges { node { id childName childAge organizationName riskLevel overdue
  textsVisible incidents { kind description } } } }
  incidents(first: 20) { totalCount edges { node { id kind severity childName organizationName closed } } } }"""


def many_cases(count: int) -> None:
    for pk in Child.objects.filter(org_path__startswith=org("共青团保康县委").path).values_list("pk", flat=True)[:count]:
        services.record_assessment(SYSTEM, child_id=pk, assessed_on=timezone.localdate(),
                                   ratings={**dict.fromkeys(risk.ITEMS, "GOOD"), "safety_at_home": "SERIOUS"})
        services.report_incident(SYSTEM, child_id=pk, kind="NEGLECT", severity="MINOR", occurred_on=timezone.localdate(),
                                 description="无人照看")


@pytest.mark.parametrize("count", [1, 4])
def test_the_county_lists_cost_the_same_statements_for_one_case_or_many(as_user, count, django_assert_num_queries):
    many_cases(count)
    admin = as_user("baokang_league_admin")
    admin(LISTS)  # warm the session and scope
    # cases page with its children and count, its incidents; the incidents page with cases, children and count; one
    # audit insert for every case read in clear (session, user and scope come from the cache once warm)
    with django_assert_num_queries(2 + 1 + 1):
        data = admin(LISTS)
    assert data["cases"]["totalCount"] == data["incidents"]["totalCount"] == count
    assert {e["node"]["riskLevel"] for e in data["cases"]["edges"]} == {"HIGH"}


def test_a_grave_incident_on_a_high_risk_case_keeps_its_reasons():
    case = services.record_assessment(SYSTEM, child_id=child().pk, assessed_on=timezone.localdate(),
                                      ratings={**dict.fromkeys(risk.ITEMS, "GOOD"), "guardian_capacity": "SERIOUS"}).case
    services.report_incident(SYSTEM, child_id=child().pk, kind="NEGLECT", severity="GRAVE", occurred_on=timezone.localdate(),
                             description="无人照看")
    case.refresh_from_db()
    assert (case.risk_level, case.risk_reasons) == ("HIGH", ["NO_CAPABLE_GUARDIAN", "GRAVE_INCIDENT"])
