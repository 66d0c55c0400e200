"""Issue 15, plain-row pages (graphql_api/rows.py): the web client's list pages read as plain rows answer exactly
what the model path answers (masked and unmasked, the same audited reads), keep a neighbour's rows out, and fall
back to the model path for fields the rows do not serve."""

from pathlib import Path

import pytest

from graphql_api import connection, rows
from permissions.models import AuditEntry
from tests.permissions.helpers import grant, new_user, org, pk_of, subtree_ids

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = ROOT / "frontend_schema" / "operations"

pytestmark = pytest.mark.django_db

PAGES = [("children.graphql", "ChildRoster", "children"), ("wishes.graphql", "WishBoard", "wishes"),
         ("wishes.graphql", "PublishedWishes", "publishedWishes"),
         ("organizations.graphql", "OrganizationList", "organizations"),
         ("programs.graphql", "Volunteers", "volunteers"), ("programs.graphql", "ServiceRecords", "serviceRecords"),
         ("programs.graphql", "Pairings", "pairings"), ("programs.graphql", "Activities", "activities"),
         ("access.graphql", "AuditEntries", "auditEntries"), ("jobs.graphql", "MyJobs", "myJobs")]
TYPES = {"children": "Child", "wishes": "Wish", "publishedWishes": "PublishedWish", "organizations": "Organization",
         "volunteers": "Volunteer", "serviceRecords": "ServiceRecord",
         "pairings": "Pairing", "activities": "Activity", "auditEntries": "AuditEntry", "myJobs": "Job"}


@pytest.fixture
def county_viewer(as_user):
    """A VIEWER over the whole county: every child masked."""
    new_user("baokang_viewer")
    grant("baokang_viewer", org("共青团保康县委"), "VIEWER")
    return as_user("baokang_viewer")


@pytest.fixture
def jobs():
    """maliang_league_staff's jobs: one queued, one failed with a code, one finished with its result to download."""
    from django.utils import timezone

    from jobs.models import Job, Kind, State
    from tests.conftest import user

    staff = user("maliang_league_staff")
    Job.objects.create(kind=Kind.CHILDREN_IMPORT, actor_user=staff)
    Job.objects.create(kind=Kind.CHILDREN_IMPORT, actor_user=staff, state=State.FAILED, error="太多行", error_code="TOO_MANY_ROWS")
    Job.objects.create(kind=Kind.CHILDREN_EXPORT, actor_user=staff, state=State.SUCCEEDED, result_file="x.xlsx",
                       finished_at=timezone.now(), progress_done=3, progress_total=3)


@pytest.fixture
def built(monkeypatch):
    """The type names of the pages built as rows during the test."""
    seen = []
    build = rows._build
    monkeypatch.setattr(rows, "_build", lambda plan, *args: seen.append(plan.spec.type_name) or build(plan, *args))
    return seen


def post(client, document: str, operation: str, variables: dict) -> dict:
    response = client.client.post("/graphql", {"query": (OPERATIONS / document).read_text(), "variables": variables,
                                               "operationName": operation}, content_type="application/json",
                                  **client.headers)
    payload = response.json()
    assert response.status_code == 200 and "errors" not in payload, payload
    return payload["data"]


def audited_reads(since: int = 0) -> list[tuple]:
    return sorted(AuditEntry.objects.filter(action="pii.read", pk__gt=since).values_list(
        "target_type", "target_id", "organization_id"))


def answer_and_reads(client, document, operation, variables):
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    data = post(client, document, operation, variables)
    return data, audited_reads(since=last)


# who may read the log at all; whose jobs (the ``jobs`` fixture) there are
READERS = {"auditEntries": ["auditor_baokang", "baokang_league_admin"], "myJobs": ["maliang_league_staff"]}


@pytest.mark.parametrize("document, operation, field, reader", [
    (*page, reader) for page in PAGES
    for reader in READERS.get(page[2], ["county_viewer", "baokang_league_admin", "maliang_league_staff"])])
def test_a_page_of_rows_answers_what_the_model_path_answers_with_the_same_audited_reads(
        request, as_user, monkeypatch, built, jobs, document, operation, field, reader):
    client = request.getfixturevalue(reader) if reader == "county_viewer" else as_user(reader)
    variables = {"first": 100}

    as_rows, row_reads = answer_and_reads(client, document, operation, variables)
    assert set(built) == {TYPES[field]}
    monkeypatch.setattr(connection.rows, "reader", lambda info: None)  # the model path, as before issue 15
    as_models, model_reads = answer_and_reads(client, document, operation, variables)

    assert as_rows == as_models
    assert row_reads == model_reads
    assert as_rows[field]["totalCount"] >= len(as_rows[field]["edges"]) >= 1


