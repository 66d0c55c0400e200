"""The public board for a partner's token (children masked), and who sees or touches whose wishes."""

import json

import pytest
from django.utils import timezone

from children.models import Child
from graphql_api.children.types import age_on
from orgs.models import Organization
from permissions.actor import Actor
from permissions.masking import mask_name
from tests.permissions.helpers import gid, org, pk_of, subtree_ids
from tests.wishes.helpers import codes, new_donor, snapshot, wish_gid, wish_in
from wishes import services
from wishes.models import State, Wish

pytestmark = pytest.mark.django_db

BOARD = """
query {
  publishedWishes(first: 100) {
    totalCount
    edges { node { id title text childName childAge place household remaining claims { donorKind donorLabel amount } } }
  }
}"""

WISHES = "query { wishes(first: 100) { totalCount edges { node { id title organization { name } } } } }"
WISH = "query($id: ID!) { wish(id: $id) { id title } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Wish { title } } }"
ACTION = """
mutation($id: ID!) { %s(input: {id: $id, reason: "测试"}) { wish { state } errors { field code message } } }"""


def board(client) -> tuple[list[dict], str]:
    """The board's nodes and the raw response text."""
    response = client.post(BOARD)
    assert response.status_code == 200
    payload = response.json()
    assert not payload.get("errors"), payload
    return [e["node"] for e in payload["data"]["publishedWishes"]["edges"]], response.content.decode()


def texts(raw: str) -> str:
    """The response as sent and with non-ASCII unescaped, so that an absent name is absent in either spelling."""
    return raw + "\n" + json.dumps(json.loads(raw), ensure_ascii=False)


def wish_ids(nodes) -> set[int]:
    return {pk_of(node["id"]) for node in nodes}


def test_the_board_masks_the_child(as_token, demo_token):
    # given the demo board with 张小明's and 李芳's published wishes
    nodes, raw = board(as_token(demo_token))
    published = Wish.objects.filter(state=State.PUBLISHED, org_path__startswith=org("共青团保康县委").path, child__isnull=False)
    assert wish_ids(nodes) >= set(published.values_list("pk", flat=True)) and published.exists()
    seen = texts(raw)
    today = timezone.localdate()
    for wish in published.select_related("child", "organization"):
        # then each row shows the surname and a star, the age and the place
        [node] = [n for n in nodes if pk_of(n["id"]) == wish.pk]
        child = wish.child
        assert node["childName"] == child.name[0] + "*"
        assert node["childAge"] == age_on(child.birth_date, today)
        assert node["place"] == wish.organization.name and node["place"] in seen
        # and neither the full name nor the ID number nor a guardian appears anywhere in the response
        assert child.name not in seen and child.id_number not in seen and child.id_number[-6:] not in seen
        for guardian in child.guardians.all():
            assert guardian.name not in seen and guardian.phone not in seen
    # nor does any other child's name or number
    for child in Child.objects.all():
        assert child.name not in seen and child.id_number not in seen


def test_a_person_donor_is_masked_on_the_board_and_a_unit_is_named(as_token, demo_token):
    # given a published wish with a share claimed by a person and one by a unit (the partner token)
    wish = wish_in(State.PUBLISHED, value="100", organization="马良镇团委")
    donor = new_donor("donor_liu_xiaoyan")
    services.claim_wishes(Actor.for_user(donor), wish_ids=[wish.pk], shares=["30"])
    token = as_token(demo_token)
    token('mutation($id: ID!) { claimWishes(input: {wishIds: [$id], shares: ["20"]}) { errors { code } } }',
          {"id": gid("PublishedWish", wish.pk)})
    # when the partner reads the board
    nodes, raw = board(token)
    # then the person's name is masked and the unit is thanked by name
    [node] = [n for n in nodes if pk_of(n["id"]) == wish.pk]
    assert [(c["donorKind"], c["donorLabel"], c["amount"]) for c in node["claims"]] == [
        ("PERSON", mask_name(donor.username), "30.00"), ("UNIT", "保康县农商行", "20.00")]
    assert node["remaining"] == "50.00"
    assert donor.username not in texts(raw)


def test_the_token_reads_no_staff_rows(as_token, demo_token):
    token = as_token(demo_token)
    wish = Wish.objects.get(title="一套课外读物")
    response = token.post(WISHES).json()
    assert response["data"]["wishes"] == {"totalCount": 0, "edges": []}
    assert token.post(WISH, {"id": wish_gid(wish)}).json()["data"]["wish"] is None
    assert token.post(NODE, {"id": wish_gid(wish)}).json()["data"]["node"] is None


