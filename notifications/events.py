"""The events that give someone a to-do, and the scheduler's reminders, as notifications.

Each function is called by the domain service where the event happens (inside its transaction) or by a
periodic job (notifications.reminders), and decides who hears of it: the people nearest to the organization who
hold the permission to act (permissions.holders), or a unit's members for a dispatch. Texts are
notifications.texts: organization names, titles, dates and counts, never a child's personal data. Links are
paths of the web console, each opening the filtered screen.

Events that recur all day (wishes collected, hours recorded) notify each person once a day per organization
(the ``key``); reminders once per thing reminded.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from core.links import global_id
from notifications.models import Kind
from notifications.services import Message, notify
from notifications.texts import NotificationText as T
from permissions.holders import holders, unit_members

SUBMIT, APPROVE = "rollups.submit_report", "rollups.approve_report"
CHANGE_WISH, TRANSFER = "wishes.change_wish", "children.transfer_child"
CONFIRM_HOURS, CHANGE_PROGRAM = "programs.confirm_hours", "programs.change_program"
MANAGE_MEMBERS = "permissions.manage_membership"


def _message(kind: str, title: T, body: T, link: str, /, **params) -> Message:
    return Message(kind=kind, title=lambda: title.render(**params), body=lambda: body.render(**params), link=link)


def _today() -> str:
    return timezone.localdate().isoformat()


def _handler(wish):
    return wish.handling_organization or wish.organization


# 报送 -----------------------------------------------------------------------------------------------------

def report_requested(request, addressees) -> None:
    link = f"/reports?request={global_id('ReportRequest', request.pk)}"
    for organization in addressees:
        notify(holders(SUBMIT, organization), _message(
            Kind.REPORT_REQUESTED, T.REPORT_REQUESTED_TITLE, T.REPORT_REQUESTED_BODY, link, title=request.title,
            superior=request.organization.name, organization=organization.name, deadline=request.deadline),
            key=f"report-requested:{request.pk}:{organization.pk}")


def report_due(addressee, today: date) -> None:
    """A reminder before the deadline (rollups.reports.remind_due)."""
    request = addressee.request
    notify(holders(SUBMIT, addressee.organization), _message(
        Kind.REPORT_DUE, T.REPORT_DUE_TITLE, T.REPORT_DUE_BODY, f"/reports?request={global_id('ReportRequest', request.pk)}",
        title=request.title, organization=addressee.organization.name, deadline=request.deadline,
        days=(request.deadline - today).days), key=f"report-due:{addressee.pk}")


def report_overdue(addressee) -> None:
    request = addressee.request
    notify(holders(SUBMIT, addressee.organization), _message(
        Kind.REPORT_OVERDUE, T.REPORT_OVERDUE_TITLE, T.REPORT_OVERDUE_BODY,
        f"/reports?request={global_id('ReportRequest', request.pk)}", title=request.title,
        organization=addressee.organization.name, deadline=request.deadline), key=f"report-overdue:{addressee.pk}")


def report_changed(report, action: str) -> None:
    """A submitted report goes to the superior's approvers; a returned one back to the subordinate's staff."""
    request = report.request
    link = f"/reports?report={global_id('Report', report.pk)}"
    params = {"title": request.title, "superior": request.organization.name, "organization": report.organization.name}
    if action == "submit":
        notify(holders(APPROVE, request.organization), _message(
            Kind.REPORT_SUBMITTED, T.REPORT_SUBMITTED_TITLE, T.REPORT_SUBMITTED_BODY, link, **params))
    elif action == "return":
        notify(holders(SUBMIT, report.organization), _message(
            Kind.REPORT_RETURNED, T.REPORT_RETURNED_TITLE, T.REPORT_RETURNED_BODY, link, **params))


# 微心愿 ---------------------------------------------------------------------------------------------------

WISH_STEPS = {  # the state a wish reaches -> (kind, title, body, list filter, daily digest)
    "COLLECTED": (Kind.WISHES_TO_REVIEW, T.WISHES_TO_REVIEW_TITLE, T.WISHES_TO_REVIEW_BODY, "state=COLLECTED", True),
    "REVIEWED": (Kind.WISHES_TO_PUBLISH, T.WISHES_TO_PUBLISH_TITLE, T.WISHES_TO_PUBLISH_BODY, "state=REVIEWED", True),
    "CLAIMED": (Kind.WISH_TO_DELIVER, T.WISH_TO_DELIVER_TITLE, T.WISH_TO_DELIVER_BODY, "state=CLAIMED", False),
}


def wish_reached(wish) -> None:
    """A wish that now waits for its staff: to review, to publish, or (claimed in full) to deliver."""
    step = WISH_STEPS.get(wish.state)
    if step is None:
        return
    kind, title, body, query, daily = step
    organization = _handler(wish)
    link = f"/wishes?{query}&organization={global_id('Organization', organization.pk)}"
    key = f"{kind}:{organization.pk}:{_today()}" if daily else f"{kind}:{wish.pk}"
    notify(holders(CHANGE_WISH, organization), _message(kind, title, body, link, organization=organization.name), key=key)


def dispatch_created(dispatch) -> None:
    _dispatch(dispatch, Kind.DISPATCH_RECEIVED, T.DISPATCH_RECEIVED_TITLE, T.DISPATCH_RECEIVED_BODY, "received")


def dispatch_expiring(dispatch) -> None:
    _dispatch(dispatch, Kind.DISPATCH_EXPIRING, T.DISPATCH_EXPIRING_TITLE, T.DISPATCH_EXPIRING_BODY, "expiring")


def _dispatch(dispatch, kind, title, body, what: str) -> None:
    deadline = timezone.localtime(dispatch.deadline).strftime("%Y-%m-%d %H:%M")
    notify(unit_members(dispatch.unit), _message(
        kind, title, body, "/dispatches?state=PENDING", organization=_handler(dispatch.wish).name,
        unit=dispatch.unit.name, deadline=deadline), key=f"dispatch-{what}:{dispatch.pk}")


# 爱心单位 ---------------------------------------------------------------------------------------------------

def unit_application_made(application) -> None:
    """Those who manage members at the body applied to decide a unit's application."""
    notify(holders(MANAGE_MEMBERS, application.organization), _message(
        Kind.UNIT_APPLICATION, T.UNIT_APPLICATION_TITLE, T.UNIT_APPLICATION_BODY, "/unit-applications",
        unit=application.name, organization=application.organization.name), key=f"unit-application:{application.pk}")


