"""Donors over HTTP (issue 20 items 2 and 3): a person registers with a phone confirmed by an SMS code, claims a
share within the per-donor limits, follows the wish to fulfilment (with the thank-you, and the delivery photos only
where the guardian consented) and may cancel before preparation; a unit applies, is approved by the organization
whose board it claims from, and its member claims for it and follows the unit's claims."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from children import services as child_services
from children.models import Child
from donors import limits
from donors.models import ApplicationState, PhoneCode, UnitApplication
from notifications.models import Notification
from orgs.models import Organization, System
from permissions.models import AuditEntry
from tests.conftest import GraphQLClient, user
from tests.donors.helpers import codes, registered
from tests.permissions.helpers import SYSTEM, gid, org
from tests.wishes.helpers import wish_in
from wishes import services as wish_services
from wishes.models import Claim, State, Wish

pytestmark = pytest.mark.django_db

CLAIM = """mutation($ids: [ID!]!, $shares: [Decimal]) { claimAsDonor(input: {wishIds: $ids, shares: $shares}) {
  claims { id amount wishState } errors { field code message } } }"""
CLAIMS = """query($units: Boolean!) {
  mine: myClaims(first: 20) @skip(if: $units) { totalCount edges { node { ...C } } }
  units: unitClaims(first: 20) @include(if: $units) { totalCount edges { node { ...C } } } }
