"""工作台: each actor's to-dos by kind, offered by role, equal to what the filtered screens list, in one SQL
statement whatever the scope's size; and a unit's dispatches, found by its members and its token."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from children import services as children
from children.models import Child
from jobs.models import Job
from permissions import services as access
from programs.models import Pairing
from rollups import reports
from tests.conftest import GraphQLClient
from tests.permissions.helpers import SYSTEM, gid, new_user, org, pk_of
from tests.programs.helpers import big_hand, days_ago, home, record, volunteer
from tests.rollups.test_reports import HUANG, MA, open_request
from tests.wishes.helpers import wish_in
from wishes import services as wishes

pytestmark = pytest.mark.django_db

TODOS = "{ todos { total unreadNotifications items { kind label count link dueInDays } } }"
DISPATCHES = """query($filters: UnitDispatchFilter) {
  myDispatches(first: 20, filters: $filters) {
    totalCount
    edges { node { id dispatchId state deadline unitName dispatchedBy
                   wish { title place childName childAge household remaining state } } }
  }
}"""
RESPOND = """mutation($id: ID!) { respondToDispatch(input: {dispatchId: $id, accept: true}) { state errors { code } } }"""


def todos(client) -> dict:
    return {item["kind"]: item for item in client(TODOS)["todos"]["items"]}


def total(client, query: str, field: str, variables: dict | None = None) -> int:
    return client(query, variables)[field]["totalCount"]


def test_the_counts_equal_what_the_filtered_screens_list(as_user):
    # given work waiting in 马良镇: wishes in each state, hours, an overdue pairing, a transfer offered to it
    wish_in("COLLECTED", "三岔村团支部")
    wish_in("REVIEWED", "三岔村团支部")
    site = home(MA)
    record(site, volunteer(MA))
    pairing = big_hand("马良坪村团支部", started_on=days_ago(60))
    Pairing.objects.filter(pk=pairing.pk).update(last_contact_on=days_ago(60))
    elsewhere = Child.objects.filter(org_path__startswith=org(HUANG).path).first()
    children.request_transfer(SYSTEM, child_id=elsewhere.pk, to_organization_id=org(MA).pk, reason="迁居")
    staff = as_user("maliang_league_staff")

    # when its staff opens the 工作台
    items = todos(staff)

    # then every kind its roles allow is offered, each count equal to the screen it links to
    assert set(items) == {"WISHES_TO_REVIEW", "WISHES_TO_PUBLISH", "WISHES_TO_DELIVER", "TRANSFERS_TO_DECIDE",
                          "REPORTS_DUE", "REPORTS_TO_APPROVE", "HOURS_TO_CONFIRM", "OVERDUE_PAIRINGS", "OVERDUE_REASSESSMENTS",
                          "FINISHED_JOBS"}
    wishes_in = "query($state: WishState) { wishes(first: 1, filters: {state: $state}) { totalCount } }"
    assert items["WISHES_TO_REVIEW"]["count"] == total(staff, wishes_in, "wishes", {"state": "COLLECTED"}) >= 1
    assert items["WISHES_TO_PUBLISH"]["count"] == total(staff, wishes_in, "wishes", {"state": "REVIEWED"}) >= 1
    claimed = total(staff, wishes_in, "wishes", {"state": "CLAIMED"}) + total(staff, wishes_in, "wishes", {"state": "PREPARED"})
    assert items["WISHES_TO_DELIVER"]["count"] == claimed
    assert items["HOURS_TO_CONFIRM"]["count"] == \
        total(staff, "{ serviceRecords(first: 1, filters: {confirmed: false}) { totalCount } }", "serviceRecords") >= 1
    assert items["OVERDUE_PAIRINGS"]["count"] == \
        total(staff, "{ pairings(first: 1, filters: {overdue: true}) { totalCount } }", "pairings") >= 1
    assert items["TRANSFERS_TO_DECIDE"]["count"] == 1
    assert items["WISHES_TO_REVIEW"] == {"kind": "WISHES_TO_REVIEW", "label": "心愿待审核", "count": items["WISHES_TO_REVIEW"]["count"],
                                         "link": "/wishes?state=COLLECTED", "dueInDays": None}
    # 黄堡镇's staff does not count 马良镇's work, and decides nothing about a transfer it offered
    huangbao = todos(as_user("huangbao_league_staff"))
    assert huangbao["OVERDUE_PAIRINGS"]["count"] == \
        total(as_user("huangbao_league_staff"), "{ pairings(first: 1, filters: {overdue: true}) { totalCount } }", "pairings")
    assert huangbao["TRANSFERS_TO_DECIDE"]["count"] == 0 and huangbao["HOURS_TO_CONFIRM"]["count"] == 0


def test_menus_follow_the_roles(as_user, as_token, demo_token):
    assert set(todos(as_user("auditor_baokang"))) == {"FINISHED_JOBS"}
    assert set(todos(as_user("xiangyang_league_viewer"))) == {"FINISHED_JOBS"}
    # a unit's member and the unit's token answer dispatches
    new_user("nongshang_clerk")
    access.add_unit_member(SYSTEM, unit_id=org("保康县农商行").pk, username="nongshang_clerk")
    assert "DISPATCHES_TO_ANSWER" in todos(as_user("nongshang_clerk"))
    assert "DISPATCHES_TO_ANSWER" in todos(as_token(demo_token))
    assert "DISPATCHES_TO_ANSWER" not in todos(as_user("maliang_league_staff"))


def test_a_report_request_is_due_for_the_township_and_to_approve_for_the_county(as_user):
    request = open_request(to=(MA,), deadline=timezone.localdate() + timedelta(days=4))
    ma, county = as_user("maliang_league_staff"), as_user("baokang_league_admin")
    due = todos(ma)["REPORTS_DUE"]
    assert (due["count"], due["dueInDays"]) == (1, 4)
    # the county does not answer its own request
    assert todos(county)["REPORTS_DUE"]["count"] == 0 and todos(county)["REPORTS_TO_APPROVE"]["count"] == 0
    report = reports.save_report(SYSTEM, request_id=request.pk, organization_id=org(MA).pk)
    reports.transition(SYSTEM, report_id=report.pk, action="submit")
    assert todos(ma)["REPORTS_DUE"] == {**due, "count": 0, "dueInDays": None}
    assert todos(county)["REPORTS_TO_APPROVE"]["count"] == 1
    assert todos(as_user("huaihua_wf_admin"))["REPORTS_TO_APPROVE"]["count"] == 0


def test_finished_jobs_and_unread_notifications_are_counted(as_user, settings):
    settings.JOBS_EAGER = True
    staff = as_user("maliang_league_staff")
    before = staff(TODOS)["todos"]
    staff("""mutation($org: ID!) { exportLedger(input: {ledger: WISHES, organizationId: $org}) { job { id } } }""",
          {"org": gid("Organization", org(MA).pk)})
    after = staff(TODOS)["todos"]
    assert todos(staff)["FINISHED_JOBS"]["count"] == 1
    assert after["unreadNotifications"] == before["unreadNotifications"] + 1  # the job's "finished" notification
    assert after["unreadNotifications"] == staff("{ unreadNotificationCount }")["unreadNotificationCount"]
    Job.objects.update(finished_at=timezone.now() - timedelta(days=2))
    assert todos(staff)["FINISHED_JOBS"]["count"] == 0


def statements(client) -> int:
    client(TODOS)  # warm: the session's user and the cached scope
    with CaptureQueriesContext(connection) as captured:
        client(TODOS)
    return len(captured)


def test_one_statement_whatever_the_scope(as_user):
    # a township clerk, a county admin and the platform superuser: the counts' one statement (session, user and
    # scope come from the cache once warm)
    village = statements(as_user("maliang_league_staff"))
    county = statements(as_user("baokang_league_admin"))
    everything = statements(as_user("platform_admin"))
    assert village == county == everything == 1


def test_a_unit_finds_the_wishes_dispatched_to_it_and_answers(as_user, as_token, demo_token):
    # given a wish of a child at 马良坪村 dispatched to 保康县农商行, and another to 保康县电力公司
    new_user("nongshang_clerk")
    access.add_unit_member(SYSTEM, unit_id=org("保康县农商行").pk, username="nongshang_clerk")
    child = Child.objects.filter(org_path__startswith=org("马良坪村团支部").path).order_by("pk").first()
    wish = wish_in("PUBLISHED", child_id=child.pk)
    other = wish_in("PUBLISHED", title="台灯")
    deadline = timezone.now() + timedelta(days=2)
    mine = wishes.dispatch_wish(SYSTEM, wish_id=wish.pk, unit_id=org("保康县农商行").pk, deadline=deadline)
    wishes.dispatch_wish(SYSTEM, wish_id=other.pk, unit_id=org("保康县电力公司").pk, deadline=deadline)

    # then the unit's member finds its own dispatch only, with the child by surname and age
    clerk = as_user("nongshang_clerk")
    found = clerk(DISPATCHES)["myDispatches"]
    assert found["totalCount"] == 1
    node = found["edges"][0]["node"]
    assert (node["state"], node["unitName"], pk_of(node["id"]), node["dispatchId"]) == ("PENDING", "保康县农商行", mine.pk, str(mine.pk))
    assert node["wish"]["title"] == "一盒彩笔" and node["wish"]["place"] == "马良坪村团支部"
    assert node["wish"]["childName"] == child.name[0] + "*" and child.name not in str(node)
    assert todos(clerk)["DISPATCHES_TO_ANSWER"] == {"kind": "DISPATCHES_TO_ANSWER", "label": "派单待回复", "count": 1,
                                                     "link": "/dispatches?state=PENDING", "dueInDays": 2}
    # the unit's token finds it too; staff of the township and a neighbour do not
    assert total(as_token(demo_token), DISPATCHES, "myDispatches") == 1
    assert total(as_user("maliang_league_staff"), DISPATCHES, "myDispatches") == 0
    assert total(as_user("huaihua_wf_admin"), DISPATCHES, "myDispatches") == 0
    anonymous = GraphQLClient().post(DISPATCHES).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    # when it accepts with the dispatchId, the dispatch leaves the pending filter
    assert clerk(RESPOND, {"id": node["dispatchId"]})["respondToDispatch"] == {"state": "ACCEPTED", "errors": []}
    assert total(clerk, DISPATCHES, "myDispatches", {"filters": {"state": "PENDING"}}) == 0
    assert total(clerk, DISPATCHES, "myDispatches", {"filters": {"state": "ACCEPTED"}}) == 1
    assert todos(clerk)["DISPATCHES_TO_ANSWER"]["count"] == 0


def test_a_page_of_dispatches_costs_the_same_queries_however_many(as_user):
    new_user("nongshang_clerk")
    access.add_unit_member(SYSTEM, unit_id=org("保康县农商行").pk, username="nongshang_clerk")
    clerk = as_user("nongshang_clerk")
    deadline = timezone.now() + timedelta(days=2)

    def dispatch():
        wishes.dispatch_wish(SYSTEM, wish_id=wish_in("PUBLISHED").pk, unit_id=org("保康县农商行").pk, deadline=deadline)

    def cost() -> int:
        clerk(DISPATCHES)
        with CaptureQueriesContext(connection) as captured:
            clerk(DISPATCHES)
        return len(captured)

    dispatch()
    few = cost()
    for _ in range(4):
        dispatch()
    assert cost() == few and total(clerk, DISPATCHES, "myDispatches") == 5