def test_the_board_shows_only_the_partners_county(as_user, as_token, demo_token):
    # given a published wish under 怀化市妇联's tree
    far = wish_in(State.PUBLISHED, organization="颜容村妇联", title="怀化的心愿")
    assert as_user("huaihua_wf_admin")(WISH, {"id": wish_gid(far)})["wish"]["title"] == "怀化的心愿"
    # when the 保康 partner reads the board
    nodes, raw = board(as_token(demo_token))
    # then it is absent and every row belongs to 共青团保康县委's tree
    assert far.pk not in wish_ids(nodes) and "怀化的心愿" not in texts(raw)
    baokang = subtree_ids(org("共青团保康县委").pk)
    rows = Wish.objects.filter(pk__in=wish_ids(nodes))
    assert nodes and {w.organization_id for w in rows} <= baokang
    assert all(w.state == State.PUBLISHED for w in rows)
    expected = Wish.objects.filter(state=State.PUBLISHED, organization_id__in=baokang)
    assert wish_ids(nodes) == set(expected.values_list("pk", flat=True))


# --- neighbours ----------------------------------------------------------------------------------------------


def listed(client) -> set[int]:
    return {pk_of(e["node"]["id"]) for e in client(WISHES)["wishes"]["edges"]}


def in_tree(root: str) -> set[int]:
    return set(Wish.objects.filter(organization_id__in=subtree_ids(org(root).pk)).values_list("pk", flat=True))


def test_a_neighbouring_town_neither_sees_nor_touches_maliangs_wishes(as_user):
    # given 马良镇's wishes, one of each state a neighbour might try to act on
    for state in (State.COLLECTED, State.REVIEWED, State.PUBLISHED):
        wish_in(state, organization="马良镇团委")
    maliang = in_tree("马良镇团委")
    assert listed(as_user("maliang_league_staff")) == maliang and maliang
    huangbao = as_user("huangbao_league_staff")
    # then 黄堡镇 sees none of them, by list, by wish(id:) or by node(id:)
    assert not listed(huangbao) & maliang and listed(huangbao) <= in_tree("黄堡镇团委")
    missing = gid("Wish", Wish.objects.order_by("-pk").first().pk + 1000)
    for pk in maliang:
        assert huangbao(WISH, {"id": gid("Wish", pk)})["wish"] is None
        assert huangbao(NODE, {"id": gid("Wish", pk)})["node"] is None
    # and acting on one answers NOT_FOUND, identical to a wish that does not exist, changing nothing
    for pk in maliang:
        wish = Wish.objects.get(pk=pk)
        before = snapshot(wish)
        for mutation in ("reviewWish", "publishWish", "closeWish"):
            mine = huangbao(ACTION % mutation, {"id": gid("Wish", pk)})[mutation]
            none = huangbao(ACTION % mutation, {"id": missing})[mutation]
            assert mine == none and codes(mine["errors"]) == ["NOT_FOUND"]
        assert snapshot(wish) == before


def test_other_systems_and_rollup_viewers_see_no_league_wish_rows(as_user):
    wish_in(State.COLLECTED, organization="马良镇团委")
    league, baokang_wf = in_tree("共青团保康县委"), in_tree("保康县妇联")
    assert league
    # the county women's federation sees only its own tree
    wf = listed(as_user("baokang_wf_staff"))
    assert not wf & league and wf <= baokang_wf
    # 怀化's admin sees none of 保康's (league or federation)
    far = wish_in(State.COLLECTED, organization="颜容村妇联")
    huaihua = listed(as_user("huaihua_wf_admin"))
    assert far.pk in huaihua and not huaihua & (league | baokang_wf) and huaihua <= in_tree("怀化市妇联")
    # and the city league's rollup viewer sees figures, not rows
    viewer = as_user("xiangyang_league_viewer")
    assert viewer(WISHES)["wishes"] == {"totalCount": 0, "edges": []}
    for pk in league:
        assert viewer(WISH, {"id": gid("Wish", pk)})["wish"] is None


def test_staff_see_their_whole_subtree(as_user):
    # a positive control for the scoping above: the county admin sees every wish of its tree and no other
    wish_in(State.COLLECTED, organization="颜容村妇联")
    assert listed(as_user("baokang_league_admin")) == in_tree("共青团保康县委")
    assert Organization.objects.get(name="马良镇团委").parent == org("共青团保康县委")
