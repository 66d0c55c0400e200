"""Every root field's declared permission is what its code enforces (graphql_api/declare.py).

A synthetic actor acts in each request (``Actor.from_request`` is replaced, so no role or membership is in the
way): baokang_league_admin's user holding a given set of permissions everywhere (the prefix "" reaches every
organization). Given the arguments in the tables below:

- a query field finds nothing with every permission but the declared one(s); it finds something with any one
  declared permission (plus orgs.view_organization, which every role holds), and with every permission;
- a mutation, with every permission but the declared one(s), answers PERMISSION_DENIED or NOT_FOUND and records
  nothing (no audit entry, no job); the same input succeeds, and is recorded, with any one declared permission
  plus a viewer's reading permissions (to find the object it changes), and with every permission;
- a field declared ``authenticated()`` refuses a request with neither session nor token (UNAUTHENTICATED) and
  serves an actor holding no permission at all.

A root field without an entry in these tables fails its test: a new field must say how to prove its declaration.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone
from graphql import GraphQLNonNull, build_schema
from PIL import Image

from accounts import services as account_services
from cases import risk as case_risk
from cases import services as case_services
from children import services as child_services
from children.models import Child
from core.crypto import blind_index
from demo.data import DEMO_CHILDREN, id_number
from donors import services as donor_services
from donors.models import Donor, UnitApplication
from graphql_api import contract
from graphql_api.declare import Requires
from graphql_api.schema import schema
from jobs.models import Job
from notifications import services as notifications
from orgs import services as org_services
from permissions import services as access_services
from permissions.actor import Actor
from permissions.catalog import PERMISSIONS, ROLE_PERMISSIONS, Role
from permissions.models import ApiToken, AuditEntry, Membership
from permissions.scope import EMPTY, Scope, units_of
from programs import campaigns as campaign_services
from programs.models import Activity, Campaign, HappyHome, HolidayProject, ServicePoint, ServiceRecord
from rollups.services import refresh
from tests.conftest import GraphQLClient, user
from tests.jobs.helpers import roster, workbook
from tests.programs.helpers import SYSTEM, big_hand, days_ago, gid, new_user, org, today
from tests.rollups.test_reports import move, open_request, save
from tests.wishes.helpers import new_donor, wish_in
from wishes import services as wish_services
from wishes.models import State

pytestmark = pytest.mark.django_db

EVERY = frozenset(PERMISSIONS)
READ = ROLE_PERMISSIONS[Role.VIEWER]  # seeing organizations, children, wishes, programs and figures
REFUSED = {"PERMISSION_DENIED", "NOT_FOUND"}
ERRORS = "errors { field code message }"
SDL = build_schema(contract.live_sdl())


def entry(table: dict, name: str):
    assert name in table, f"{name} has no entry here: give the arguments (and the data) that prove its declaration"
    return table[name]


def declarations(root) -> dict[str, Requires]:
    """Each root field's declaration, by its GraphQL name."""
    return {schema.config.name_converter.from_field(f): next(e for e in f.extensions if isinstance(e, Requires))
            for f in root.__strawberry_definition__.fields}


def names(root, *, authenticated: bool = False) -> list[str]:
    """``root``'s fields declared ``requires(...)`` (or ``authenticated()``)."""
    return [name for name, d in declarations(root).items() if (d.authenticated if authenticated else d.permissions)]


@pytest.fixture
def act_with(monkeypatch):
    """``act_with(permissions)``: from now on every request acts as baokang_league_admin's user holding exactly
    these permissions, everywhere, for the units the user acts for; ``act_with(None)``: as nobody (neither session
    nor token)."""
    def switch(permissions):
        acting = user("baokang_league_admin") if permissions is not None else None
        units = frozenset(units_of(acting)) if acting is not None else frozenset()
        scope = Scope(prefixes={p: ("",) for p in permissions}, units=units) if permissions else EMPTY
        monkeypatch.setattr(Actor, "from_request", classmethod(
            lambda cls, request: Actor(scope=scope, user=acting, ip=request.META.get("REMOTE_ADDR"))))

    return switch