def test_a_county_viewer_reads_every_child_masked_and_unaudited(county_viewer, built):
    page = post(county_viewer, "children.graphql", "ChildRoster", {"first": 100})["children"]

    assert built == ["Child"] and len(page["edges"]) == page["totalCount"] >= 3
    for node in (edge["node"] for edge in page["edges"]):
        assert node["piiVisible"] is False and "*" in node["name"]
        assert node["school"] in ("", "****") and "*" in node["idNumber"] + "*"
        assert all("*" in g["name"] for g in node["guardians"])
    assert audited_reads() == []


def test_staff_read_their_childrens_names_in_clear_and_each_read_is_audited_once(as_user, built):
    page = post(as_user("maliang_league_staff"), "children.graphql", "ChildRoster", {"first": 100})["children"]

    names = {edge["node"]["name"] for edge in page["edges"]}
    assert built == ["Child"] and "张小明" in names
    assert [target for _label, target, _org in audited_reads()] == sorted(
        str(pk_of(edge["node"]["id"])) for edge in page["edges"])


@pytest.mark.parametrize("document, operation, field", [page for page in PAGES if page[2] not in READERS])
def test_a_neighbour_townships_rows_never_appear(as_user, built, document, operation, field):
    mine = post(as_user("maliang_league_staff"), document, operation, {"first": 100})[field]["edges"]
    theirs = post(as_user("huangbao_league_staff"), document, operation, {"first": 100})[field]["edges"]

    assert built
    assert not {e["node"]["id"] for e in mine} & {e["node"]["id"] for e in theirs}
    owned = [e["node"]["organization"] if "organization" in e["node"] else e["node"] for e in mine]
    if field not in ("publishedWishes", "serviceRecords"):  # these name a place, not an organization
        maliang = subtree_ids(org("马良镇团委").pk)
        assert owned and all(pk_of(o["id"]) in maliang for o in owned)


CHILDREN_WITH_FOLLOW_UPS = """query { children(first: 100) { totalCount edges { node { id name followUps { note } } } } }"""


def test_a_field_the_rows_do_not_serve_takes_the_model_path_with_the_same_masking(county_viewer, as_user, built):
    masked = county_viewer(CHILDREN_WITH_FOLLOW_UPS)["children"]
    clear = as_user("baokang_league_admin")(CHILDREN_WITH_FOLLOW_UPS)["children"]

    assert built == []
    assert masked["totalCount"] == clear["totalCount"] == len(masked["edges"])
    assert all("*" in e["node"]["name"] for e in masked["edges"])
    assert {e["node"]["name"] for e in clear["edges"]} >= {"张小明"}


def test_a_units_dispatches_as_rows_are_the_model_paths_and_only_its_own(as_user, as_token, demo_token, monkeypatch, built):
    from tests.wishes.helpers import wish_in
    from tests.wishes.test_dispatch_and_escalation import dispatch
    from wishes.models import State

    admin = as_user("baokang_league_admin")
    ours = [dispatch(admin, wish_in(State.PUBLISHED, value=str(100 + n)))["dispatchId"] for n in range(2)]
    dispatch(admin, wish_in(State.PUBLISHED, value="90"), unit_name="保康县电力公司")
    partner = as_token(demo_token)

    as_rows = post(partner, "wishes.graphql", "MyDispatches", {"first": 50})["myDispatches"]
    monkeypatch.setattr(connection.rows, "reader", lambda info: None)
    as_models = post(partner, "wishes.graphql", "MyDispatches", {"first": 50})["myDispatches"]

    assert built == ["UnitDispatch"] and as_rows == as_models
    assert sorted(e["node"]["dispatchId"] for e in as_rows["edges"]) == sorted(ours)
    assert {e["node"]["unitName"] for e in as_rows["edges"]} == {"保康县农商行"}


def test_a_shared_file_shows_on_the_page_masked_among_the_readers_own_children_in_clear(as_user, monkeypatch, built):
    from children import services
    from children.models import Child
    from permissions.actor import Actor
    from tests.conftest import user

    shared = Child.objects.get(name="张小明")
    services.share_child(Actor.for_user(user("baokang_league_admin")), child_id=shared.pk, username="huangbao_league_staff")
    huangbao = as_user("huangbao_league_staff")

    as_rows, row_reads = answer_and_reads(huangbao, "children.graphql", "ChildRoster", {"first": 100})
    monkeypatch.setattr(connection.rows, "reader", lambda info: None)
    as_models, model_reads = answer_and_reads(huangbao, "children.graphql", "ChildRoster", {"first": 100})

    assert built == ["Child"] and as_rows == as_models and row_reads == model_reads
    nodes = {pk_of(e["node"]["id"]): e["node"] for e in as_rows["children"]["edges"]}
    assert nodes[shared.pk]["name"] == "张*明" and nodes[shared.pk]["piiVisible"] is False
    assert nodes[shared.pk]["organization"] is None  # 马良镇's organization stays out of 黄堡镇's scope
    own = [node for pk, node in nodes.items() if pk != shared.pk]
    assert own and all(node["piiVisible"] for node in own)
    assert str(shared.pk) not in [target for _label, target, _org in row_reads]



