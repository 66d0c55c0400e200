"""Issue 15, plain-row pages (graphql_api/rows.py): the web client's list pages read as plain rows answer exactly
what the model path answers (masked and unmasked, the same audited reads), keep a neighbour's rows out, and fall
back to the model path for fields the rows do not serve."""

import json
from pathlib import Path

import pytest

from graphql_api import connection, rows
from graphql_api.bynodes import ByNodes
from permissions.models import AuditEntry
from tests.permissions.helpers import gid, grant, new_user, org, pk_of, subtree_ids

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
def jobs(monkeypatch):
    """maliang_league_staff's jobs: one queued, one failed with a code, one finished with its result to download.
    Result links are signed at one instant for the whole test: the signature holds the second it was made, and the
    two reads compared (rows, then the model path) may fall in two seconds."""
    from django.core import signing
    from django.utils import timezone

    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda signer: signing.b62_encode(1_764_000_000))

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


def test_the_row_read_past_a_page_to_know_it_has_a_next_is_not_noted_as_read(as_user, built):
    """A page reads one row more than it answers (hasNextPage); a row's values are made as it is completed, so that
    row's personal data is never read, nor noted in the audit."""
    page = post(as_user("maliang_league_staff"), "children.graphql", "ChildRoster", {"first": 1})["children"]

    assert built == ["Child"] and page["pageInfo"]["hasNextPage"] and len(page["edges"]) == 1
    assert [target for _label, target, _org in audited_reads()] == [str(pk_of(page["edges"][0]["node"]["id"]))]


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


# --- the executor's fast path (graphql_api/fastpath.py) -------------------------------------------------------------
# The model path's answer is graphql-core's own completion, field by field; a page of rows is completed in one pass.
# Each answer is compared as the bytes sent, so that key order, aliases and error paths count too.

ODD_SELECTIONS = {
    "aliases": """query { list: children(first: 100) { n: totalCount edges { c: cursor child: node {
        key: id who: name again: name sex kinds: categories org: organization { oid: id label: name } gs: guardians {
        n: name relation } } } } }""",
    "fragments": """query { children(first: 100) { ...Page } }
        fragment Page on ChildConnection { totalCount edges { ...Edge } }
        fragment Edge on ChildEdge { cursor node { ... on Child { id status } ...Row ... { age piiVisible } } }
        fragment Row on Child { name categories needs guardianArrangement organization { ...Org } }
        fragment Org on Organization { id name system kind level depth createdAt parent { id name } }""",
    "typename": """query { children(first: 100) { __typename edges { __typename node { __typename id t: __typename
        organization { __typename id } guardians { __typename name } } } } }""",
    "merged fields": """query { children(first: 100) { edges { node { id organization { id } organization { name }
        name ... on Child { name idNumber } guardians { name } guardians { phone } } } } }""",
}
DIRECTIVES = """query($with: Boolean!, $without: Boolean!) { children(first: 100) {
    totalCount @include(if: $without) edges { node { id name @include(if: $with) idNumber @skip(if: $with)
    organization @skip(if: $without) { id name @include(if: $without) } ... @include(if: $with) { school birthDate }
    ...Guardians @skip(if: $without) } } } }
    fragment Guardians on Child { guardians { name phone @include(if: $with) } }"""
CASES = [(name, query, {}) for name, query in ODD_SELECTIONS.items()] + [
    (f"directives {w}/{wo}", DIRECTIVES, {"with": w, "without": wo}) for w in (True, False) for wo in (True, False)]


def sent(client, query: str, variables: dict) -> bytes:
    response = client.post(query, variables)
    assert response.status_code == 200
    return response.content


def by_both_paths(client, monkeypatch, query: str, variables: dict) -> tuple[tuple[bytes, list], tuple[bytes, list]]:
    """(answer, audited reads) as rows, then by the model path."""
    def answer():
        last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        return sent(client, query, variables), audited_reads(since=last)

    as_rows = answer()
    with monkeypatch.context() as patch:
        patch.setattr(connection.rows, "reader", lambda info: None)
        return as_rows, answer()