fragment C on DonorClaim { id amount donorLabel donorKind wishTitle wishId place remaining wishState cancellable thanks
  progress { state done at } photos { url } }"""
CANCEL = "mutation($id: ID!) { cancelClaim(input: {id: $id}) { ok errors { field code message } } }"


def public_id(wish: Wish) -> str:
    return gid("PublicWish", wish.pk)


def my_claims(client: GraphQLClient, units: bool = False) -> list[dict]:
    page = client(CLAIMS, {"units": units})["units" if units else "mine"]
    return [e["node"] for e in page["edges"]]


def claim(client: GraphQLClient, wishes: list[Wish], shares=None) -> dict:
    return client(CLAIM, {"ids": [public_id(w) for w in wishes], "shares": shares})["claimAsDonor"]


def jpeg() -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (32, 24), "orange").save(out, "JPEG")
    return SimpleUploadedFile("发放.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_phone_is_confirmed_by_a_six_digit_code_sent_through_the_sms_interface(phones):
    client = GraphQLClient()
    assert phones.ask(client, "139 0000 1234")["sent"] is True
    (phone, text), = phones.sent
    assert phone == "13900001234" and text.startswith("【关爱平台】") and len(phones.code(phone)) == 6
    stored = PhoneCode.objects.get()
    assert phones.code(phone) not in stored.code_hash  # kept only as a keyed hash

    assert codes(phones.ask(client, "13900001234")) == ["CODE_TOO_SOON"]  # one a minute
    assert codes(phones.sign_in(client, phone, "000000" if phones.code(phone) != "000000" else "111111", "王先生")) == ["CODE_INVALID"]
    assert codes(phones.sign_in(client, phone, phones.code(phone), "")) == ["DISPLAY_NAME_REQUIRED"]
    signed = phones.sign_in(client, phone, phones.code(phone), "王先生")
    assert signed["errors"] == [] and signed["registered"] is True
    assert signed["donor"] == {"displayName": "王先生", "phone": "139****1234"}
    assert client("{ me { displayName } myDonor { displayName phone } }") == {
        "me": {"displayName": "王先生"}, "myDonor": {"displayName": "王先生", "phone": "139****1234"}}
    donor = registered().get()
    assert donor.phone == "13900001234" and "13900001234" not in donor.user.username
    assert codes(phones.sign_in(GraphQLClient(), phone, phones.code(phone), "")) == ["CODE_EXPIRED"]  # used once

    PhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))  # later: signing in again by a code
    again = GraphQLClient()
    phones.ask(again, phone)
    back = phones.sign_in(again, phone, phones.code(phone))
    assert back["errors"] == [] and back["registered"] is False and registered().count() == 1


def test_codes_expire_and_wrong_entries_spend_them(phones):
    client = GraphQLClient()
    assert codes(phones.ask(client, "12345")) == ["PHONE_INVALID"]
    phones.ask(client, "13900005678")
    right = phones.code("13900005678")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(limits.CODE_ATTEMPTS - 1):
        assert codes(phones.sign_in(client, "13900005678", wrong, "李女士")) == ["CODE_INVALID"]
    assert codes(phones.sign_in(client, "13900005678", wrong, "李女士")) == ["CODE_EXPIRED"]
    assert codes(phones.sign_in(client, "13900005678", right, "李女士")) == ["CODE_EXPIRED"]  # spent by the attempts
    assert PhoneCode.objects.get().attempts == limits.CODE_ATTEMPTS

    PhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    phones.ask(client, "13900005678")
    PhoneCode.objects.filter(used_at__isnull=True, attempts=0).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert codes(phones.sign_in(client, "13900005678", phones.code("13900005678"), "李女士")) == ["CODE_EXPIRED"]
    assert not registered().exists()
    english = client.post('mutation { sendDonorCode(input: {phone: "1"}) { errors { message } } }', HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["data"]["sendDonorCode"]["errors"][0]["message"] == "Enter an 11-digit mobile number."


def test_codes_asked_from_one_address_are_limited(phones, monkeypatch):
    monkeypatch.setattr(limits, "CODES_PER_ADDRESS_PER_HOUR", 2)
    client = GraphQLClient()
    assert phones.ask(client, "13900000011")["sent"] and phones.ask(client, "13900000012")["sent"]
    assert codes(phones.ask(client, "13900000013")) == ["RATE_LIMITED"]


def test_a_donor_claims_a_share_and_follows_the_wish_to_fulfilment(phones, as_user):
    child = Child.objects.get(name="张小明")
    child_services.record_consent(SYSTEM, child_id=child.pk, given_by="张德厚", relation="祖父",
                                  given_on=timezone.localdate(), photos=True)
    wish = wish_in(State.PUBLISHED, child_id=child.pk, value="120", title="一个新书包")
    donor = phones.register("13900002222", "赵先生")
    other = phones.register("13900003333", "钱女士")

    first = claim(donor, [wish], ["50"])
    assert first["errors"] == [] and first["claims"][0]["amount"] == "50.00" and first["claims"][0]["wishState"] == "PUBLISHED"
    [mine] = my_claims(donor)
    assert mine["remaining"] == "70.00" and mine["cancellable"] and mine["donorLabel"] == "赵先生"
    assert mine["wishId"] == public_id(wish) and mine["place"] == "马良镇团委 马良坪村团支部"
    assert [s["done"] for s in mine["progress"]] == [False, False, False, False]
    assert claim(other, [wish], ["70"])["claims"][0]["wishState"] == "CLAIMED"
    assert my_claims(donor)[0]["progress"][0]["done"] is True  # 认领完成 once fully covered

    staff = as_user("maliang_league_staff")
    staff('mutation($id: ID!) { prepareWish(input: {id: $id}) { errors { code } } }', {"id": gid("Wish", wish.pk)})
    assert my_claims(donor)[0]["cancellable"] is False
    assert codes(donor(CANCEL, {"id": mine["id"]})["cancelClaim"]) == ["NOT_CANCELLABLE"]
    wish_services.record_delivery(SYSTEM, wish_id=wish.pk, note="已送到", uploads=[jpeg()])
    staff('mutation($id: ID!) { confirmFulfilment(input: {id: $id, note: "感谢赵先生、钱女士的爱心！"}) { errors { code } } }',
          {"id": gid("Wish", wish.pk)})

    [done] = my_claims(donor)
    assert done["wishState"] == "FULFILLED" and all(s["done"] for s in done["progress"])
    assert [s["state"] for s in done["progress"]] == ["CLAIMED", "PREPARED", "DELIVERED", "FULFILLED"]
    assert done["thanks"] == "感谢赵先生、钱女士的爱心！"
    [photo] = done["photos"]
    assert donor.client.get(photo["url"]).status_code == 200
    assert GraphQLClient().client.get(photo["url"]).status_code == 404  # the link is the donor's own
    assert my_claims(other)[0]["id"] != done["id"] and len(my_claims(other)) == 1

    # the guardian withdraws the photo consent: the photos are no longer shown, nor served
    child_services.record_consent(SYSTEM, child_id=child.pk, given_by="张德厚", relation="祖父",
                                  given_on=timezone.localdate(), photos=False)
    assert my_claims(donor)[0]["photos"] == []
    assert donor.client.get(photo["url"]).status_code == 404


def test_a_donor_cancels_before_preparation_and_the_wish_returns_to_the_board(phones):
    wish = wish_in(State.PUBLISHED, value="80")
    donor = phones.register("13900004444", "孙先生")
    claimed = claim(donor, [wish])
    assert claimed["claims"][0]["wishState"] == "CLAIMED"
    stranger = phones.register("13900005555", "周女士")
    assert codes(stranger(CANCEL, {"id": claimed["claims"][0]["id"]})["cancelClaim"]) == ["NOT_FOUND"]

    assert donor(CANCEL, {"id": claimed["claims"][0]["id"]})["cancelClaim"] == {"ok": True, "errors": []}
    wish.refresh_from_db()
    assert wish.state == State.PUBLISHED and wish.covered_amount == 0 and wish.claimed_at is None
    assert my_claims(donor) == [] and AuditEntry.objects.filter(action="wish.claim_cancel").count() == 1
    board = GraphQLClient()("{ publicWishes(first: 100) { edges { node { id remaining } } } }")["publicWishes"]
    assert {"id": public_id(wish), "remaining": "80.00"} in [e["node"] for e in board["edges"]]


def test_the_per_donor_limits_hold(phones):
    donor = phones.register("13900006666", "吴先生")
    wishes = [wish_in(State.PUBLISHED, value="100", title=f"心愿{i}") for i in range(limits.OPEN_WISHES + 1)]
    assert codes(claim(donor, wishes[:limits.WISHES_AT_ONCE + 1])) == ["TOO_MANY_AT_ONCE"]
    assert codes(claim(donor, [wishes[0]], ["9.99"])) == ["SHARE_TOO_SMALL"]
    assert codes(claim(donor, [wishes[0]], ["100.01"])) == ["OVER_COVER"]
    assert claim(donor, wishes[:3], ["10", None, "30"])["errors"] == []  # 1+N with N+1 shares and a 1+1
    assert claim(donor, wishes[3:5])["errors"] == []
    assert codes(claim(donor, [wishes[5]])) == ["TOO_MANY_OPEN"]  # five wishes held until delivered
    assert claim(donor, [wishes[0]], ["20"])["errors"] == []  # a further share of a wish already held is no new one
    Wish.objects.filter(pk=wishes[0].pk).update(covered_amount=95)
    assert claim(donor, [wishes[0]], ["5"])["errors"] == []  # below the minimum share when it takes all that remains
    assert Wish.objects.get(pk=wishes[0].pk).state == State.CLAIMED
    assert Claim.objects.filter(donor_user__donor__in=registered()).count() == 7


def test_only_registered_donors_claim_from_the_public_board(as_user):
    wish = wish_in(State.PUBLISHED)
    staff = as_user("maliang_league_staff")
    assert codes(claim(staff, [wish])) == ["NOT_A_DONOR"]
    anonymous = GraphQLClient().post(CLAIM, {"ids": [public_id(wish)]}).json()
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]


def test_a_donor_finds_no_wish_that_is_not_on_the_public_board(phones):
    donor = phones.register("13900007777", "郑女士")
    collected = wish_in(State.COLLECTED)
    assert codes(claim(donor, [collected])) == ["NOT_FOUND"]
    assert codes(donor(CLAIM, {"ids": [gid("PublicWish", 999999)]})["claimAsDonor"]) == ["NOT_FOUND"]
    taken = wish_in(State.PUBLISHED)
    assert claim(phones.register("13900007778", "王女士"), [taken])["errors"] == []
    assert codes(claim(donor, [taken])) == ["ALREADY_CLAIMED"]  # too late, not missing: it was on the board


APPLY = """mutation($org: ID!) { applyForUnit(input: {organizationId: $org, name: "襄阳爱心建材有限公司", kind: COMPANY}) {
  application { id state organizationName } errors { field code message } } }"""
DECIDE = """mutation($id: ID!, $approve: Boolean!) { decideUnitApplication(input: {id: $id, approve: $approve, reason: "欢迎"}) {
  application { state unitId } errors { field code message } } }"""


def test_a_unit_applies_is_approved_by_the_board_and_its_member_claims_for_it(phones, as_user):
    applicant = phones.register("13900008888", "冯经理")
    applied = applicant(APPLY, {"org": gid("Organization", org("共青团保康县委").pk)})["applyForUnit"]
    assert applied["errors"] == [] and applied["application"]["state"] == "PENDING"
    assert codes(applicant(APPLY, {"org": gid("Organization", org("共青团保康县委").pk)})["applyForUnit"]) == ["APPLICATION_PENDING"]
    application_id = applied["application"]["id"]
    assert Notification.objects.filter(kind="UNIT_APPLICATION", recipient=user("baokang_league_admin")).exists()

    # a neighbour (the women's federation tree of 怀化) neither sees nor decides it
    neighbour = as_user("huaihua_wf_admin")
    assert neighbour("{ unitApplications { totalCount } }")["unitApplications"]["totalCount"] == 0
    assert codes(neighbour(DECIDE, {"id": application_id, "approve": True})["decideUnitApplication"]) == ["NOT_FOUND"]
    assert codes(applicant(DECIDE, {"id": application_id, "approve": True})["decideUnitApplication"]) == ["NOT_FOUND"]

    admin = as_user("baokang_league_admin")
    listed = admin("{ unitApplications(state: PENDING) { edges { node { name applicantName organizationName } } } }")
    assert listed["unitApplications"]["edges"][0]["node"] == {
        "name": "襄阳爱心建材有限公司", "applicantName": "冯经理", "organizationName": "共青团保康县委"}
    decided = admin(DECIDE, {"id": application_id, "approve": True})["decideUnitApplication"]
    assert decided["errors"] == [] and decided["application"]["state"] == "APPROVED"
    assert codes(admin(DECIDE, {"id": application_id, "approve": False})["decideUnitApplication"]) == ["APPLICATION_DECIDED"]
    unit = Organization.objects.get(name="襄阳爱心建材有限公司")
    assert unit.system == System.UNIT and unit.parent == org("共青团保康县委")
    mine = applicant("{ myUnitApplications { edges { node { state reason unitId } } } }")["myUnitApplications"]["edges"]
    assert mine[0]["node"] == {"state": "APPROVED", "reason": "欢迎", "unitId": gid("Organization", unit.pk)}
    told = applicant("{ notifications { edges { node { title body } } } }")["notifications"]["edges"]
    assert told[0]["node"] == {"title": "爱心单位申请已通过", "body": "共青团保康县委审核了襄阳爱心建材有限公司的申请：欢迎"}

    # the member now sees the county's board with the partner role of the unit and claims for the unit
    wish = wish_in(State.PUBLISHED, value="300")
    claimed = applicant("""mutation($ids: [ID!]!, $unit: ID) { claimWishes(input: {wishIds: $ids, unitId: $unit}) {
        wishes { remaining } errors { code } } }""", {"ids": [gid("PublishedWish", wish.pk)], "unit": gid("Organization", unit.pk)})
    assert claimed["claimWishes"] == {"wishes": [{"remaining": "0.00"}], "errors": []}
    [unit_claim] = my_claims(applicant, units=True)
    assert unit_claim["donorLabel"] == "襄阳爱心建材有限公司" and unit_claim["donorKind"] == "UNIT"
    assert my_claims(applicant) == []  # not a personal claim
    assert UnitApplication.objects.get().state == ApplicationState.APPROVED


def test_a_unit_member_claims_for_the_unit_and_follows_its_delivery(as_user):
    from permissions import services as access_services

    unit = org("保康县农商行")
    member = user("maliang_league_staff")
    access_services.add_unit_member(SYSTEM, unit_id=unit.pk, username=member.username)
    client = as_user(member.username)
    wish = wish_in(State.PUBLISHED, value="200", title="一台台灯")
    claimed = client("""mutation($ids: [ID!]!, $unit: ID) { claimWishes(input: {wishIds: $ids, shares: ["200"], unitId: $unit}) {
        errors { code } } }""", {"ids": [gid("PublishedWish", wish.pk)], "unit": gid("Organization", unit.pk)})
    assert claimed["claimWishes"]["errors"] == []
    wish_services.transition(SYSTEM, wish_id=wish.pk, action="deliver", note="已送达")
    units = [c for c in my_claims(client, units=True) if c["wishTitle"] == "一台台灯"]
    assert units[0]["wishState"] == "DELIVERED" and [s["done"] for s in units[0]["progress"]] == [True, True, True, False]
    # another unit's member does not see the 农商行's claims
    assert [c for c in my_claims(as_user("huangbao_league_staff"), units=True)] == []