def recorded() -> tuple[int, int]:
    """What a change leaves behind: audit entries (every change is audited), jobs (exports and imports run as jobs)."""
    return AuditEntry.objects.count(), Job.objects.count()


def org_id(name: str) -> str:
    return gid("Organization", org(name).pk)


def child_id(name: str = "张小明") -> str:
    return gid("Child", Child.objects.get(name=name).pk)


def wish_id(state: str, **kwargs) -> str:
    return gid("Wish", wish_in(state, **kwargs).pk)


def claimed_wish_id(state: str) -> str:
    return wish_id(state, donor=new_donor("decl_donor"))


def the_home() -> HappyHome:
    return HappyHome.objects.get(name="马良坪村快乐家园")


def a_transfer():
    return child_services.request_transfer(SYSTEM, child_id=Child.objects.get(name="张小明").pk,
                                           to_organization_id=org("黄堡村团支部").pk, reason="随家迁居")


def a_report(state: str = "DRAFT"):
    report = save(open_request(), "马良镇团委")
    return move(report, "submit") if state == "SUBMITTED" else report


def jpeg() -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (32, 24), "orange").save(out, "JPEG")
    return SimpleUploadedFile("照片.jpg", out.getvalue())


def a_case(name: str = "张小明"):
    return case_services.record_assessment(SYSTEM, child_id=Child.objects.get(name=name).pk, assessed_on=today(),
                                           ratings=dict.fromkeys(case_risk.ITEMS, "GOOD")).case


def a_goal():
    return case_services.add_goal(SYSTEM, child_id=a_case().child_id, text="恢复正常上学")


def an_incident():
    return case_services.report_incident(SYSTEM, child_id=a_case().child_id, kind="INJURY", severity="MINOR",
                                         occurred_on=today(), description="放学路上摔伤")


def a_campaign(*co_announcers: str) -> Campaign:
    return campaign_services.announce(SYSTEM, organization_id=org("共青团保康县委").pk, title="联合行动", notice_title="通知",
                                      notice_text="……", starts_on=days_ago(1), ends_on=today() + timedelta(days=30),
                                      co_announcer_ids=[org(n).pk for n in co_announcers])


def a_referral():
    return case_services.refer(SYSTEM, child_id=a_case().child_id, target="SCHOOL", reason="学业辅导", sent_on=today())


def post(document: str, variables: dict | None = None) -> dict:
    response = GraphQLClient().post(document, variables)
    assert response.status_code == 200, response.content
    return response.json()


# Queries ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Read:
    document: str
    variables: Callable[[], dict]  # prepares what the field should find; returns the arguments


def connection(name: str, given: Callable = lambda: None) -> Read:
    def variables() -> dict:
        given()
        return {}

    return Read(f"{{ {name} {{ totalCount }} }}", variables)


def one(name: str, type_name: str, find: Callable) -> Read:
    return Read(f"query($id: ID!) {{ {name}(id: $id) {{ id }} }}", lambda: {"id": gid(type_name, find().pk)})


def rollup(name: str, more: str, selection: str) -> Read:
    def variables() -> dict:
        refresh()
        return {"id": org_id("共青团保康县委")}

    return Read(f"query($id: ID!) {{ {name}(organizationId: $id, period: {{kind: YEAR, year: {today().year}}}{more}) "
                f"{{ {selection} errors {{ code }} }} }}", variables)