@pytest.mark.parametrize("reader", ["county_viewer", "baokang_league_admin"])
@pytest.mark.parametrize("case, query, variables", CASES, ids=[case[0] for case in CASES])
def test_odd_selections_of_rows_answer_byte_for_byte_what_graphql_core_answers(
        request, as_user, monkeypatch, built, completed, reader, case, query, variables):
    client = request.getfixturevalue(reader) if reader == "county_viewer" else as_user(reader)

    (as_rows, row_reads), (as_models, model_reads) = by_both_paths(client, monkeypatch, query, variables)

    assert built == ["Child"] and "Child" in completed  # the page was read as rows and completed by the fast path
    assert b'"errors"' not in as_rows
    assert as_rows == as_models
    assert row_reads == model_reads


def test_a_page_plan_is_made_once_per_selection_and_values_of_its_directives(county_viewer, monkeypatch, built):
    """The plan is cached by the field's nodes and the variables its @include/@skip read: a repeated request takes
    it, another value of a switch makes its own (else a field switched on later would be missing from the row)."""
    made = []
    plan = rows._plan
    monkeypatch.setattr(rows, "_PLANS", ByNodes())
    monkeypatch.setattr(rows, "_plan", lambda info: made.append(info.variable_values) or plan(info))
    switches = [{"with": w, "without": wo} for w in (False, True) for wo in (True, False)]

    for variables in switches * 2:
        (as_rows, _), (as_models, _) = by_both_paths(county_viewer, monkeypatch, DIRECTIVES, variables)
        assert b'"errors"' not in as_rows and as_rows == as_models

    assert made == switches
    assert built == ["Child"] * 8


def test_an_organization_out_of_scope_is_null_on_the_fast_path_as_on_graphql_cores(as_user, monkeypatch, built,
                                                                                   completed):
    from children import services
    from children.models import Child
    from permissions.actor import Actor
    from tests.conftest import user

    shared = Child.objects.get(name="张小明")
    services.share_child(Actor.for_user(user("baokang_league_admin")), child_id=shared.pk, username="huangbao_league_staff")
    query = ODD_SELECTIONS["fragments"]

    (as_rows, _), (as_models, _) = by_both_paths(as_user("huangbao_league_staff"), monkeypatch, query, {})

    assert built == ["Child"] and "Child" in completed and as_rows == as_models
    nodes = [e["node"] for e in json.loads(as_rows)["data"]["children"]["edges"]]
    assert [n["organization"] for n in nodes if n["id"] == gid("Child", shared.pk)] == [None]


def failing(patch, field: str, value) -> None:
    """The first row that shows ``field`` (with a value) answers ``value`` for it, on either path: a child's field
    through the model path's ``privacy.shown`` or the rows' columns as read (``rows._build``), a guardian's name as
    made for both (``guardian_infos``)."""
    from children import privacy
    from graphql_api.children import types

    shown, build, guardians, done = privacy.shown, rows._build, types.guardian_infos, set()

    def broken(name, stored, clear):
        if name == field and stored and field not in done:
            done.add(field)
            return value
        return shown(name, stored, clear)

    def built(plan, found, page, read):
        for columns in found:
            if columns.get(field) and field not in done:
                done.add(field)
                columns[field] = value
        return build(plan, found, page, read)

    def made(rows_, clear):
        infos = guardians(rows_, clear)
        if field == "guardian_name" and infos and infos[0].name and field not in done:
            done.add(field)
            infos[0].name = value
        return infos

    patch.setattr(privacy, "shown", broken)
    patch.setattr(rows, "_build", built)
    patch.setattr(types, "guardian_infos", made)


@pytest.mark.parametrize("field, value, selection", [
    ("birth_date", "not a date", "id born: birthDate name"),  # a nullable leaf that cannot be serialized: null, one error
    ("name", None, "id organization { id } who: name sex"),   # null in a non-null position: up to the nearest nullable
    ("guardian_name", None, "id gs: guardians { relation name }"),  # the same inside a plain object of a row
    ("school", {"not": "a string"}, "id school"),             # a non-null leaf that cannot be serialized
])
def test_errors_on_the_fast_path_are_graphql_cores_errors(as_user, monkeypatch, built, completed, field, value,
                                                          selection):
    query = f"query {{ children(first: 100) {{ totalCount edges {{ cursor node {{ {selection} }} }} }} }}"
    client = as_user("baokang_league_admin")
    failing(monkeypatch, field, value)
    as_rows = sent(client, query, {})
    failing(monkeypatch, field, value)  # the first row again
    monkeypatch.setattr(connection.rows, "reader", lambda info: None)
    as_models = sent(client, query, {})

    assert built == ["Child"] and "Child" in completed
    assert as_rows == as_models
    errors = json.loads(as_rows)["errors"]
    assert len(errors) == 1 and errors[0]["path"][:2] == ["children", "edges"]


