from datetime import date
from decimal import Decimal
from typing import Optional

import strawberry
from strawberry import Info, relay

from cases import services
from cases.errors import CaseErrorCode
from children.errors import ChildErrorCode
from graphql_api.cases.types import (
    ActionStatusEnum, AidProgrammeEnum, CaseType, IncidentKindEnum, InformedEnum, RatingEnum, ReferralStatusEnum,
    ReferralTargetEnum, ServiceKindEnum, SeverityEnum,
)
from graphql_api.context import actor_of
from graphql_api.declare import requires
from graphql_api.errors import decode_id, error_type, run
from permissions.errors import PermissionsErrorCode

CHANGE = "cases.change_case"
CaseError = error_type("CaseError", CaseErrorCode, ChildErrorCode, PermissionsErrorCode)


@strawberry.type
class CasePayload:
    case: Optional[CaseType] = None
    errors: list[CaseError]


@strawberry.input
class OpenCaseInput:
    child_id: relay.GlobalID


@strawberry.input
class CloseCaseInput:
    child_id: relay.GlobalID
    reason: str


@strawberry.input
class RecordAssessmentInput:
    child_id: relay.GlobalID
    assessed_on: date
    guardian_capacity: RatingEnum = strawberry.field(description="监护能力 / Guardian capacity")
    school_attendance: RatingEnum = strawberry.field(description="就学情况 / School attendance")
    health: RatingEnum = strawberry.field(description="身体健康 / Health")
    psychological_state: RatingEnum = strawberry.field(description="心理状况 / Psychological state")
    safety_at_home: RatingEnum = strawberry.field(description="家庭安全 / Safety at home")
    parent_contact: RatingEnum = strawberry.field(description="与父母联系 / Contact with the parents")
    note: str = ""


@strawberry.input
class AddCaseGoalInput:
    child_id: relay.GlobalID
    text: str


@strawberry.input
class AddCaseActionInput:
    goal_id: relay.GlobalID
    text: str
    owner: str = strawberry.field(description="负责人的用户名（见 Case.staff） / The owner's username (from Case.staff)")
    due_on: date


@strawberry.input
class SetCaseActionStatusInput:
    id: relay.GlobalID
    status: ActionStatusEnum


@strawberry.input
class ReportIncidentInput:
    child_id: relay.GlobalID
    kind: IncidentKindEnum
    severity: SeverityEnum
    occurred_on: date
    description: str
    informed: list[InformedEnum] = strawberry.field(default_factory=list)
    informed_on: Optional[date] = None
    follow_up: str = ""


@strawberry.input
class UpdateIncidentInput:
    id: relay.GlobalID
    follow_up: Optional[str] = None
    informed: Optional[list[InformedEnum]] = None
    informed_on: Optional[date] = None
    close: bool = False


@strawberry.input
class ReferCaseInput:
    child_id: relay.GlobalID
    target: ReferralTargetEnum
    reason: str
    sent_on: date
    receiver: str = ""
    unit_id: Optional[relay.GlobalID] = strawberry.field(default=None, description="合作单位 / The partner unit")
    access_days: int = strawberry.field(default=services.DEFAULT_ACCESS_DAYS,
                                        description="合作单位可查阅的天数 / Days the partner unit may read the case")


@strawberry.input
class UpdateReferralInput:
    id: relay.GlobalID
    status: ReferralStatusEnum
    feedback: Optional[str] = None


@strawberry.input
class RecordCaseServiceInput:
    child_id: relay.GlobalID
    kind: ServiceKindEnum
    given_on: date
    provider: str = ""
    with_whom: str = ""
    minutes: Optional[int] = None
    programme: Optional[AidProgrammeEnum] = None
    amount: Optional[Decimal] = None
    summary: str = ""


def _child(data) -> int:
    return decode_id(data.child_id, "Child", "childId")


def _case(service):
    """Run a service returning the case or a record of it; answer with the case."""
    def action():
        result = service()
        case = getattr(result, "case", None) or getattr(getattr(result, "goal", None), "case", None) or result
        return {"case": case}

    return action