QUERIES: dict[str, Read] = {
    "organizations": connection("organizations"),
    "organizationContents": Read("query($id: ID!) { organizationContents(id: $id) { key count } }",
                                 lambda: {"id": org_id("马良镇团委")}),
    "organization": one("organization", "Organization", lambda: org("马良镇团委")),
    "memberships": connection("memberships"),
    "apiTokens": connection("apiTokens"),
    "auditEntries": connection("auditEntries"),
    "accounts": connection("accounts"),
    "account": one("account", "Account", lambda: user("maliang_league_staff")),
    "children": connection("children"),
    "child": one("child", "Child", lambda: Child.objects.get(name="张小明")),
    "transfers": connection("transfers", a_transfer),
    "cases": connection("cases", a_case),
    "incidents": connection("incidents", an_incident),
    "childCase": Read("query($id: ID!) { childCase(childId: $id) { id } }", lambda: {"id": gid("Child", a_case().child_id)}),
    "wishes": connection("wishes"),
    "publishedWishes": connection("publishedWishes"),
    "wish": one("wish", "Wish", lambda: wish_in(State.COLLECTED)),
    "happyHomes": connection("happyHomes"),
    "happyHome": one("happyHome", "HappyHome", the_home),
    "holidayProjects": connection("holidayProjects"),
    "servicePoints": connection("servicePoints"),
    "holidayProject": one("holidayProject", "HolidayProject", HolidayProject.objects.first),
    "volunteers": connection("volunteers"),
    "serviceRecords": connection("serviceRecords"),
    "volunteer": one("volunteer", "Volunteer", lambda: the_home().volunteers.first()),
    "pairings": connection("pairings"),
    "pairing": one("pairing", "Pairing", big_hand),
    "campaigns": connection("campaigns"),
    "activities": connection("activities"),
    "campaign": one("campaign", "Campaign", Campaign.objects.first),
    "campaignPartnerOptions": Read("query($id: ID!) { campaignPartnerOptions(organizationId: $id) { id } }",
                                   lambda: {"id": org_id("共青团保康县委")}),
    "activity": one("activity", "Activity", Activity.objects.first),
    "rollup": rollup("rollup", "", "rollup { children { total } }"),
    "rollupBreakdown": rollup("rollupBreakdown", ", by: CHILD_ORGANIZATION", "rows { name }"),
    "reportRequests": connection("reportRequests", open_request),
    "unitApplications": connection("unitApplications", lambda: a_unit_application()),
    "reports": connection("reports", a_report),
    "reportRequest": one("reportRequest", "ReportRequest", open_request),
    "report": one("report", "Report", a_report),
}


def found(value) -> bool:
    """Whether a root field's answer holds something: rows of a connection, items of a list, an object, or a
    payload without errors that carries a value."""
    if isinstance(value, dict) and "totalCount" in value:
        return value["totalCount"] > 0
    if isinstance(value, dict) and "errors" in value:
        return not value["errors"] and any(v for k, v in value.items() if k != "errors")
    return bool(value)


@pytest.mark.parametrize("name", names(schema.query))
def test_a_query_finds_nothing_without_its_declared_permission_and_something_with_it(name, act_with):
    read = entry(QUERIES, name)
    variables = read.variables()

    def answer(permissions):
        act_with(permissions)
        body = post(read.document, variables)
        assert not body.get("errors"), body
        return body["data"][name]

    declared = declarations(schema.query)[name].permissions
    refused = answer(EVERY - declared)
    assert not found(refused), refused
    if isinstance(refused, dict) and "errors" in refused:  # a payload (rollup): its service refuses
        assert {e["code"] for e in refused["errors"]} <= REFUSED, refused
    for permission in declared:  # any one of them is enough, with seeing organizations (every role has it)
        assert found(answer({permission, "orgs.view_organization"})), permission
    assert found(answer(EVERY))


# Mutations ----------------------------------------------------------------------------------------------------

def notified_admin() -> dict:
    notifications.notify([user("baokang_league_admin").pk], notifications.Message(
        kind="TEST", title=lambda: "测试通知", body=lambda: "正文"))
    return {"all": True}


def new_branch(name: str = "新建村团支部") -> str:
    return gid("Organization", org_services.create_organization(
        SYSTEM, parent_id=org("马良镇团委").pk, name=name, system="LEAGUE", kind="LEAGUE_BRANCH", level=6).pk)


def unit_member(username: str) -> dict:
    """``username`` acts for the partner unit 保康县农商行 (the input of removeUnitMember)."""
    access_services.add_unit_member(SYSTEM, unit_id=org("保康县农商行").pk, username=username)
    return {"unitId": org_id("保康县农商行"), "username": username}


