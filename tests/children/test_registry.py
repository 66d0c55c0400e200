"""The children's registry: ID validation, encryption at rest, masking, PII audit, de-duplication, sharing."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from strawberry import relay

from children import idcard, services
from children.models import Child
from core.errors import ServiceError
from demo.data import id_number
from permissions import services as access_services
from permissions.actor import Actor
from permissions.models import AuditEntry
from permissions.scope import bump_version
from tests.conftest import user
from tests.permissions.helpers import org

pytestmark = pytest.mark.django_db

CHILDREN = """
query Children($filters: ChildFilter) {
  children(first: 100, filters: $filters) {
    totalCount
    edges { node { id name idNumber piiVisible organization { name } guardians { name phone } } }
  }
}"""

CHILD = "query($id: ID!) { child(id: $id) { name idNumber } }"

CREATE = """
mutation($input: CreateChildInput!) {
  createChild(input: $input) { child { id name birthDate organization { name } } errors { field code message } }
}"""


def gid(type_name, pk):
    return str(relay.GlobalID(type_name, str(pk)))


def new_child_input(organization, number, name="孙小红", sex="FEMALE"):
    return {"organizationId": gid("Organization", organization.pk), "name": name, "sex": sex, "idNumber": number,
            "guardianArrangement": "GRANDPARENTS", "categories": ["LEFT_BEHIND"],
            "guardians": [{"name": "孙大爷", "relation": "祖父", "phone": "13911112222"}]}


@pytest.mark.parametrize("number", ["11010519491231002X", "420626201405031231", " 42062620140503001x "])
def test_valid_id_numbers_including_x(number):
    assert idcard.problem(idcard.normalize(number), date(2026, 11, 26)) is None


@pytest.mark.parametrize("number, problem", [
    ("420626201405031232", "CHECK_DIGIT"),
    ("42062620140503123", "LENGTH"),
    ("4206262014050312311", "LENGTH"),
    ("42062620140231123X", "BIRTH_DATE"),  # 31 February
    ("420626203001011230", "BIRTH_DATE"),  # in the future
    ("990626201405031231", "REGION"),
])
def test_invalid_id_numbers(number, problem):
    assert idcard.problem(idcard.normalize(number), date(2026, 11, 26)) == problem


def test_birth_date_and_sex_are_cross_checked(as_user):
    staff = as_user("maliang_league_staff")
    variables = {"input": {**new_child_input(org("马良镇团委"), id_number("420626", "20150606", 12)),
                           "birthDate": "2015-06-07", "sex": "MALE"}}
    errors = staff(CREATE, variables)["createChild"]["errors"]
    assert {e["code"] for e in errors} == {"ID_BIRTH_DATE_MISMATCH", "ID_SEX_MISMATCH"}


def test_bad_then_good_id_number_over_graphql(as_user):
    staff = as_user("maliang_league_staff")
    good = id_number("420626", "20150606", 12)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    result = staff(CREATE, {"input": new_child_input(org("马良镇团委"), bad)})["createChild"]
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("idNumber", "INVALID_ID_CHECK_DIGIT")]
    assert "校验位" in result["errors"][0]["message"]
    created = staff(CREATE, {"input": new_child_input(org("马良镇团委"), good)})["createChild"]
    assert created["errors"] == [] and created["child"]["birthDate"] == "2015-06-06"


def test_personal_data_is_encrypted_at_rest(as_user):
    number = id_number("420626", "20150606", 12)
    as_user("maliang_league_staff")(CREATE, {"input": new_child_input(org("马良镇团委"), number)})
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_index FROM children_child WHERE name = %s", ["孙小红"])
        raw_number, raw_index = cursor.fetchone()
        cursor.execute("SELECT phone FROM children_guardian WHERE name = %s", ["孙大爷"])
        raw_phone = cursor.fetchone()[0]
    assert number not in raw_number and number not in raw_index and "13911112222" not in raw_phone
    assert Child.objects.get(name="孙小红").id_number == number


def test_masked_without_pii_permission_and_clear_with_it(as_user):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("maliang_viewer", password="x")
    access_services.grant_role(Actor.system("test"), organization_id=org("马良镇团委").pk, role="VIEWER", username="maliang_viewer")
    masked = as_user("maliang_viewer")(CHILDREN)["children"]["edges"]
    clear = as_user("maliang_league_staff")(CHILDREN)["children"]["edges"]
    assert len(masked) == len(clear) == Child.objects.filter(org_path__startswith=org("马良镇团委").path).count() > 0
    by_id = {e["node"]["id"]: e["node"] for e in clear}
    for edge in masked:
        node, full = edge["node"], by_id[edge["node"]["id"]]
        assert node["piiVisible"] is False and full["piiVisible"] is True
        assert node["name"][0] == full["name"][0] and "*" in node["name"] and node["name"] != full["name"]
        assert node["idNumber"] == full["idNumber"][:4] + "*" * 10 + full["idNumber"][-4:]
        assert node["guardians"][0]["phone"] == full["guardians"][0]["phone"][:3] + "****" + full["guardians"][0]["phone"][-4:]


def test_each_unmasked_read_is_audited_and_masked_reads_are_not(as_user):
    before = AuditEntry.objects.filter(action="pii.read").count()
    rows = as_user("maliang_league_staff")(CHILDREN)["children"]["edges"]
    entries = AuditEntry.objects.filter(action="pii.read").order_by("id")[before:]
    assert len(entries) == len(rows) and {e.actor_label for e in entries} == {"马良镇团委干部"}
    assert {e.target_id for e in entries} == {relay.GlobalID.from_id(r["node"]["id"]).node_id for r in rows}
    count = AuditEntry.objects.filter(action="pii.read").count()
    as_user("xiangyang_league_viewer")(CHILDREN)
    assert AuditEntry.objects.filter(action="pii.read").count() == count


def test_neighbours_and_rollup_viewers_see_no_rows(as_user):
    maliang_ids = {e["node"]["id"] for e in as_user("maliang_league_staff")(CHILDREN)["children"]["edges"]}
    huangbao = as_user("huangbao_league_staff")
    assert maliang_ids and not maliang_ids & {e["node"]["id"] for e in huangbao(CHILDREN)["children"]["edges"]}
    for child_id in maliang_ids:
        assert huangbao(CHILD, {"id": child_id})["child"] is None
        assert as_user("baokang_wf_staff")(CHILD, {"id": child_id})["child"] is None
        update = huangbao('mutation($id: ID!) { updateChild(input: {id: $id, school: "x"}) { errors { code } } }', {"id": child_id})
        assert update["updateChild"]["errors"] == [{"code": "NOT_FOUND"}]
    assert as_user("xiangyang_league_viewer")(CHILDREN)["children"]["totalCount"] == 0


def test_duplicate_names_the_owner_without_leaking_personal_data(as_user):
    existing = Child.objects.get(name="王磊")  # registered with 黄堡村团支部
    result = as_user("maliang_league_staff")(CREATE, {"input": new_child_input(org("马良镇团委"), existing.id_number, name="王小磊", sex="MALE")})
    [error] = result["createChild"]["errors"]
    assert error["code"] == "ALREADY_REGISTERED" and "黄堡村团支部" in error["message"]
    assert "王磊" not in error["message"] and existing.id_number not in error["message"]
    assert Child.objects.filter(id_index=existing.id_index).count() == 1


def test_filters_by_exact_id_number_and_name_prefix(as_user):
    staff = as_user("baokang_league_admin")
    target = Child.objects.get(name="张小明")
    found = staff(CHILDREN, {"filters": {"idNumber": target.id_number.lower()}})["children"]["edges"]
    assert [e["node"]["name"] for e in found] == ["张小明"]
    assert {e["node"]["name"] for e in staff(CHILDREN, {"filters": {"namePrefix": "张"}})["children"]["edges"]} == {"张小明"}
    in_difficulty = staff(CHILDREN, {"filters": {"category": "IN_DIFFICULTY"}})["children"]["edges"]
    assert [e["node"]["name"] for e in in_difficulty] == ["李芳"]


def test_sharing_one_record_with_expiry(as_user):
    child = Child.objects.get(name="张小明")
    huangbao = as_user("huangbao_league_staff")
    assert huangbao(CHILD, {"id": gid("Child", child.pk)})["child"] is None
    shared = as_user("baokang_league_admin")(
        'mutation($input: ShareChildInput!) { shareChild(input: $input) { ok errors { code } } }',
        {"input": {"childId": gid("Child", child.pk), "username": "huangbao_league_staff",
                   "expiresAt": (timezone.now() + timedelta(days=7)).isoformat()}})["shareChild"]
    assert shared == {"ok": True, "errors": []}
    seen = huangbao(CHILD, {"id": gid("Child", child.pk)})["child"]
    assert seen is not None and "*" in seen["name"]  # shared masked: no PII permission comes with it
    assert len(huangbao(CHILDREN)["children"]["edges"]) == 2  # its own child plus the shared one
    from children.models import ChildUserGrant

    ChildUserGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    bump_version()
    assert huangbao(CHILD, {"id": gid("Child", child.pk)})["child"] is None


def test_sharing_needs_member_management_over_the_record():
    child = Child.objects.get(name="张小明")
    with pytest.raises(ServiceError) as caught:
        services.share_child(Actor.for_user(user("huangbao_league_staff")), child_id=child.pk, username="maliang_league_staff")
    assert caught.value.code.name == "NOT_FOUND"
    with pytest.raises(ServiceError) as caught:
        services.share_child(Actor.for_user(user("maliang_league_staff")), child_id=child.pk, username="huangbao_league_staff")
    assert caught.value.code.name == "PERMISSION_DENIED"


def test_partner_token_sees_no_child_rows(as_token, demo_token):
    response = as_token(demo_token).post(CHILDREN)
    assert response.json()["data"]["children"]["totalCount"] == 0


def test_update_and_close_are_audited(as_user):
    child = Child.objects.get(name="赵婷婷")
    staff = as_user("maliang_league_staff")
    staff('mutation($id: ID!) { updateChild(input: {id: $id, grade: "四年级"}) { errors { code } } }', {"id": gid("Child", child.pk)})
    closed = staff('mutation($id: ID!) { closeChild(input: {id: $id, status: MOVED_OUT, reason: "随父母迁往武汉"}) { child { status } errors { code } } }',
                   {"id": gid("Child", child.pk)})["closeChild"]
    assert closed == {"child": {"status": "MOVED_OUT"}, "errors": []}
    actions = list(AuditEntry.objects.filter(target_type="children.Child", target_id=str(child.pk)).values_list("action", "changes"))
    assert ("child.update", {"grade": ["三年级", "四年级"]}) in actions
    assert ("child.close", {"status": "MOVED_OUT", "reason": "随父母迁往武汉"}) in actions