@pytest.fixture
def claims(demo_token):
    """Claims of every kind on a delivered wish whose child's guardian consented to photos (a photo taken): the
    demo donor's and 保康县农商行's (by its token); 保康县电力公司's (by its member huangbao_league_staff) on
    another wish."""
    from decimal import Decimal

    from django.utils import timezone

    from children import services as child_services
    from children.models import Child
    from demo.data import DEMO_DONOR
    from donors import services as donor_services
    from permissions import services as access_services, tokens
    from permissions.actor import Actor
    from tests.conftest import user
    from tests.donors.test_donors import jpeg
    from tests.permissions.helpers import SYSTEM
    from tests.wishes.helpers import wish_in
    from wishes import services as wish_services
    from wishes.models import State

    child = Child.objects.get(name="张小明")
    child_services.record_consent(SYSTEM, child_id=child.pk, given_by="张德厚", relation="祖父",
                                  given_on=timezone.localdate(), photos=True)
    photographed = wish_in(State.PUBLISHED, child_id=child.pk, value="120", title="一个新书包")
    donor_services.claim(Actor.for_user(user(DEMO_DONOR.username)), wish_ids=[photographed.pk], shares=[Decimal("50")])
    wish_services.claim_wishes(Actor.for_token(tokens.authenticate(demo_token)[0]), wish_ids=[photographed.pk])
    wish_services.record_delivery(SYSTEM, wish_id=photographed.pk, note="已送到", uploads=[jpeg()])
    neighbour = org("保康县电力公司")
    access_services.grant_role(SYSTEM, organization_id=org("共青团保康县委").pk, role="PARTNER", unit_id=neighbour.pk)
    access_services.add_unit_member(SYSTEM, unit_id=neighbour.pk, username="huangbao_league_staff")
    wish_services.claim_wishes(Actor.for_user(user("huangbao_league_staff")), unit_id=neighbour.pk,
                               wish_ids=[wish_in(State.PUBLISHED, value="90", title="一副球拍").pk])




@pytest.mark.parametrize("operation, field, claimant, label, titles", [
    ("MyClaims", "myClaims", "demo donor", None, {"一个新书包"}),
    ("UnitClaims", "unitClaims", "partner token", "保康县农商行", {"一个新书包"}),
    ("UnitClaims", "unitClaims", "huangbao_league_staff", "保康县电力公司", {"一副球拍"})])
def test_a_page_of_claims_as_rows_is_the_model_paths_and_only_the_claimants_own(
        claims, as_user, as_token, demo_token, monkeypatch, built, operation, field, claimant, label, titles):
    from demo.data import DEMO_DONOR

    reader = {"demo donor": lambda: as_user(DEMO_DONOR.username), "partner token": lambda: as_token(demo_token)}.get(
        claimant, lambda: as_user(claimant))()

    as_rows = post(reader, "donors.graphql", operation, {"first": 50})[field]
    monkeypatch.setattr(connection.rows, "reader", lambda info: None)
    as_models = post(reader, "donors.graphql", operation, {"first": 50})[field]

    assert built == ["DonorClaim"] and unsigned(as_rows) == unsigned(as_models)
    nodes = [e["node"] for e in as_rows["edges"]]
    assert as_rows["totalCount"] == len(nodes) and titles <= {n["wishTitle"] for n in nodes}
    if label is not None:  # a unit's page: its own claims only, none of the other unit's
        assert {n["donorLabel"] for n in nodes} == {label}
        assert not {n["wishTitle"] for n in nodes} & ({"一个新书包", "一副球拍"} - titles)
    photographed = next(n for n in nodes if n["wishTitle"] in titles)
    assert len(photographed["photos"]) == (1 if "一个新书包" in titles else 0)
    if claimant != "partner token":  # a token is for the GraphQL endpoint only (permissions/middleware.py)
        assert all(reader.client.get(p["url"]).status_code == 200 for p in photographed["photos"])


def unsigned(page: dict) -> dict:
    """A page with its photo links' signatures cut (they carry the second they were signed in)."""
    return {**page, "edges": [{"node": {**e["node"], "photos": [p["url"].split("?sig=")[0] for p in e["node"]["photos"]]}}
                              for e in page["edges"]]}