@pytest.mark.parametrize("broken", [None, ValueError("炸了")])
def test_an_error_in_a_rows_nested_organization_nulls_it_alone_and_is_located_in_it(
        county_viewer, monkeypatch, built, completed, broken):
    """A row's organization is completed in line with the row (graphql_api/fastpath.py): a null in its non-null name,
    or an error making it, is one error at that name's path (an internal error to the client, logged), and the
    organization (nullable) is null, as graphql-core propagates it; the other rows keep theirs."""
    from graphql_api.guards import RequestErrorCode

    from graphql_api import fastpath
    from graphql_api.orgs.types import ORGANIZATION_ROWS

    monkeypatch.setattr(rows, "_PLANS", ByNodes())  # plans and completions made with the broken field
    monkeypatch.setattr(fastpath, "_COMPILED", ByNodes())
    made = []

    def name(c, page):
        made.append(c["pk"])
        if len(made) > 1:
            return c["name"]
        if isinstance(broken, Exception):
            raise broken
        return broken

    monkeypatch.setitem(ORGANIZATION_ROWS.fields, "name", rows.Field(("name",), name))
    query = "query { children(first: 3) { edges { node { id organization { id name } } } } }"

    answer = json.loads(sent(county_viewer, query, {}))

    assert built == ["Child"] and "Child" in completed
    nodes = [edge["node"] for edge in answer["data"]["children"]["edges"]]
    assert len(nodes) == 3 and nodes[0]["organization"] is None and all(n["organization"]["name"] for n in nodes[1:])
    assert [(e["message"], e["path"]) for e in answer["errors"]] == [
        (RequestErrorCode.INTERNAL_ERROR.value[0], ["children", "edges", 0, "node", "organization", "name"])]


def test_a_selection_keeps_a_bounded_number_of_completions_written_for_plans(county_viewer, monkeypatch):
    """A row's selection keeps the function written for each plan its rows come with; plans made again (rows._PLANS
    let the old ones go) never pile up: past the bound the written ones are dropped and written again."""
    from graphql_api import fastpath

    monkeypatch.setattr(fastpath, "_WRITTEN_PER_SELECTION", 2)
    monkeypatch.setattr(fastpath, "_COMPILED", ByNodes())
    seen = []
    writer = fastpath._Selection.writer
    monkeypatch.setattr(fastpath._Selection, "writer",
                        lambda selection, *args: seen.append(selection) or writer(selection, *args))
    query = "query { children(first: 2) { edges { node { id name } } } }"

    for _ in range(5):
        monkeypatch.setattr(rows, "_PLANS", ByNodes())  # a new plan for every request
        assert len(county_viewer(query)["children"]["edges"]) == 2

    selections = {selection for selection in seen if selection.type_name == "Child"}
    assert len(selections) == 1 and 1 <= len(selections.pop()._written) <= 2


def test_a_rows_completion_is_compiled_once_per_selection_and_each_request_gets_its_own_errors(
        as_user, monkeypatch, built, completed):
    """The compiled completion of a row is shared by the requests that send the same document with the same
    switches; another value of a switch compiles its own (else a field switched on later would be missing); an
    error is located and reported in the answer of the request that met it, never in an earlier one's."""
    from graphql_api import fastpath

    compiled = []
    compile_ = fastpath._compile
    monkeypatch.setattr(fastpath, "_COMPILED", ByNodes())
    monkeypatch.setattr(fastpath, "_compile", lambda executor, object_type, details, row: compiled.append(
        (object_type.name, row, dict(executor.variable_values.coerced))) or compile_(executor, object_type, details, row))
    client = as_user("baokang_league_admin")
    switches = [{"with": w, "without": wo} for w in (False, True) for wo in (True, False)]

    for variables in switches * 2:
        (as_rows, _), (as_models, _) = by_both_paths(client, monkeypatch, DIRECTIVES, variables)
        assert b'"errors"' not in as_rows and as_rows == as_models
    assert [variables for name, row, variables in compiled if name == "Child"] == switches

    query = "query { children(first: 100) { edges { node { id born: birthDate } } } }"
    answers = []
    for broken in (True, False, True):
        with monkeypatch.context() as patch:
            if broken:
                failing(patch, "birth_date", "not a date")
            answers.append(json.loads(sent(client, query, {})))
    first, clean, third = answers
    assert len(first["errors"]) == 1 and "errors" not in clean and third["errors"] == first["errors"]
    assert [edge["node"]["born"] for edge in third["data"]["children"]["edges"]].count(None) == 1


