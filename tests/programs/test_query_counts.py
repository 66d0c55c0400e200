"""A page of each program connection costs the same number of queries whatever the number of rows on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs import pairings
from tests.programs.helpers import SYSTEM, activity, big_hand, campaign, home, record, volunteer

pytestmark = pytest.mark.django_db

PAGES = {
    "volunteers": ("volunteers(first: 50)", "id name phone origin confirmedHours organization { name }"),
    "pairings": ("pairings(first: 50)", "id kind cardNumber overdue dueBy volunteerName organization { name } "
                 "checklist { item done } contacts { kind }"),
    "activities": ("activities(first: 50)", "id title kind campaignTitle siteName childrenCount volunteersCount "
                   "volunteerNames photos { url }"),
    "campaigns": ("campaigns(first: 50)", "id title announcerName coveredOrganizationNames reportOverdue attachments { url }"),
    "serviceRecords": ("serviceRecords(first: 50)", "id hours confirmed volunteerName placeName organization { name }"),
}


def add(kind: str, site):
    if kind == "volunteers":
        volunteer("马良镇团委")
    elif kind == "pairings":
        pairing = big_hand("马良镇团委")
        pairings.tick(SYSTEM, pairing_id=pairing.pk, item="WEEKEND", done_on=pairing.started_on)
    elif kind == "activities":
        activity("马良镇团委", campaign_id=campaign("马良镇团委").pk, happy_home_id=site.pk)
    elif kind == "campaigns":
        campaign("马良镇团委", covered=("马良坪村团支部",))
    elif kind == "serviceRecords":
        record(site, volunteer("马良镇团委"), "2", confirm=True)


def cost(client, field: str, selection: str) -> tuple[int, int]:
    query = f"query {{ page: {field} {{ totalCount edges {{ node {{ {selection} }} }} }} }}"
    with CaptureQueriesContext(connection) as captured:
        data = client(query)["page"]
    return len(captured), data["totalCount"]


@pytest.mark.parametrize("kind", list(PAGES))
def test_a_page_costs_the_same_queries_however_many_rows(as_user, kind):
    field, selection = PAGES[kind]
    site = home("马良镇团委")
    client = as_user("maliang_league_staff")
    add(kind, site)
    cost(client, field, selection)  # warm: the session's user and the cached scope
    few, n_few = cost(client, field, selection)
    for _ in range(4):
        add(kind, site)
    many, n_many = cost(client, field, selection)
    assert n_many == n_few + 4
    assert many == few, (kind, few, many)


def test_a_page_of_service_points_with_their_figures_is_a_constant_number_of_queries(as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.programs.helpers import point, project, record, volunteer

    query = """{ servicePoints(first: 50) { edges { node { name figures { volunteers serviceHours moneyRaised } } } } }"""
    client = as_user("baokang_league_admin")
    client(query)
    counts = []
    made = project()
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            client(query)
        counts.append(len(queries))
        for _ in range(3):
            place = point(made)
            helper = volunteer()
            place.volunteers.add(helper)
            record(place, helper, confirm=True)
    assert counts[0] == counts[1]
    data = client(query)["servicePoints"]["edges"]
    assert sum(1 for e in data if e["node"]["figures"]["volunteers"] == 1 and e["node"]["figures"]["serviceHours"] == "3.0") >= 3
