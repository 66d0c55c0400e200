"""Issue 14, items 2, 3 and 7: what a reader without the personal-data permission may learn, and no more.

The attack: a VIEWER saw the birth date beside the masked ID number, leaving ~9 candidates, and confirmed the
right one with the idNumber filter; namePrefix rebuilt a masked name; the audit log showed children's data in
clear; de-duplication told a city elsewhere which village keeps a child."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from children import services
from children.models import Child, Transfer
from demo.data import id_number
from permissions.actor import Actor
from permissions.models import AuditEntry
from tests.conftest import user
from tests.permissions.helpers import gid, grant, org

pytestmark = pytest.mark.django_db

ROSTER = """query($filters: ChildFilter) { children(first: 50, filters: $filters) { totalCount edges { node {
  name idNumber birthDate age sex school grade parentsWorkPlace homeDivisionCode piiVisible guardians { name phone }
} } } }"""


@pytest.fixture
def viewer(as_user):
    """A VIEWER of 保康's league tree: rows, never personal data."""
    get_user_model().objects.create_user("baokang_reader", password="x")
    grant("baokang_reader", org("共青团保康县委"), "VIEWER")
    return as_user("baokang_reader")


def roster(client, **filters):
    return client(ROSTER, {"filters": filters})["children"]


def test_a_masked_reader_learns_age_and_sex_but_not_the_birth_date_school_or_work_place(viewer):
    rows = {row["idNumber"]: row for row in (e["node"] for e in roster(viewer)["edges"])}
    ming = rows["4206**********123" + id_number("420626", "20140503", 123)[-1]]
    assert ming["name"] == "张*明" and ming["piiVisible"] is False
    assert ming["birthDate"] is None
    assert ming["age"] >= 12 and ming["sex"] == "MALE" and ming["grade"] == "五年级"
    assert ming["school"] == "****" and ming["parentsWorkPlace"] == "****"
    assert ming["guardians"] == [{"name": "张*厚", "phone": "139****5678"}]
    assert not AuditEntry.objects.filter(action="pii.read").exists()


def test_staff_with_the_permission_see_it_all_and_the_read_is_audited(as_user):
    rows = roster(as_user("maliang_league_staff"), namePrefix="张")["edges"]
    assert [r["node"]["birthDate"] for r in rows] == ["2014-05-03"]
    assert rows[0]["node"]["school"] == "马良镇中心小学"
    assert AuditEntry.objects.filter(action="pii.read", target_id=str(Child.objects.get(name="张小明").pk)).exists()


@pytest.mark.parametrize("filters", [
    {"idNumber": id_number("420626", "20140503", 123)},
    {"namePrefix": "张"},
    {"namePrefix": "张小"},
    {"school": "马良镇中心小学"},
])
def test_a_filter_on_a_masked_value_confirms_nothing_to_a_masked_reader(viewer, as_user, filters):
    # the right guess finds nothing for the VIEWER: exactly what a wrong guess finds
    assert roster(viewer, **filters)["totalCount"] == 0
    # the same filter works for staff who may see the data anyway
    assert roster(as_user("maliang_league_staff"), **filters)["totalCount"] >= 1


def test_with_the_permission_on_part_of_the_scope_a_filter_reaches_only_that_part(as_user):
    # a VIEWER over 保康 who is also STAFF (with PII) at 马良镇 only
    get_user_model().objects.create_user("split_reader", password="x")
    grant("split_reader", org("共青团保康县委"), "VIEWER")
    grant("split_reader", org("马良镇团委"), "STAFF")
    client = as_user("split_reader")
    assert roster(client, idNumber=id_number("420626", "20140503", 123))["totalCount"] == 1  # 马良坪村: clear there
    assert roster(client, idNumber=id_number("420626", "20130711", 35))["totalCount"] == 0  # 黄堡村: masked there
    assert roster(client)["totalCount"] == 4  # and the roster itself still lists every visible child


