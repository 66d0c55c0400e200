"""报送 over GraphQL: report requests, reports, the superior's status rows, and the life-cycle mutations."""

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import Prefetch, Q
from strawberry import Info, relay
from strawberry.file_uploads import Upload

from graphql_api.access.types import organization_field
from graphql_api.connection import Connection
from graphql_api.context import actor_of, today
from graphql_api.declare import requires
from graphql_api.enums import choices_enum
from graphql_api.errors import decode_id, error_type, run
from graphql_api.lookups import in_subtree, visible_by_id
from graphql_api.photos import PhotoInfo, photo_infos
from graphql_api.programs.common import can_at, ids, relay_id
from graphql_api.rollups.types import (
    CASE_PREFIX, PeriodInput, RollupType, cases_visible, resolve_period, rollup_type, without_cases,
)
from rollups import reports as services
from rollups.errors import ReportErrorCode, RollupErrorCode
from rollups.models import Report, ReportRequest, ReportState

SUBMIT, APPROVE = services.SUBMIT, services.APPROVE
ReportError = error_type("ReportError", ReportErrorCode, RollupErrorCode)
ReportStateEnum = choices_enum(ReportState, "ReportState", "报送状态 / State of a report")


def _pk(value: relay.GlobalID) -> int:
    return int(value.node_id) if value.node_id.isdigit() else 0


@strawberry.type(name="ReportFigure", description="一项数据（指标见 rollups/metrics.py） / One figure by its metric name")
class ReportFigure:
    metric: str
    value: Decimal


@strawberry.type(name="ReportDifference", description="报送数据与当前统计的差异 / A figure that differs from the live count")
class ReportDifference:
    metric: str
    label: str = strawberry.field(description="数据项名称 / The figure's name")
    reported: Decimal = strawberry.field(description="报送数 / As reported")
    live: Decimal = strawberry.field(description="当前统计（实时） / Counted now in the subtree")


@strawberry.type(name="ReportStatusRow", description="一个报送对象的情况（上级视图） / One addressee, as the superior sees it")
class ReportStatusRow:
    organization_id: relay.GlobalID
    organization_name: str
    state: Optional[ReportStateEnum] = strawberry.field(description="未开始填报时为 null / Null while missing")
    report_id: Optional[relay.GlobalID]
    missing: bool = strawberry.field(description="尚未开始填报 / No report started at all")
    late: bool = strawberry.field(description="已过截止且未报送或未通过 / Past the deadline, nothing submitted or approved")
    submitted_at: Optional[datetime]
    reminded_at: Optional[datetime] = strawberry.field(description="截止前已提醒 / When the reminder went out")


def _status_row(addressee, deadline: date, on: date) -> ReportStatusRow:
    """One row from an addressee of ``services.addressed`` (its report's columns beside it)."""
    state, report_id = addressee.report_state, addressee.report_id
    return ReportStatusRow(
        organization_id=relay_id("Organization", addressee.organization_id),
        organization_name=addressee.organization.name, state=ReportStateEnum[state] if state else None,
        report_id=relay_id("Report", report_id) if report_id else None, missing=report_id is None,
        late=services.is_late(deadline, on, state), submitted_at=addressee.report_submitted_at,
        reminded_at=addressee.reminded_at)