def _values(members) -> list[str]:
    return [m.value for m in members]


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(CHANGE), description="立案或重新立案 / Open or reopen a child's case")
    def open_case(self, info: Info, input: OpenCaseInput) -> CasePayload:
        actor = actor_of(info)
        return run(CasePayload, CaseError, _case(lambda: services.open_case(actor, child_id=_child(input))))

    @strawberry.mutation(extensions=requires(CHANGE), description="结案 / Close a case with a reason")
    def close_case(self, info: Info, input: CloseCaseInput) -> CasePayload:
        actor = actor_of(info)
        return run(CasePayload, CaseError, _case(lambda: services.close_case(actor, child_id=_child(input), reason=input.reason)))

    @strawberry.mutation(extensions=requires(CHANGE), description="风险评估 / Record a risk assessment")
    def record_assessment(self, info: Info, input: RecordAssessmentInput) -> CasePayload:
        actor = actor_of(info)
        ratings = {item: getattr(input, item).value for item in services.risk.ITEMS}
        return run(CasePayload, CaseError, _case(lambda: services.record_assessment(
            actor, child_id=_child(input), assessed_on=input.assessed_on, ratings=ratings, note=input.note)))

    @strawberry.mutation(extensions=requires(CHANGE), description="添加个案目标 / Add a goal to the case plan")
    def add_case_goal(self, info: Info, input: AddCaseGoalInput) -> CasePayload:
        actor = actor_of(info)
        return run(CasePayload, CaseError, _case(lambda: services.add_goal(actor, child_id=_child(input), text=input.text)))

    @strawberry.mutation(extensions=requires(CHANGE), description="添加措施 / Add an action towards a goal")
    def add_case_action(self, info: Info, input: AddCaseActionInput) -> CasePayload:
        actor = actor_of(info)
        return run(CasePayload, CaseError, _case(lambda: services.add_action(
            actor, goal_id=decode_id(input.goal_id, "CaseGoal", "goalId"), text=input.text, owner=input.owner,
            due_on=input.due_on)))

    @strawberry.mutation(extensions=requires(CHANGE), description="更新措施状态 / Set an action's status")
    def set_case_action_status(self, info: Info, input: SetCaseActionStatusInput) -> CasePayload:
        actor = actor_of(info)
        return run(CasePayload, CaseError, _case(lambda: services.set_action_status(
            actor, action_id=decode_id(input.id, "CaseAction"), status=input.status.value)))

    @strawberry.mutation(extensions=requires(CHANGE),
                         description="报告事件（严重事件将儿童升为高风险并通知县级组织） / Report an incident")
    def report_incident(self, info: Info, input: ReportIncidentInput) -> CasePayload:
        actor = actor_of(info)
        return run(CasePayload, CaseError, _case(lambda: services.report_incident(
            actor, child_id=_child(input), kind=input.kind.value, severity=input.severity.value,
            occurred_on=input.occurred_on, description=input.description, informed=_values(input.informed),
            informed_on=input.informed_on, follow_up=input.follow_up)))

    @strawberry.mutation(extensions=requires(CHANGE), description="跟进或处置完毕事件 / Follow up or close an incident")
    def update_incident(self, info: Info, input: UpdateIncidentInput) -> CasePayload:
        actor = actor_of(info)
        return run(CasePayload, CaseError, _case(lambda: services.update_incident(
            actor, incident_id=decode_id(input.id, "CaseIncident"), follow_up=input.follow_up,
            informed=None if input.informed is None else _values(input.informed), informed_on=input.informed_on,
            close=input.close)))

    @strawberry.mutation(extensions=requires(CHANGE),
                         description="转介（转介合作单位时授予其限时查阅权） / Refer the child; a partner unit may read the "
                                     "case until the referral closes or its access ends")
    def refer_case(self, info: Info, input: ReferCaseInput) -> CasePayload:
        actor = actor_of(info)
        return run(CasePayload, CaseError, _case(lambda: services.refer(
            actor, child_id=_child(input), target=input.target.value, reason=input.reason, sent_on=input.sent_on,
            receiver=input.receiver, unit_id=decode_id(input.unit_id, "Organization", "unitId"),
            access_days=input.access_days)))

    @strawberry.mutation(extensions=requires(CHANGE), description="更新转介状态与反馈 / Move a referral on, with feedback")
    def update_referral(self, info: Info, input: UpdateReferralInput) -> CasePayload:
        actor = actor_of(info)
        return run(CasePayload, CaseError, _case(lambda: services.update_referral(
            actor, referral_id=decode_id(input.id, "CaseReferral"), status=input.status.value, feedback=input.feedback)))

    @strawberry.mutation(extensions=requires(CHANGE),
                         description="记录服务（心理疏导、亲情电话、安全教育、资助） / Record a service given")
    def record_case_service(self, info: Info, input: RecordCaseServiceInput) -> CasePayload:
        actor = actor_of(info)
        return run(CasePayload, CaseError, _case(lambda: services.record_service(
            actor, child_id=_child(input), kind=input.kind.value, given_on=input.given_on, provider=input.provider,
            with_whom=input.with_whom, minutes=input.minutes, programme=input.programme.value if input.programme else "",
            amount=input.amount, summary=input.summary)))