def test_the_roster_export_masks_by_the_same_policy(viewer, settings, django_capture_on_commit_callbacks):
    settings.JOBS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        job_id = viewer("mutation { exportChildren(input: {}) { job { id } errors { code } } }")["exportChildren"]["job"]["id"]
    url = viewer("query($id: ID!) { job(id: $id) { resultUrl } }", {"id": job_id})["job"]["resultUrl"]
    content = b"".join(viewer.client.get(url).streaming_content)
    rows = list(openpyxl.load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    header = next(r for r in rows if r and "姓名" in r)
    ming = next(r for r in rows if r and r[header.index("姓名")] == "张*明")
    assert ming[header.index("出生日期")] in ("", None)
    assert ming[header.index("学校")] == "****" and ming[header.index("父母务工地")] == "****"


# 3. The audit log masks per reader --------------------------------------------------------------------------

AUDIT = """query { auditEntries(first: 50, filters: {action: "child.create"}) { edges { node { targetId changes } } } }"""


def test_the_audit_log_masks_children_data_for_an_auditor_without_the_permission(as_user):
    ming = str(Child.objects.get(name="张小明").pk)
    masked = {e["node"]["targetId"]: e["node"]["changes"] for e in as_user("auditor_baokang")(AUDIT)["auditEntries"]["edges"]}
    assert masked[ming]["name"] == "张*明"
    assert masked[ming]["birth_date"] is None
    assert masked[ming]["school"] == "****" and masked[ming]["parents_work_place"] == "****"
    assert masked[ming]["grade"] == "五年级"  # what the policy allows stays
    clear = {e["node"]["targetId"]: e["node"]["changes"] for e in as_user("baokang_league_admin")(AUDIT)["auditEntries"]["edges"]}
    assert clear[ming]["name"] == "张小明" and clear[ming]["birth_date"] == "2014-05-03"


def test_an_update_diff_is_masked_on_both_sides(as_user):
    ming = Child.objects.get(name="张小明")
    services.update_child(Actor.system("test"), child_id=ming.pk, school="保康县实验小学")
    query = """query { auditEntries(first: 5, filters: {action: "child.update"}) { edges { node { changes } } } }"""
    [entry] = as_user("auditor_baokang")(query)["auditEntries"]["edges"]
    assert entry["node"]["changes"] == {"school": ["****", "****"]}


# 7. De-duplication tells the registering staff only what they may know -------------------------------------

CREATE = """mutation($input: CreateChildInput!) { createChild(input: $input) { child { id } errors { field code message } } }"""


def register(client, organization, number):
    return client(CREATE, {"input": {"organizationId": gid("Organization", org(organization).pk), "name": "测试儿童",
                                     "sex": "MALE", "idNumber": number, "guardianArrangement": "GRANDPARENTS",
                                     "categories": ["LEFT_BEHIND"]}})["createChild"]["errors"]


MING = id_number("420626", "20140503", 123)  # kept by 马良坪村团支部 in 保康's league tree


def test_inside_the_same_county_tree_the_keeper_is_named(as_user):
    [error] = register(as_user("huangbao_league_staff"), "黄堡村团支部", MING)
    assert error["code"] == "ALREADY_REGISTERED" and "马良坪村团支部" in error["message"]


@pytest.mark.parametrize("username, organization", [("huaihua_wf_admin", "颜容村妇联"), ("baokang_wf_staff", "马良坪村妇联")])
def test_elsewhere_only_the_county_body_to_ask_is_told(as_user, username, organization):
    [error] = register(as_user(username), organization, MING)
    assert error["code"] == "REGISTERED_ELSEWHERE"
    assert "共青团保康县委" in error["message"]
    assert "马良" not in error["message"]


def test_an_import_row_tells_no_more_than_the_form(as_user):
    keeper_elsewhere = Child(name="测试", sex="MALE", id_number=MING, guardian_arrangement="GRANDPARENTS", categories=[])
    services.validate(keeper_elsewhere)
    errors = services.register_many(Actor.for_user(user("huaihua_wf_admin")), org("颜容村妇联"), [("row 2", keeper_elsewhere, [])])
    assert errors["row 2"].code.name == "REGISTERED_ELSEWHERE"
    assert "马良" not in errors["row 2"].rendered()[0][2]


TRANSFERS = "{ transfers(first: 10) { edges { node { id state childName childAge fromOrganizationName } } } }"


def test_a_transfer_request_shows_the_requester_nothing_of_the_child_until_the_keeper_accepts(as_user):
    services.request_transfer_in(Actor.for_user(user("huaihua_wf_admin")), to_organization_id=org("颜容村妇联").pk,
                                 id_number=MING, reason="随父母迁入")
    [seen] = [e["node"] for e in as_user("huaihua_wf_admin")(TRANSFERS)["transfers"]["edges"]]
    assert seen["childName"] is None and seen["childAge"] is None
    assert seen["fromOrganizationName"] == "共青团保康县委"
    [keeper_view] = [e["node"] for e in as_user("maliang_league_staff")(TRANSFERS)["transfers"]["edges"]]
    assert keeper_view["childName"] == "张*明" and keeper_view["fromOrganizationName"] == "马良坪村团支部"
    accepted = as_user("maliang_league_staff")(
        "mutation($id: ID!) { acceptTransfer(input: {id: $id}) { errors { code } } }", {"id": keeper_view["id"]})
    assert accepted["acceptTransfer"]["errors"] == []
    [after] = [e["node"] for e in as_user("huaihua_wf_admin")(TRANSFERS)["transfers"]["edges"]]
    assert after["childName"] == "张*明" and after["fromOrganizationName"] == "马良坪村团支部"
    assert Transfer.objects.get().state == "ACCEPTED"