def dispatched_to_the_admins_unit() -> dict:
    unit_member("baokang_league_admin")
    wish = wish_in(State.PUBLISHED)
    dispatch = wish_services.dispatch_wish(SYSTEM, wish_id=wish.pk, unit_id=org("保康县农商行").pk,
                                           deadline=timezone.now() + timedelta(days=7))
    return {"dispatchId": str(dispatch.pk), "accept": True}


def the_admin_as_donor(values: dict | None = None) -> dict | None:
    """baokang_league_admin's user registered as a donor (as signInDonor would); returns ``values``."""
    Donor.objects.get_or_create(user=user("baokang_league_admin"), defaults={"phone": "13900000001",
                                                                             "phone_index": blind_index("13900000001")})
    return values


def a_claim_of_the_admin() -> dict:
    the_admin_as_donor()
    claim = donor_services.claim(Actor.for_user(user("baokang_league_admin")), wish_ids=[wish_in(State.PUBLISHED).pk])[0]
    return {"id": gid("DonorClaim", claim.pk)}


def a_unit_application() -> UnitApplication:
    return UnitApplication.objects.create(organization=org("共青团保康县委"), applicant=new_user("decl_applicant"),
                                          name="测试爱心企业", kind="COMPANY")


def password_of_the_admin(password: str) -> str:
    admin = user("baokang_league_admin")
    admin.set_password(password)
    admin.save(update_fields=["password"])
    return password


def membership_of(username: str) -> str:
    return gid("Membership", Membership.objects.get(user__username=username).pk)


def account_of(username: str) -> str:
    return gid("Account", user(username).pk)


def with_photo_consent() -> str:
    child = Child.objects.get(name="张小明")
    child_services.record_consent(SYSTEM, child_id=child.pk, given_by="张德厚", relation="祖父", given_on=days_ago(1),
                                  registry=True, photos=True, partner_sharing=False)
    return gid("Child", child.pk)


def deactivated(username: str) -> str:
    account_services.set_active(SYSTEM, user_id=user(username).pk, active=False)
    return account_of(username)


def report_action(state: str, comment: str = "") -> dict:
    return {"id": gid("Report", a_report(state).pk), "comment": comment}


def wish_action(state: str, reason: str = "测试原因", **kwargs) -> dict:
    return {"id": wish_id(state, **kwargs), "reason": reason}


def a_service_point_of(project: HolidayProject) -> dict:
    return {"projectId": gid("HolidayProject", project.pk), "organizationId": org_id("黄堡镇团委"), "name": "黄堡村服务点",
            "kind": "VILLAGE", "startsOn": str(project.starts_on), "endsOn": str(project.ends_on)}


def unconfirmed_hours() -> str:
    return gid("ServiceRecord", ServiceRecord.objects.filter(confirmed_at__isnull=True).first().pk)


