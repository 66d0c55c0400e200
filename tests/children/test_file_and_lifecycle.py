"""A child's file over time: follow-ups, growth record, consent, transfers, anonymization, key rotation."""

from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from strawberry import relay

from children import services
from children.models import Child, Status, Transfer
from core.errors import ServiceError
from permissions import services as access_services
from permissions.actor import Actor
from permissions.models import AuditEntry
from tests.conftest import user
from tests.permissions.helpers import org

pytestmark = pytest.mark.django_db

FILE = """
query($id: ID!) { child(id: $id) {
  name anonymized consent { givenBy photos partnerSharing }
  followUps { visitedOn kind note author } growthEntries { title text }
} }"""

TRANSFER = """
mutation($input: RequestTransferInput!) {
  requestTransfer(input: $input) { transfer { id state fromOrganizationName toOrganizationName childName } errors { code } }
}"""

ACCEPT = "mutation($id: ID!) { acceptTransfer(input: {id: $id}) { transfer { state decidedBy } errors { code } } }"
DECLINE = "mutation($id: ID!) { declineTransfer(input: {id: $id}) { transfer { state } errors { code } } }"


def gid(type_name, pk):
    return str(relay.GlobalID(type_name, str(pk)))


def child(name="张小明") -> Child:
    return Child.objects.get(name=name)


def system():
    return Actor.system("test")


def test_follow_ups_and_growth_record_hide_their_text_without_the_pii_permission(as_user):
    staff = as_user("maliang_league_staff")
    target = child()
    result = staff("""mutation($id: ID!) { recordFollowUp(input: {childId: $id, visitedOn: "2026-11-20", note: "祖父身体好转，孩子按时上学"}) {
        errors { code } } }""", {"id": gid("Child", target.pk)})["recordFollowUp"]
    assert result["errors"] == []
    staff("""mutation($id: ID!) { addGrowthEntry(input: {childId: $id, recordedOn: "2026-11-21", title: "期中考试", text: "数学进步到 85 分"}) {
        errors { code } } }""", {"id": gid("Child", target.pk)})
    clear = staff(FILE, {"id": gid("Child", target.pk)})["child"]
    assert clear["followUps"] == [{"visitedOn": "2026-11-20", "kind": "HOME_VISIT", "note": "祖父身体好转，孩子按时上学",
                                   "author": "马良镇团委干部"}]
    assert clear["growthEntries"] == [{"title": "期中考试", "text": "数学进步到 85 分"}]
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("maliang_viewer2", password="x")
    access_services.grant_role(system(), organization_id=org("马良镇团委").pk, role="VIEWER", username="maliang_viewer2")
    masked = as_user("maliang_viewer2")(FILE, {"id": gid("Child", target.pk)})["child"]
    assert masked["followUps"][0]["visitedOn"] == "2026-11-20" and "孩子" not in masked["followUps"][0]["note"]
    assert "85" not in masked["growthEntries"][0]["text"]