@strawberry_django.filter_type(ReportRequest, lookups=False)
class ReportRequestFilter:
    @strawberry_django.filter_field(description="发起组织在该组织及其下级 / Opened in this organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)

    @strawberry_django.filter_field(description="发给该组织 / Addressed to this organization")
    def addressed_to(self, value: relay.GlobalID, prefix: str) -> Q:
        return Q(**{f"{prefix}recipients__organization_id": _pk(value)})

    @strawberry_django.filter_field
    def campaign(self, value: relay.GlobalID, prefix: str) -> Q:
        return Q(**{f"{prefix}campaign_id": _pk(value)})


def _shown(report: Report, info: Info) -> tuple[dict, bool]:
    """A report's figures this reader may see: case work only with cases.view_case at the reporting body."""
    show = cases_visible(actor_of(info), [report.organization])
    return (report.figures if show else without_cases(report.figures)), show


@strawberry_django.type(ReportRequest, name="ReportRequest", description="报送任务 / A report request from a superior body")
class ReportRequestType(relay.Node):
    title: str
    instructions: str
    deadline: date
    opened_by: str
    created_at: datetime
    organization = organization_field("发起的上级组织 / The superior body that asked")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return services.visible_requests(actor_of(info), queryset)

    @strawberry_django.field(
        only=["organization_id", "org_path"], select_related=["answers"],
        description="本任务汇总后上报的上级任务；不可见时为 null / The superior's request that this one's approved reports "
                    "feed; null outside your scope")
    def answers(self, info: Info) -> Optional["ReportRequestType"]:
        # Those who may report for this request's body are addressees of the request it answers.
        found = self.answers
        if found is None or not (can_at(info, SUBMIT, self) or can_at(info, SUBMIT, found) or can_at(info, APPROVE, found)):
            return None
        return found

    @strawberry_django.field(only=["first_month"], description="期间起始 / First day of the period")
    def starts_on(self) -> date:
        return self.first_month

    @strawberry_django.field(only=["first_month", "last_month"], description="期间结束 / Last day of the period")
    def ends_on(self) -> date:
        return services.period_of(self).ends_on

    @strawberry_django.field(select_related=["organization"], description="发起组织名称 / The superior's name")
    def organization_name(self) -> str:
        return self.organization.name

    @strawberry_django.field(select_related=["campaign"], description="所属行动 / The campaign")
    def campaign_title(self) -> Optional[str]:
        return self.campaign.title if self.campaign_id else None

    @strawberry_django.field(only=["deadline"], description="已过截止 / Past the deadline")
    def overdue(self, info: Info) -> bool:
        return self.deadline < today(info)

    @strawberry_django.field(prefetch_related=["recipients__organization"], description="报送对象 / Organizations asked")
    def addressee_names(self) -> list[str]:
        return [r.organization.name for r in self.recipients.all()]

    @strawberry_django.field(
        only=["organization_id", "org_path", "deadline"],
        prefetch_related=[Prefetch("recipients", services.addressed(), to_attr="addressed")], description="各报送对象的情况：已报送、已通过、已退回、逾期、未报；仅上级（审核权限）可见，否则为 null / "
                    "Per addressee: submitted, approved, returned, late, missing; null unless you may approve here")
    def status(self, info: Info) -> Optional[list[ReportStatusRow]]:
        if not can_at(info, APPROVE, self):
            return None
        found = getattr(self, "addressed", None)
        if found is None:  # not prefetched: a request read without the optimizer
            found = services.addressed().filter(request=self)
        return [_status_row(addressee, self.deadline, today(info)) for addressee in found]


@strawberry_django.filter_type(Report, lookups=False)
class ReportFilter:
    @strawberry_django.filter_field
    def state(self, value: ReportStateEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}state": value.value})

    @strawberry_django.filter_field
    def request(self, value: relay.GlobalID, prefix: str) -> Q:
        return Q(**{f"{prefix}request_id": _pk(value)})

    @strawberry_django.filter_field(description="报送单位在该组织及其下级 / Reporting body in this organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)


@strawberry_django.type(Report, name="Report", description="下级的报送 / A subordinate's report")
class ReportType(relay.Node):
    narrative: str
    filled_at: datetime = strawberry_django.field(description="数据预填时间 / When the figures were pre-filled")
    submitted_at: Optional[datetime]
    submitted_by: str
    reviewed_at: Optional[datetime]
    reviewed_by: str
    return_comment: str = strawberry_django.field(description="最近一次退回意见 / The last return's comment")
    created_at: datetime
    updated_at: datetime
    organization = organization_field("报送单位 / The reporting body")
    request: ReportRequestType

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return services.visible_reports(actor_of(info), queryset)

    @strawberry_django.field(only=["state"])
    def state(self) -> ReportStateEnum:
        return ReportStateEnum[self.state]

    @strawberry_django.field(only=["state"], description="草稿或已退回时可修改 / Editable while DRAFT or RETURNED")
    def editable(self) -> bool:
        return self.state in services.EDITABLE

    @strawberry_django.field(select_related=["organization"], description="报送单位名称 / The reporting body's name")
    def organization_name(self) -> str:
        return self.organization.name

    @strawberry_django.field(only=["figures", "organization_id"], select_related=["organization"],
                             description="各项数据 / Every figure by metric")
    def figures(self, info: Info) -> list[ReportFigure]:
        return [ReportFigure(metric=k, value=Decimal(v)) for k, v in sorted(_shown(self, info)[0].items())]

    @strawberry_django.field(only=["figures", "filled_at", "organization_id"], select_related=["request", "organization"],
                             description="数据按统计口径展示 / The figures in the rollup's shape")
    def rollup(self, info: Info) -> RollupType:
        figures, show = _shown(self, info)
        values = {k: Decimal(v) for k, v in figures.items()}
        return rollup_type(values, services.period_of(self.request), self.filled_at, 0, show)

    @strawberry_django.field(only=["figures", "organization_id", "request_id"], select_related=["organization", "request"],
                             description="与下级子树当前实时统计不一致的数据项（审核前核对） / "
                                         "Figures differing from the subtree's live count, to check before approving")
    def differences(self, info: Info) -> list[ReportDifference]:
        show = _shown(self, info)[1]
        return [ReportDifference(metric=d.metric, label=d.label, reported=d.reported, live=d.live)
                for d in services.differences(self) if show or not d.metric.startswith(CASE_PREFIX)]

    @strawberry_django.field(prefetch_related=["photos"], description="照片 / Photos")
    def photos(self, info: Info) -> list[PhotoInfo]:
        return photo_infos(services.PHOTOS, self.photos.all(), actor_of(info))


@strawberry.input
class OpenReportRequestInput:
    organization_id: relay.GlobalID = strawberry.field(description="发起的上级组织 / The superior body")
    title: str
    deadline: date
    period: PeriodInput = strawberry.field(description="行动（CAMPAIGN + campaignId）或期间 / A campaign or a period")
    instructions: str = ""
    addressee_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="为空则发给全部直属下级 / Empty: every direct child organization")
    answers_id: Optional[relay.GlobalID] = strawberry.field(
        default=None, description="上级发给本组织的报送任务 / The superior's request this one feeds")


@strawberry.input
class ReportFigureInput:
    metric: str
    value: Decimal


@strawberry.input
class SaveReportInput:
    request_id: relay.GlobalID
    organization_id: relay.GlobalID = strawberry.field(description="报送单位 / The reporting body (an addressee)")
    narrative: Optional[str] = None
    figures: Optional[list[ReportFigureInput]] = strawberry.field(
        default=None, description="修改的数据项，其余保持预填值 / Figures to change; the rest stay as pre-filled")
    refill: bool = strawberry.field(default=False, description="重新预填数据 / Pre-fill the figures again")
    photos: list[Upload] = strawberry.field(default_factory=list, description="照片（去除 EXIF/GPS） / Photos, EXIF/GPS stripped")


@strawberry.input
class ReportActionInput:
    id: relay.GlobalID
    comment: str = strawberry.field(default="", description="退回时必填 / Required to return")
    confirm: bool = strawberry.field(default=False, description="数据与当前统计不一致时仍审核通过 / Approve although the "
                                                               "figures differ from the live count (FIGURES_CHANGED)")


@strawberry.type
class ReportRequestPayload:
    request: Optional[ReportRequestType] = None
    errors: list[ReportError]


@strawberry.type
class ReportPayload:
    report: Optional[ReportType] = None
    errors: list[ReportError]


def _transition(info: Info, input: ReportActionInput, action: str) -> ReportPayload:
    actor = actor_of(info)
    return run(ReportPayload, ReportError, lambda: {"report": services.transition(
        actor, report_id=decode_id(input.id, "Report"), action=action, comment=input.comment, confirm=input.confirm)})


@strawberry.type
class Query:
    report_requests: Connection[ReportRequestType] = strawberry_django.connection(
        filters=ReportRequestFilter, extensions=requires(SUBMIT, APPROVE),
        description="本组织发起或发给本组织的报送任务 / Report requests opened in or addressed to your scope")
    reports: Connection[ReportType] = strawberry_django.connection(
        filters=ReportFilter, extensions=requires(SUBMIT, APPROVE),
        description="本组织的报送及下级报给本组织的 / Your reports and those sent to you")

    @strawberry_django.field(extensions=requires(SUBMIT, APPROVE), description="按 ID 取报送任务 / One report request")
    def report_request(self, info: Info, id: relay.GlobalID) -> Optional[ReportRequestType]:
        return visible_by_id(ReportRequestType, info, id, "ReportRequest")

    @strawberry_django.field(extensions=requires(SUBMIT, APPROVE), description="按 ID 取报送 / One report")
    def report(self, info: Info, id: relay.GlobalID) -> Optional[ReportType]:
        return visible_by_id(ReportType, info, id, "Report")


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(APPROVE), description="向直属下级发起报送 / Open a report request")
    def open_report_request(self, info: Info, input: OpenReportRequestInput) -> ReportRequestPayload:
        actor = actor_of(info)

        def action():
            campaign_id = decode_id(input.period.campaign_id, "Campaign", "period") if input.period.kind.value == "CAMPAIGN" else None
            return {"request": services.open_request(
                actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"),
                title=input.title, deadline=input.deadline, period_=resolve_period(actor, input.period),
                instructions=input.instructions, campaign_id=campaign_id,
                addressee_ids=ids(input.addressee_ids, "Organization", "addresseeIds"),
                answers_id=decode_id(input.answers_id, "ReportRequest", "answersId"))}

        return run(ReportRequestPayload, ReportError, action)

    @strawberry.mutation(extensions=requires(SUBMIT), description="起草或保存报送（首次保存时预填数据） / Draft or save a report")
    def save_report(self, info: Info, input: SaveReportInput) -> ReportPayload:
        actor = actor_of(info)
        figures = None if input.figures is None else [(f.metric, f.value) for f in input.figures]
        return run(ReportPayload, ReportError, lambda: {"report": services.save_report(
            actor, request_id=decode_id(input.request_id, "ReportRequest", "requestId"),
            organization_id=decode_id(input.organization_id, "Organization", "organizationId"), narrative=input.narrative,
            figures=figures, refill=input.refill, uploads=input.photos)})

    @strawberry.mutation(extensions=requires(SUBMIT), description="报送 / Submit a report")
    def submit_report(self, info: Info, input: ReportActionInput) -> ReportPayload:
        return _transition(info, input, "submit")

    @strawberry.mutation(extensions=requires(SUBMIT), description="审核前撤回 / Withdraw a report before review")
    def withdraw_report(self, info: Info, input: ReportActionInput) -> ReportPayload:
        return _transition(info, input, "withdraw")

    @strawberry.mutation(extensions=requires(APPROVE), description="审核通过（锁定数据） / Approve a report; it is locked")
    def approve_report(self, info: Info, input: ReportActionInput) -> ReportPayload:
        return _transition(info, input, "approve")

    @strawberry.mutation(extensions=requires(APPROVE), description="退回修改（须填意见） / Return a report with a comment")
    def return_report(self, info: Info, input: ReportActionInput) -> ReportPayload:
        return _transition(info, input, "return")