# mutation -> a function preparing what the mutation needs and returning its input (files as UploadedFile)
MUTATIONS: dict[str, Callable[[], dict]] = {
    # organizations
    "createOrganization": lambda: {"parentId": org_id("马良镇团委"), "name": "新建村团支部", "system": "LEAGUE",
                                   "kind": "LEAGUE_BRANCH", "level": "VILLAGE"},
    "updateOrganization": lambda: {"id": org_id("三岔村团支部"), "shortName": "三岔"},
    "moveOrganization": lambda: {"id": new_branch(), "newParentId": org_id("黄堡镇团委")},
    "mergeOrganizations": lambda: {"sourceId": org_id("三岔村团支部"), "targetId": org_id("马良坪村团支部")},
    "archiveOrganization": lambda: {"id": org_id("过渡湾村团支部")},
    # roles, tokens, units
    "grantRole": lambda: {"organizationId": org_id("马良镇团委"), "role": "VIEWER",
                          "username": new_user("decl_viewer").username, "subtree": True},
    "changeRole": lambda: {"id": membership_of("maliang_league_staff"), "role": "VIEWER"},
    "revokeRole": lambda: {"id": membership_of("maliang_league_staff")},
    "createApiToken": lambda: {"organizationId": org_id("保康县农商行"), "name": "测试令牌",
                               "permissions": ["wishes.view_published_wish"]},
    "revokeApiToken": lambda: {"id": gid("ApiToken", ApiToken.objects.get(revoked_at__isnull=True).pk)},
    "addUnitMember": lambda: {"unitId": org_id("保康县农商行"), "username": "maliang_league_staff"},
    "removeUnitMember": lambda: unit_member("maliang_league_staff"),
    # accounts
    "createAccount": lambda: {"username": "decl_new", "displayName": "新同事", "organizationId": org_id("马良镇团委"),
                              "role": "VIEWER", "phone": "", "email": "", "subtree": True},
    "updateAccount": lambda: {"id": account_of("maliang_league_staff"), "displayName": "马良镇团委干部甲"},
    "deactivateAccount": lambda: {"id": account_of("maliang_league_staff")},
    "reactivateAccount": lambda: {"id": deactivated("maliang_league_staff")},
    "resetPassword": lambda: {"id": account_of("maliang_league_staff")},
    "unlockAccount": lambda: {"id": account_of("maliang_league_staff")},
    "importAccounts": lambda: {"organizationId": org_id("马良镇团委"), "file": SimpleUploadedFile("人员.xlsx", workbook(
        [["用户名", "姓名", "手机号", "组织", "角色", "到期日期"], ["decl_import", "导入者", "", "", "查看", ""]]))},
    "exportAuditLog": lambda: {"organizationId": org_id("共青团保康县委")},
    # children
    "createChild": lambda: {"organizationId": org_id("马良坪村团支部"), "name": "孙小红", "sex": "FEMALE",
                            "idNumber": id_number("420626", "20150606", 12),
                            "guardianArrangement": "GRANDPARENTS", "categories": ["LEFT_BEHIND"]},
    "updateChild": lambda: {"id": child_id(), "school": "马良镇中学"},
    "closeChild": lambda: {"id": child_id(), "status": "MOVED_OUT", "reason": "随父母迁出"},
    "shareChild": lambda: {"childId": child_id(), "username": "huangbao_league_staff"},
    "recordFollowUp": lambda: {"childId": child_id(), "visitedOn": str(days_ago(1)), "note": "入户走访"},
    "addGrowthEntry": lambda: {"childId": child_id(), "recordedOn": str(days_ago(1)), "title": "期中考试", "text": "进步明显"},
    "recordConsent": lambda: {"childId": child_id(), "givenBy": "张德厚", "relation": "祖父", "givenOn": str(days_ago(1))},
    "requestTransfer": lambda: {"childId": child_id(), "toOrganizationId": org_id("黄堡村团支部"), "reason": "随家迁居"},
    "requestTransferIn": lambda: {"toOrganizationId": org_id("黄堡村团支部"), "idNumber": DEMO_CHILDREN[0].id_number,
                                  "reason": "随家迁居"},
    "acceptTransfer": lambda: {"id": gid("Transfer", a_transfer().pk)},
    "declineTransfer": lambda: {"id": gid("Transfer", a_transfer().pk)},
    "addChildPhoto": lambda: {"childId": with_photo_consent(), "file": jpeg(), "caption": "六一合影"},
    "anonymizeChild": lambda: {"id": child_id(), "reason": "监护人申请删除"},
    "importChildren": lambda: {"organizationId": org_id("马良镇团委"), "file": SimpleUploadedFile("花名册.xlsx", workbook(roster(1)))},
    "exportChildren": lambda: {"organizationId": org_id("马良镇团委")},
    # case work
    "openCase": lambda: {"childId": child_id("李芳")},
    "closeCase": lambda: {"childId": gid("Child", a_case().child_id), "reason": "服务完成"},
    "recordAssessment": lambda: {"childId": child_id(), "assessedOn": str(today()), "guardianCapacity": "GOOD",
                                 "schoolAttendance": "GOOD", "health": "GOOD", "psychologicalState": "CONCERN",
                                 "safetyAtHome": "GOOD", "parentContact": "SERIOUS"},
    "addCaseGoal": lambda: {"childId": child_id(), "text": "恢复正常上学"},
    "addCaseAction": lambda: {"goalId": gid("CaseGoal", a_goal().pk), "text": "联系班主任", "owner": "baokang_league_admin",
                              "dueOn": str(today() + timedelta(days=7))},
    "setCaseActionStatus": lambda: {"id": gid("CaseAction", case_services.add_action(
        SYSTEM, goal_id=a_goal().pk, text="联系班主任", owner="baokang_league_admin", due_on=today()).pk), "status": "DONE"},
    "reportIncident": lambda: {"childId": child_id(), "kind": "DROPOUT", "severity": "SERIOUS", "occurredOn": str(today()),
                               "description": "连续一周未到校", "informed": ["SCHOOL"]},
    "updateIncident": lambda: {"id": gid("CaseIncident", an_incident().pk), "followUp": "已就医", "close": True},
    "referCase": lambda: {"childId": child_id(), "target": "HOTLINE_12355", "reason": "心理援助", "sentOn": str(today())},
    "updateReferral": lambda: {"id": gid("CaseReferral", a_referral().pk), "status": "ACCEPTED", "feedback": "已接收"},
    "recordCaseService": lambda: {"childId": child_id(), "kind": "FAMILY_CALL", "givenOn": str(today()),
                                  "withWhom": "母亲", "minutes": 15},
    # wishes
    "collectWish": lambda: {"organizationId": org_id("马良坪村团支部"), "title": "一盒彩笔", "category": "ITEM",
                            "estimatedValue": "50", "household": "测试困难户"},
    "reviewWish": lambda: wish_action(State.COLLECTED),
    "returnWish": lambda: wish_action(State.COLLECTED),
    "resubmitWish": lambda: wish_action(State.RETURNED),
    "publishWish": lambda: wish_action(State.REVIEWED),
    "prepareWish": lambda: {"id": claimed_wish_id(State.CLAIMED), "reason": ""},
    "confirmFulfilment": lambda: {"id": claimed_wish_id(State.DELIVERED), "reason": ""},
    "withdrawWish": lambda: wish_action(State.COLLECTED),
    "closeWish": lambda: wish_action(State.COLLECTED),
    "escalateWish": lambda: wish_action(State.REVIEWED),
    "takeOverWish": lambda: wish_action(State.ESCALATED),
    "recordDelivery": lambda: {"wishId": claimed_wish_id(State.CLAIMED), "note": "已在学校发放"},
    "claimWishes": lambda: {"wishIds": [wish_id(State.PUBLISHED)]},
    "updateWishValue": lambda: {"id": wish_id(State.PUBLISHED), "estimatedValue": "150"},
    "dispatchWish": lambda: {"wishId": wish_id(State.PUBLISHED), "unitId": org_id("保康县农商行"),
                             "deadline": (timezone.now() + timedelta(days=7)).isoformat()},
    "respondToDispatch": dispatched_to_the_admins_unit,
    # donors (approving also creates the unit and grants it the partner role: orgs.manage_organization and the
    # role's permissions, as createOrganization and grantRole need them; refusing needs only the declared one)
    "claimAsDonor": lambda: the_admin_as_donor({"wishIds": [gid("PublicWish", wish_in(State.PUBLISHED).pk)]}),
    "cancelClaim": a_claim_of_the_admin,
    "applyForUnit": lambda: the_admin_as_donor({"organizationId": org_id("共青团保康县委"), "name": "测试爱心企业",
                                                "kind": "COMPANY"}),
    "decideUnitApplication": lambda: {"id": gid("UnitApplication", a_unit_application().pk), "approve": False,
                                      "reason": "材料不全"},
    # programs
    "createHappyHome": lambda: {"organizationId": org_id("马良镇团委"), "name": "三岔村快乐家园"},
    "updateHappyHome": lambda: {"id": gid("HappyHome", the_home().pk), "booksCount": 700},
    "setHappyHomeMembers": lambda: {"homeId": gid("HappyHome", the_home().pk), "addChildIds": [child_id("李芳")]},
    "saveInterestGroup": lambda: {"homeId": gid("HappyHome", the_home().pk), "name": "阅读", "memberIds": [child_id()]},
    "createHolidayProject": lambda: {"organizationId": org_id("马良镇团委"), "name": "寒假七彩假期", "year": today().year,
                                     "season": "WINTER", "startsOn": str(days_ago(20)), "endsOn": str(days_ago(5))},
    "createServicePoint": lambda: a_service_point_of(HolidayProject.objects.first()),
    "reportServicePoint": lambda: {"id": gid("ServicePoint", ServicePoint.objects.first().pk), "childrenServed": 60},
    "createVolunteer": lambda: {"organizationId": org_id("马良镇团委"), "name": "测试志愿者", "origin": "YOUTH"},
    "updateVolunteer": lambda: {"id": gid("Volunteer", the_home().volunteers.first().pk), "team": "马良镇五老志愿队"},
    "recordServiceHours": lambda: {"volunteerId": gid("Volunteer", the_home().volunteers.first().pk),
                                   "happyHomeId": gid("HappyHome", the_home().pk), "servedOn": str(days_ago(1)), "hours": "2"},
    "confirmServiceHours": lambda: {"recordIds": [unconfirmed_hours()]},
    "createPairing": lambda: {"organizationId": org_id("马良镇团委"), "kind": "UNIT_COUNTY", "startedOn": str(days_ago(1)),
                              "partnerName": "湖北文理学院团委"},
    "tickPairingItem": lambda: {"pairingId": gid("Pairing", big_hand().pk), "item": "WEEKEND", "doneOn": str(days_ago(1))},
    "recordPairingContact": lambda: {"pairingId": gid("Pairing", big_hand().pk), "contactedOn": str(days_ago(1)),
                                     "kind": "CALL"},
    "closePairing": lambda: {"pairingId": gid("Pairing", big_hand().pk), "reason": "孩子随父母外出"},
    "announceCampaign": lambda: {"organizationId": org_id("共青团保康县委"), "title": "暖春行动", "noticeTitle": "通知",
                                 "noticeText": "各乡镇团委：……", "startsOn": str(days_ago(1)),
                                 "endsOn": str(today() + timedelta(days=30))},
    "recordActivity": lambda: {"organizationId": org_id("马良镇团委"), "title": "四点半课堂", "kind": "AFTER_SCHOOL",
                               "heldOn": str(days_ago(1))},
    "respondToCampaignInvitation": lambda: {"campaignId": gid("Campaign", a_campaign("保康县妇联").pk),
                                            "organizationId": org_id("保康县妇联"), "accept": True},
    "setCampaignCoverage": lambda: {"campaignId": gid("Campaign", a_campaign().pk), "organizationId": org_id("共青团保康县委"),
                                    "coveredOrganizationIds": [org_id("马良镇团委")]},
    # reports and exports
    "openReportRequest": lambda: {"organizationId": org_id("共青团保康县委"), "title": "年度统计",
                                  "deadline": str(today() + timedelta(days=10)),
                                  "period": {"kind": "YEAR", "year": today().year}, "addresseeIds": [org_id("马良镇团委")]},
    "saveReport": lambda: {"requestId": gid("ReportRequest", open_request().pk), "organizationId": org_id("马良镇团委")},
    "submitReport": lambda: report_action("DRAFT"),
    "withdrawReport": lambda: report_action("SUBMITTED"),
    "approveReport": lambda: report_action("SUBMITTED"),
    "returnReport": lambda: report_action("SUBMITTED", "请补充照片"),
    "exportLedger": lambda: {"ledger": "WISHES", "organizationId": org_id("共青团保康县委")},
    "exportReport": lambda: {"requestId": gid("ReportRequest", open_request().pk)},
    # any signed-in actor
    "changeMyPassword": lambda: {"oldPassword": password_of_the_admin("Old-pass-2026"), "newPassword": "New-pass-2027"},
    "updateMySettings": lambda: {"phone": "13900001111"},
    "markNotificationsRead": notified_admin,
}