def test_the_deadline_is_checked_before_each_row_not_each_field(as_user, monkeypatch, settings, completed):
    from graphql_api import guards

    checks = []
    monkeypatch.setattr(guards.Deadline, "aborted", property(lambda deadline: checks.append(1) is None and False))
    query = "query { children(first: 100) { totalCount edges { node { id name sex age organization { id name } } } } }"
    page = as_user("baokang_league_admin")(query)["children"]["edges"]
    rows_completed = completed.count("Child")

    assert len(page) == rows_completed >= 3
    assert rows_completed <= len(checks) < rows_completed + 10  # not 7 fields per row

    stop_at = len(checks) - rows_completed + 2  # the root fields' checks, then two rows
    checks.clear()
    monkeypatch.setattr(guards.Deadline, "aborted", property(lambda deadline: checks.append(1) or len(checks) > stop_at))
    response = as_user("baokang_league_admin").post(query)
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["TIMEOUT"]
    assert response.json()["data"] is None


def test_the_optimizer_plans_only_pages_the_rows_do_not_serve(county_viewer, monkeypatch, built):
    from strawberry_django import optimizer

    planned = []
    optimize = optimizer.optimize
    monkeypatch.setattr(optimizer, "optimize", lambda qs, info, **kw: planned.append(qs.model) or optimize(qs, info, **kw))

    county_viewer("query { children(first: 10) { edges { node { id name organization { name } } } } }")
    assert built == ["Child"] and planned == []

    county_viewer(CHILDREN_WITH_FOLLOW_UPS)
    assert built == ["Child"] and planned  # the model path's page, with its prefetch of follow-ups


# Inside a row, anything the fast path does not read itself goes back to graphql-core: a plain object with a resolver
# of its own, an abstract type. A small schema shows it: the same values as rows and as strawberry objects.

def test_what_a_row_holds_beyond_plain_values_is_completed_by_graphql_core(completed):
    from typing import Annotated, Union

    import strawberry

    from graphql_api.guards import BudgetedExecutor

    @strawberry.type
    class Pet:
        name: str

        @strawberry.field
        def loud(self) -> str:
            return self.name.upper()

    @strawberry.type
    class Toy:
        label: str

    Either = Annotated[Union[Pet, Toy], strawberry.union("Either")]

    @strawberry.type
    class Owner:
        name: str
        pet: Pet
        things: list[Either]
        nickname: str | None

    owner_row = type("OwnerRow", (rows.Row,), {"__slots__": (), "type_name": "Owner"})
    values = [{"name": "甲", "pet": Pet(name="rex"), "things": [Toy(label="ball"), Pet(name="tom")], "nickname": None},
              {"name": "乙", "pet": Pet(name="kit"), "things": [], "nickname": "小乙"}]
    as_rows = None

    @strawberry.type
    class Query:
        @strawberry.field
        def owners(self) -> list[Owner]:
            return [owner_row(dict(v)) for v in values] if as_rows else [Owner(**v) for v in values]

    schema = strawberry.Schema(query=Query, execution_context_class=BudgetedExecutor)
    query = """{ owners { __typename n: name pet { name loud } things { __typename ... on Pet { loud }
                ... on Toy { label } } nickname } }"""

    as_rows = False
    expected = schema.execute_sync(query)
    as_rows = True
    answer = schema.execute_sync(query)

    assert expected.errors is None and answer.errors is None
    assert completed == ["Owner", "Owner"]  # the rows by the fast path, what they hold by graphql-core
    assert answer.data == expected.data
    assert answer.data["owners"][0]["things"] == [{"__typename": "Toy", "label": "ball"},
                                                 {"__typename": "Pet", "loud": "TOM"}]


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