def test_follow_up_refuses_an_empty_note_and_a_future_date(as_user):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    errors = as_user("maliang_league_staff")("""mutation($id: ID!, $day: Date!) { recordFollowUp(input: {childId: $id, visitedOn: $day, note: " "}) {
        errors { field code } } }""", {"id": gid("Child", child().pk), "day": tomorrow})["recordFollowUp"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {("text", "TEXT_REQUIRED"), ("visitedOn", "DATE_IN_FUTURE")}


def test_partner_sharing_needs_the_guardians_consent(as_user):
    target = child()
    admin = Actor.for_user(user("baokang_league_admin"))
    with pytest.raises(ServiceError) as caught:
        access_services.share_child(admin, child_id=target.pk, unit_id=org("保康县农商行").pk)
    assert caught.value.code.name == "CONSENT_REQUIRED"
    as_user("maliang_league_staff")("""mutation($id: ID!) { recordConsent(input: {childId: $id, givenBy: "张德厚", relation: "祖父",
        givenOn: "2026-11-01", partnerSharing: true}) { errors { code } } }""", {"id": gid("Child", target.pk)})
    access_services.share_child(admin, child_id=target.pk, unit_id=org("保康县农商行").pk)
    consent = as_user("maliang_league_staff")(FILE, {"id": gid("Child", target.pk)})["child"]["consent"]
    assert consent == {"givenBy": "张*厚", "photos": False, "partnerSharing": True}


def test_transfer_offered_by_the_sender_and_accepted_by_the_receiver(as_user):
    target = child()
    maliang, huangbao = as_user("maliang_league_staff"), as_user("huangbao_league_staff")
    offered = maliang(TRANSFER, {"input": {"childId": gid("Child", target.pk), "toOrganizationId": gid("Organization", org("黄堡镇团委").pk),
                                            "reason": "随祖父迁居黄堡镇"}})["requestTransfer"]
    assert offered["errors"] == [] and offered["transfer"]["childName"] == "张*明"
    transfer_id = offered["transfer"]["id"]
    assert maliang(ACCEPT, {"id": transfer_id})["acceptTransfer"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    assert as_user("baokang_wf_staff")(ACCEPT, {"id": transfer_id})["acceptTransfer"]["errors"] == [{"code": "NOT_FOUND"}]
    assert huangbao("{ transfers(first: 10) { totalCount } }")["transfers"]["totalCount"] == 1
    accepted = huangbao(ACCEPT, {"id": transfer_id})["acceptTransfer"]
    assert accepted == {"transfer": {"state": "ACCEPTED", "decidedBy": "黄堡镇团委干部"}, "errors": []}
    target.refresh_from_db()
    assert target.organization == org("黄堡镇团委") and target.org_path == org("黄堡镇团委").path
    assert huangbao("query($id: ID!) { child(id: $id) { name } }", {"id": gid("Child", target.pk)})["child"]["name"] == "张小明"
    assert maliang("query($id: ID!) { child(id: $id) { name } }", {"id": gid("Child", target.pk)})["child"] is None
    assert maliang("{ transfers(first: 10) { edges { node { state } } } }")["transfers"]["edges"] == [{"node": {"state": "ACCEPTED"}}]
    audited = AuditEntry.objects.filter(action="child.transfer_accept", target_id=str(target.pk))
    assert {e.organization.name for e in audited} == {"马良坪村团支部", "黄堡镇团委"}
    again = huangbao(ACCEPT, {"id": transfer_id})["acceptTransfer"]
    assert again["errors"] == [{"code": "TRANSFER_NOT_PENDING"}]


def test_receiver_asks_for_a_record_registered_elsewhere_and_the_keeper_declines(as_user):
    target = child("王磊")  # kept by 黄堡村团支部
    request = services.request_transfer_in(Actor.for_user(user("maliang_league_staff")), to_organization_id=org("马良镇团委").pk,
                                           id_number=target.id_number, reason="孩子已到马良镇上学")
    with pytest.raises(ServiceError) as caught:
        services.request_transfer_in(Actor.for_user(user("maliang_league_staff")), to_organization_id=org("马良镇团委").pk,
                                     id_number=target.id_number, reason="再次申请")
    assert caught.value.code.name == "TRANSFER_PENDING"
    assert as_user("maliang_league_staff")(DECLINE, {"id": gid("Transfer", request.pk)})["declineTransfer"]["errors"] == [
        {"code": "PERMISSION_DENIED"}]
    declined = as_user("huangbao_league_staff")(DECLINE, {"id": gid("Transfer", request.pk)})["declineTransfer"]
    assert declined == {"transfer": {"state": "DECLINED"}, "errors": []}
    target.refresh_from_db()
    assert target.organization.name == "黄堡村团支部"
    assert Transfer.objects.filter(child=target).count() == 1  # the history stays


def test_unknown_id_number_for_a_transfer_in_is_not_found():
    with pytest.raises(ServiceError) as caught:
        services.request_transfer_in(Actor.for_user(user("maliang_league_staff")), to_organization_id=org("马良镇团委").pk,
                                     id_number="11010519491231002X", reason="x")
    assert caught.value.code.name == "NOT_FOUND"


def test_anonymization_on_request_keeps_only_what_rollups_count(as_user):
    target = child()
    categories, org_id, year = target.categories, target.organization_id, target.birth_date.year
    result = as_user("maliang_league_staff")('mutation($id: ID!) { anonymizeChild(input: {id: $id, reason: "监护人申请删除"}) { errors { code } } }',
                                             {"id": gid("Child", target.pk)})
    assert result["anonymizeChild"]["errors"] == []
    target.refresh_from_db()
    assert (target.categories, target.organization_id, target.birth_date) == (categories, org_id, date(year, 1, 1))
    assert target.id_number == "" and target.id_index is None and target.name != "张小明"
    assert not target.guardians.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id_number FROM children_child WHERE id = %s", [target.pk])
        assert "张小明" not in str(cursor.fetchone())
    update = as_user("maliang_league_staff")('mutation($id: ID!) { updateChild(input: {id: $id, school: "x"}) { errors { code } } }',
                                             {"id": gid("Child", target.pk)})
    assert update["updateChild"]["errors"] == [{"code": "ANONYMIZED"}]


def test_retention_anonymizes_moved_out_records_after_the_period(settings):
    settings.CHILD_RETENTION_DAYS = 730
    old, recent = child("李芳"), child("赵婷婷")
    long_ago = timezone.now() - timedelta(days=731)
    Child.objects.filter(pk=old.pk).update(status=Status.MOVED_OUT, status_changed_at=long_ago)
    Child.objects.filter(pk=recent.pk).update(status=Status.MOVED_OUT, status_changed_at=timezone.now() - timedelta(days=10))
    call_command("anonymize_expired", stdout=open("/dev/null", "w"))
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.anonymized_at is not None and recent.anonymized_at is None


def test_children_past_the_age_limit_are_marked_aged_out():
    target = child("王磊")
    Child.objects.filter(pk=target.pk).update(birth_date=date(2000, 1, 1))
    services.anonymize_expired(system())
    target.refresh_from_db()
    assert target.status == Status.AGED_OUT and target.status_changed_at is not None and target.anonymized_at is None


def test_key_rotation_rewrites_tokens_and_old_keys_can_be_dropped(settings):
    target = child()
    number = target.id_number
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM children_child WHERE id = %s", [target.pk])
        before = cursor.fetchone()[0]
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old_keys]
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # old keys removed
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM children_child WHERE id = %s", [target.pk])
        after = cursor.fetchone()[0]
    assert after != before and number not in after
    assert Child.objects.get(pk=target.pk).id_number == number
    assert Child.objects.get(name="王磊").guardians.first().phone == "13872109876"


def test_filter_by_follow_up_since(as_user):
    services.record_follow_up(system(), child_id=child().pk, visited_on=date(2026, 11, 20), note="入户走访")
    services.record_follow_up(system(), child_id=child("李芳").pk, visited_on=date(2026, 9, 1), note="电话联系")
    query = "query($since: Date!) { children(first: 50, filters: {hasFollowUpSince: $since}) { edges { node { name } } } }"
    found = as_user("baokang_league_admin")(query, {"since": "2026-11-01"})["children"]["edges"]
    assert [e["node"]["name"] for e in found] == ["张小明"]
