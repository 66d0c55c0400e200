"""Notifications: the events that give someone a to-do and the scheduler's reminders reach the people nearest to
the work (not every admin above, nor a neighbour); each person reads and marks only their own; e-mail and SMS go
out as jobs with retries, in the person's language, and never carry a child's personal data."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.services import update_my_settings
from children import services as children
from children.models import Child
from jobs.models import Job, Kind as JobKind, State as JobState
from notifications import reminders
from notifications.channels import outbound, scrub
from notifications.models import Delivery, DeliveryState, Notification
from notifications.sms import SmsBackend
from permissions import services as access
from permissions.actor import Actor
from permissions.models import Membership
from programs import pairings
from programs.models import Pairing
from rollups import reports
from tests.conftest import user
from tests.permissions.helpers import SYSTEM, codes, gid, grant, new_user, org
from tests.programs.helpers import big_hand, days_ago
from tests.rollups.test_reports import MA, HUANG, open_request
from wishes import services as wishes
from tests.wishes.helpers import collect, wish_in

pytestmark = pytest.mark.django_db

MINE = """query($filters: NotificationFilter) {
  unreadNotificationCount
  notifications(first: 50, filters: $filters) { totalCount edges { node { id kind title body link read } } }
}"""
MARK = """mutation($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) { marked unreadCount errors { field code } } }"""


@pytest.fixture(autouse=True)
def eager_jobs(settings):
    settings.JOBS_EAGER = True


@pytest.fixture(autouse=True)
def empty_inboxes():
    """Each test starts with empty inboxes (loading the demo data notified its people too)."""
    Notification.objects.all().delete()


def inbox(username: str, kind: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(recipient=user(username)).order_by("id")
    return list(rows.filter(kind=kind) if kind else rows)


def test_a_county_report_request_reaches_each_townships_staff_only(as_user):
    # when the county opens a report request to 马良镇 and 黄堡镇
    request = open_request(to=(MA, HUANG), title="2026 年度关爱统计")

    # then each township's staff hears of its own, in its inbox, unread; the county admin above does not
    [maliang] = inbox("maliang_league_staff", "REPORT_REQUESTED")
    assert maliang.title == "新的报送任务：2026 年度关爱统计"
    assert maliang.body == f"共青团保康县委请马良镇团委在 {request.deadline} 前报送。"
    assert maliang.link == f"/reports?request={gid('ReportRequest', request.pk)}"
    assert "马良镇" not in inbox("huangbao_league_staff", "REPORT_REQUESTED")[0].body
    assert inbox("baokang_league_admin", "REPORT_REQUESTED") == []
    assert inbox("huaihua_wf_admin") == [] and inbox("baokang_wf_staff") == []  # nor the neighbours

    # over GraphQL each person sees only their own, marks them read, and the header count follows
    staff = as_user("maliang_league_staff")
    mine = staff(MINE, {"filters": {"unread": True}})
    unread = mine["unreadNotificationCount"]
    assert unread == mine["notifications"]["totalCount"] >= 1
    node = next(e["node"] for e in mine["notifications"]["edges"] if e["node"]["kind"] == "REPORT_REQUESTED")
    assert node["read"] is False
    assert staff(MARK, {"input": {"ids": [node["id"]]}})["markNotificationsRead"] == \
        {"marked": 1, "unreadCount": unread - 1, "errors": []}
    # another person's notification reads as missing, and marks nothing
    huangbao = as_user("huangbao_league_staff")
    assert codes(huangbao(MARK, {"input": {"ids": [node["id"]]}})["markNotificationsRead"]) == ["NOT_FOUND"]
    assert huangbao("query($id: ID!) { node(id: $id) { id } }", {"id": node["id"]})["node"] is None
    assert codes(staff(MARK, {"input": {}})["markNotificationsRead"]) == ["IDS_REQUIRED"]
    assert staff(MARK, {"input": {"all": True}})["markNotificationsRead"]["unreadCount"] == 0


def test_a_submitted_report_goes_to_the_county_and_a_returned_one_back():
    request = open_request(to=(MA,))
    report = reports.save_report(SYSTEM, request_id=request.pk, organization_id=org(MA).pk)
    reports.transition(SYSTEM, report_id=report.pk, action="submit")
    [submitted] = inbox("baokang_league_admin", "REPORT_SUBMITTED")
    assert submitted.body == "马良镇团委已报送，请审核。"
    reports.transition(SYSTEM, report_id=report.pk, action="return", comment="数据有误")
    [returned] = inbox("maliang_league_staff", "REPORT_RETURNED")
    assert "共青团保康县委退回了马良镇团委的报送" in returned.body and "数据有误" not in returned.body


def test_reminders_of_reports_due_and_overdue_go_once():
    today = timezone.localdate()
    due = open_request(to=(MA,), deadline=today + timedelta(days=2), title="即将截止")
    late = open_request(to=(MA,), deadline=today + timedelta(days=1), title="已逾期")
    # the due reminder (rollups.reports.remind_due), twice: one notification
    reports.remind_due(today)
    reports.remind_due(today)
    assert [n.title for n in inbox("maliang_league_staff", "REPORT_DUE")] == ["报送即将截止：即将截止", "报送即将截止：已逾期"]
    assert "还剩 2 天" in inbox("maliang_league_staff", "REPORT_DUE")[0].body
    # two days later the second is overdue: reminded once, and not the one already submitted
    reports.transition(SYSTEM, report_id=reports.save_report(SYSTEM, request_id=due.pk, organization_id=org(MA).pk).pk,
                       action="submit")
    assert reminders.remind_overdue_reports(today + timedelta(days=3)) == 1
    reminders.remind_overdue_reports(today + timedelta(days=4))
    assert [n.link for n in inbox("maliang_league_staff", "REPORT_OVERDUE")] == [
        f"/reports?request={gid('ReportRequest', late.pk)}"]


def overdue_pairing() -> Pairing:
    """A new 大手拉小手 pairing of 张小明 at 马良坪村, not contacted for 60 days (the demo has overdue ones too)."""
    pairing = big_hand("马良坪村团支部", started_on=days_ago(60))
    Pairing.objects.filter(pk=pairing.pk).update(last_contact_on=days_ago(60))
    return pairing


def about(pairing: Pairing, username: str) -> list[Notification]:
    return [n for n in inbox(username, "PAIRING_OVERDUE") if n.link == f"/pairings/{gid('Pairing', pairing.pk)}"]


def test_an_overdue_pairing_reaches_its_staff_without_the_childs_name():
    pairing = overdue_pairing()
    pairings.remind_overdue()
    pairings.remind_overdue()
    [note] = about(pairing, "maliang_league_staff")
    assert note.title == "结对帮扶超期未联系" and pairing.card_number in note.body
    assert "张小明" not in note.title + note.body
    assert about(pairing, "baokang_league_admin") == [] and inbox("huangbao_league_staff", "PAIRING_OVERDUE") == []


def test_a_dispatch_reaches_the_units_members_and_is_reminded_before_it_expires():
    # given a member of 保康县农商行 and a published wish dispatched to the unit
    new_user("nongshang_clerk")
    access.add_unit_member(SYSTEM, unit_id=org("保康县农商行").pk, username="nongshang_clerk")
    wish = wish_in("PUBLISHED")
    wishes.dispatch_wish(SYSTEM, wish_id=wish.pk, unit_id=org("保康县农商行").pk,
                                    deadline=timezone.now() + timedelta(hours=30))
    [received] = inbox("nongshang_clerk", "DISPATCH_RECEIVED")
    assert "马良坪村团支部向保康县农商行派单了一个微心愿" in received.body and received.link == "/dispatches?state=PENDING"
    assert inbox("maliang_league_staff", "DISPATCH_RECEIVED") == []
    # a reminder within 24 hours of the deadline, once
    assert reminders.remind_expiring_dispatches(timezone.now()) == 0
    later = timezone.now() + timedelta(hours=8)
    reminders.remind_expiring_dispatches(later)
    reminders.remind_expiring_dispatches(later)
    assert len(inbox("nongshang_clerk", "DISPATCH_EXPIRING")) == 1


def test_a_transfer_reaches_the_deciding_side_and_waiting_ones_are_reminded():
    child = Child.objects.filter(org_path__startswith=org(MA).path).order_by("pk").first()
    children.request_transfer(SYSTEM, child_id=child.pk, to_organization_id=org(HUANG).pk, reason="随祖父迁居")
    [offered] = inbox("huangbao_league_staff", "TRANSFER_REQUESTED")
    assert offered.body == f"{child.organization.name}向黄堡镇团委转移一份儿童档案，请接收或拒绝。"
    assert child.name not in offered.title + offered.body
    assert inbox("maliang_league_staff", "TRANSFER_REQUESTED") == []
    assert reminders.remind_waiting_transfers() == 0
    reminders.remind_waiting_transfers(timezone.localdate() + timedelta(days=5))
    [waiting] = inbox("huangbao_league_staff", "TRANSFER_WAITING")
    assert waiting.title == "儿童档案转移已等待 5 天"


def test_wishes_collected_all_day_make_one_notification_per_person_village_and_day():
    collect("马良坪村团支部", title="书包")
    collect("马良坪村团支部", title="字典")
    collect("三岔村团支部", title="彩笔")
    assert [n.body for n in inbox("maliang_league_staff", "WISHES_TO_REVIEW")] == [
        "马良坪村团支部有新征集的微心愿待审核。", "三岔村团支部有新征集的微心愿待审核。"]
    assert inbox("baokang_league_admin", "WISHES_TO_REVIEW") == []


def test_e_mail_and_sms_go_out_as_a_job_in_the_persons_language_and_without_a_childs_data(caplog):
    # given maliang's staff who chose e-mail and SMS, in English
    staff = Actor.for_user(user("maliang_league_staff"))
    update_my_settings(staff, email="ma@example.cn", phone="13911112222", notify_by_email=True, notify_by_sms=True,
                       language="en")
    caplog.set_level(logging.INFO, logger="notifications.sms")
    pairing = overdue_pairing()

    # when an overdue pairing is reminded
    pairings.remind_overdue()

    # then the notification is in English, and a delivery job sent it by e-mail and by SMS
    [note] = about(pairing, "maliang_league_staff")
    assert note.title == "A pairing is overdue for contact"
    assert {(d.channel, d.state) for d in note.deliveries.all()} == {("EMAIL", "SENT"), ("SMS", "SENT")}
    sending = Job.objects.filter(kind=JobKind.NOTIFICATION_DELIVERY)  # one per reminded pairing
    assert {(job.state, job.actor_user_id) for job in sending} == {(JobState.SUCCEEDED, None)}
    [email] = [m for m in mail.outbox if note.link in m.body]
    assert email.to == ["ma@example.cn"] and email.subject == "A pairing is overdue for contact"
    [sms] = [r.getMessage() for r in caplog.records if r.name == "notifications.sms" and note.link in r.getMessage()]
    assert "139****2222" in sms and "13911112222" not in sms
    child = Child.objects.get(name="张小明")
    for text in (email.subject, email.body, sms):
        assert child.name not in text and child.id_number not in text
    # nobody who did not choose a channel gets anything but the in-app row
    assert not Delivery.objects.exclude(notification__recipient=user("maliang_league_staff")).exists()


def test_outbound_text_masks_anything_shaped_like_an_id_number_or_a_mobile():
    note = Notification(title="关于 420626201506060123 的报送", body="联系 13911112222", link="/reports")
    text = outbound(note, short=True).text
    assert "420626201506060123" not in text and "4206**********0123" in text
    assert "13911112222" not in text and "139****2222" in text
    assert scrub("共 12 人，电话 0710-1234567") == "共 12 人，电话 0710-1234567"


class FlakySms(SmsBackend):
    failures = 1
    sent: list = []

    def send(self, phone, text):
        if FlakySms.failures > 0:
            FlakySms.failures -= 1
            raise ConnectionError("provider unavailable")
        FlakySms.sent.append(phone)


def test_a_failed_sending_is_retried_and_sent_once(settings):
    settings.SMS_BACKEND = f"{__name__}.FlakySms"
    FlakySms.failures, FlakySms.sent = 1, []
    update_my_settings(Actor.for_user(user("maliang_league_staff")), phone="13911112222", notify_by_sms=True)
    open_request(to=(MA,))
    job = Job.objects.get(kind=JobKind.NOTIFICATION_DELIVERY)
    [delivery] = Delivery.objects.all()
    assert (job.state, job.attempts) == (JobState.SUCCEEDED, 2)
    assert (delivery.state, delivery.attempts, delivery.error) == (DeliveryState.SENT, 2, "")
    assert FlakySms.sent == ["13911112222"]


def test_a_sending_that_keeps_failing_is_marked_failed(settings):
    settings.SMS_BACKEND = f"{__name__}.FlakySms"
    FlakySms.failures = 99
    update_my_settings(Actor.for_user(user("maliang_league_staff")), phone="13911112222", notify_by_sms=True)
    open_request(to=(MA,))
    job = Job.objects.get(kind=JobKind.NOTIFICATION_DELIVERY)
    [delivery] = Delivery.objects.all()
    assert (job.state, job.attempts) == (JobState.FAILED, settings.JOBS_MAX_ATTEMPTS)
    assert delivery.state == DeliveryState.FAILED and "provider unavailable" in delivery.error
    # the in-app notification is there regardless
    assert len(inbox("maliang_league_staff", "REPORT_REQUESTED")) == 1


def test_a_finished_job_tells_the_person_who_started_it(as_user):
    staff = as_user("maliang_league_staff")
    exported = staff("""mutation { exportLedger(input: {ledger: WISHES, organizationId: "%s"}) { job { id state } errors { code } } }"""
                     % gid("Organization", org(MA).pk))["exportLedger"]
    assert exported["job"]["state"] == "SUCCEEDED"
    [done] = inbox("maliang_league_staff", "JOB_FINISHED")
    assert done.title == "任务已完成：导出台账" and done.link == "/jobs"


def test_an_inactive_or_expired_role_holder_is_not_addressed():
    new_user("former_staff")
    grant("former_staff", org(MA), "STAFF", subtree=False, expires_at=timezone.now() + timedelta(seconds=1))
    new_user("gone_staff")
    grant("gone_staff", org(MA), "STAFF")
    user_ = user("gone_staff")
    user_.is_active = False
    user_.save()
    Membership.objects.filter(user__username="former_staff").update(expires_at=timezone.now() - timedelta(days=1))
    open_request(to=(MA,))
    assert inbox("former_staff") == [] and inbox("gone_staff") == []
    assert len(inbox("maliang_league_staff", "REPORT_REQUESTED")) == 1