def mutate(name: str, values: dict) -> dict:
    """The mutation's payload (``errors`` only); files in ``values`` go as a GraphQL multipart request."""
    files = {k: v for k, v in values.items() if isinstance(v, UploadedFile)}
    if not files:
        body = post(f"mutation($input: {input_type(name).name}!) {{ {name}(input: $input) {{ {ERRORS} }} }}",
                    {"input": values})
    else:
        fields = input_type(name).fields
        for upload in files.values():
            upload.seek(0)
        declared = ", ".join(f"${k}: {fields[k].type}" for k in values)
        given = ", ".join(f"{k}: ${k}" for k in values)
        response = GraphQLClient().upload(f"mutation({declared}) {{ {name}(input: {{{given}}}) {{ {ERRORS} }} }}",
                                          files, {k: v for k, v in values.items() if k not in files})
        assert response.status_code == 200, response.content
        body = response.json()
    assert not body.get("errors"), body
    return body["data"][name]


def input_type(name: str):
    argument = SDL.mutation_type.fields[name].args["input"].type
    return argument.of_type if isinstance(argument, GraphQLNonNull) else argument


@pytest.mark.parametrize("name", names(schema.mutation))
def test_a_mutation_is_refused_without_its_declared_permission_and_succeeds_with_it(name, act_with):
    values = entry(MUTATIONS, name)()
    before = recorded()

    def succeeds(permissions) -> None:
        act_with(permissions)
        assert mutate(name, values)["errors"] == [], sorted(permissions)
        assert recorded() != before, "a change left no audit entry"

    declared = declarations(schema.mutation)[name].permissions
    act_with(EVERY - declared)
    payload = mutate(name, values)
    assert payload["errors"] and {e["code"] for e in payload["errors"]} <= REFUSED, payload
    assert recorded() == before, "a refused mutation changed something"
    for permission in declared:  # any one of them is enough, with a viewer's reading (undone before the next try)
        with transaction.atomic():
            succeeds({permission} | READ)
            transaction.set_rollback(True)
    succeeds(EVERY)