def unit_application_decided(application, approved: bool) -> None:
    notify([application.applicant_id], _message(
        Kind.UNIT_APPLICATION_DECIDED, T.UNIT_APPLICATION_APPROVED_TITLE if approved else T.UNIT_APPLICATION_REJECTED_TITLE,
        T.UNIT_APPLICATION_DECIDED_BODY, "/public/donor", unit=application.name, organization=application.organization.name,
        reason=application.reason or "—"), key=f"unit-application-decided:{application.pk}")


# 儿童档案转移 ---------------------------------------------------------------------------------------------

def _decider(transfer):
    return transfer.from_organization if transfer.requested_by_receiver else transfer.to_organization


def transfer_requested(transfer) -> None:
    title, body = (T.TRANSFER_ASKED_TITLE, T.TRANSFER_ASKED_BODY) if transfer.requested_by_receiver else \
        (T.TRANSFER_OFFERED_TITLE, T.TRANSFER_OFFERED_BODY)
    notify(holders(TRANSFER, _decider(transfer)), _message(
        Kind.TRANSFER_REQUESTED, title, body, "/children?tab=transfers", sender=transfer.from_organization.name,
        receiver=transfer.to_organization.name), key=f"transfer-requested:{transfer.pk}")


def transfer_waiting(transfer, days: int) -> None:
    notify(holders(TRANSFER, _decider(transfer)), _message(
        Kind.TRANSFER_WAITING, T.TRANSFER_WAITING_TITLE, T.TRANSFER_WAITING_BODY, "/children?tab=transfers",
        days=days, sender=transfer.from_organization.name, receiver=transfer.to_organization.name),
        key=f"transfer-waiting:{transfer.pk}")


# 项目 -----------------------------------------------------------------------------------------------------

def hours_recorded(record) -> None:
    organization = record.organization
    notify(holders(CONFIRM_HOURS, organization), _message(
        Kind.HOURS_TO_CONFIRM, T.HOURS_TO_CONFIRM_TITLE, T.HOURS_TO_CONFIRM_BODY, "/volunteers?tab=hours&confirmed=false",
        organization=organization.name), key=f"hours:{organization.pk}:{_today()}")


def pairing_overdue(pairing, due: date) -> None:
    """A reminder per lapse (programs.pairings.remind_overdue stamps ``reminded_on`` once per lapse)."""
    notify(holders(CHANGE_PROGRAM, pairing.organization), _message(
        Kind.PAIRING_OVERDUE, T.PAIRING_OVERDUE_TITLE, T.PAIRING_OVERDUE_BODY,
        f"/pairings/{global_id('Pairing', pairing.pk)}", organization=pairing.organization.name,
        pairing_kind=pairing.get_kind_display(), card=pairing.card_number, due=due),
        key=f"pairing-overdue:{pairing.pk}:{pairing.last_contact_on}")


# 后台任务 -------------------------------------------------------------------------------------------------

def job_finished(job) -> None:
    """A person's job ended (succeeded or failed for good): they hear of it, with its message."""
    if not job.actor_user_id:
        return
    title = T.JOB_SUCCEEDED_TITLE if job.state == "SUCCEEDED" else T.JOB_FAILED_TITLE
    notify([job.actor_user_id], Message(kind=Kind.JOB_FINISHED, title=lambda: title.render(kind=job.get_kind_display()),
                                        body=lambda: job.message or job.error, link="/jobs"), key=f"job:{job.pk}")


# 行动 -----------------------------------------------------------------------------------------------------

def campaign_invitations(campaign, bodies) -> None:
    """Those who manage programs at each body invited to announce a campaign jointly, to confirm or decline."""
    link = f"/campaigns?campaign={global_id('Campaign', campaign.pk)}"
    for body in bodies:
        notify(holders(CHANGE_PROGRAM, body), _message(
            Kind.CAMPAIGN_INVITATION, T.CAMPAIGN_INVITATION_TITLE, T.CAMPAIGN_INVITATION_BODY, link,
            campaign=campaign.title, announcer=campaign.organization.name, organization=body.name),
            key=f"campaign-invitation:{campaign.pk}:{body.pk}")


# 个案保护 -------------------------------------------------------------------------------------------------

def grave_incident(incident_id: int, organization, county, kind_label: str, permission: str) -> None:
    """A grave incident, to those responsible at the county-level body: where and what kind, never who."""
    notify(holders(permission, county), _message(
        Kind.GRAVE_INCIDENT, T.GRAVE_INCIDENT_TITLE, T.GRAVE_INCIDENT_BODY, "/cases?tab=incidents",
        organization=organization.name, kind=kind_label), key=f"grave-incident:{incident_id}")