# Any signed-in actor ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", names(schema.query, authenticated=True))
def test_a_query_for_any_signed_in_actor_refuses_the_anonymous_and_answers_an_actor_without_permissions(name, act_with):
    document = entry(AUTHENTICATED_QUERIES, name)
    act_with(None)
    body = post(document)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"], body
    assert (body["data"] or {}).get(name) is None, body
    act_with(frozenset())
    body = post(document)
    assert not body.get("errors") and name in body["data"], body


AUTHENTICATED_QUERIES = {
    "node": '{ node(id: "%s") { id } }' % gid("Organization", 1),
    "mySettings": "{ mySettings { phone } }",
    "myJobs": "{ myJobs { totalCount } }",
    "job": '{ job(id: "%s") { id } }' % gid("Job", 1),
    "myDispatches": "{ myDispatches { totalCount } }",
    "myDonor": "{ myDonor { displayName } }",
    "myClaims": "{ myClaims { totalCount } }",
    "unitClaims": "{ unitClaims { totalCount } }",
    "myUnitApplications": "{ myUnitApplications { totalCount } }",
    "notifications": "{ notifications { totalCount } }",
    "unreadNotificationCount": "{ unreadNotificationCount }",
    "todos": "{ todos { total } }",
    "catalog": "{ catalog { auditActions { value } } }",
}


@pytest.mark.parametrize("name", names(schema.mutation, authenticated=True))
def test_a_mutation_for_any_signed_in_actor_refuses_the_anonymous_and_serves_an_actor_without_permissions(name, act_with):
    values = entry(MUTATIONS, name)()
    before = recorded()
    act_with(None)
    body = post(f"mutation($input: {input_type(name).name}!) {{ {name}(input: $input) {{ {ERRORS} }} }}", {"input": values})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"], body
    assert recorded() == before
    act_with(frozenset())
    assert mutate(name, values)["errors"] == []


def test_every_entry_names_a_root_field():
    assert set(QUERIES) | set(AUTHENTICATED_QUERIES) <= set(declarations(schema.query))
    assert set(MUTATIONS) <= set(declarations(schema.mutation))
