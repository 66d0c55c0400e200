"""A child's protection case as readers see it: kinds, dates, statuses and the level for anyone who sees the case;
the texts, rated items and reasons only in clear (cases/privacy.py), each clear read audited like a child's."""

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import Q
from django.utils import timezone
from strawberry import Info, relay

from cases import privacy, services
from cases.models import (
    ActionStatus, AidProgramme, Case, CaseStatus, Incident, IncidentKind, Informed, Rating, ReferralStatus,
    ReferralTarget, RiskLevel, ServiceKind, Severity,
)
from cases.risk import ITEMS, Reason
from graphql_api.children.types import age_on
from graphql_api.context import actor_of
from graphql_api.enums import choices_enum
from graphql_api.lookups import in_subtree
from graphql_api.pii import note_read
from permissions.actor import person_label

RiskLevelEnum = choices_enum(RiskLevel, "RiskLevel", "风险等级 / Risk level")
RatingEnum = choices_enum(Rating, "RiskRating", "评估项评级 / Rating of an assessed item")
RiskReasonEnum = strawberry.enum(
    enum.Enum("RiskReason", {r.name: strawberry.enum_value(r.name, description=r.zh) for r in Reason}),
    name="RiskReason", description="风险原因（规则） / Why the level (the rule that set it)")
CaseStatusEnum = choices_enum(CaseStatus, "CaseStatus", "个案状态 / Case status")
ActionStatusEnum = choices_enum(ActionStatus, "CaseActionStatus", "措施状态 / Status of a plan action")
IncidentKindEnum = choices_enum(IncidentKind, "IncidentKind", "事件类型 / Kind of incident")
SeverityEnum = choices_enum(Severity, "IncidentSeverity", "严重程度 / Severity")
InformedEnum = choices_enum(Informed, "InformedParty", "已告知方 / Who was told")
ReferralTargetEnum = choices_enum(ReferralTarget, "ReferralTarget", "转介对象 / Where a child is referred")
ReferralStatusEnum = choices_enum(ReferralStatus, "ReferralStatus", "转介状态 / Status of a referral")
ServiceKindEnum = choices_enum(ServiceKind, "CaseServiceKind", "服务类型 / Kind of service")
AidProgrammeEnum = choices_enum(AidProgramme, "AidProgramme", "资助项目 / Aid programme")


def _id(type_name: str, pk) -> strawberry.ID:
    return strawberry.ID(relay.to_base64(type_name, pk))


@strawberry.type(name="CaseAssessment", description="风险评估 / A risk assessment")
class AssessmentInfo:
    assessed_on: date
    level: RiskLevelEnum
    ratings: Optional[list["RatedItem"]] = strawberry.field(description="各项评级；无个人信息权限时为 null / Null when masked")
    reasons: list[RiskReasonEnum]
    note: str
    assessor: str


@strawberry.type(name="RatedItem", description="评估项 / An assessed item")
class RatedItem:
    item: str = strawberry.field(description="guardianCapacity, schoolAttendance, health, psychologicalState, "
                                             "safetyAtHome, parentContact")
    rating: RatingEnum


@strawberry.type(name="CaseAction", description="个案措施 / An action of the plan")
class ActionInfo:
    id: strawberry.ID
    text: str
    owner: str = strawberry.field(description="负责人（姓名） / Owner's name")
    due_on: date
    status: ActionStatusEnum
    overdue: bool


@strawberry.type(name="CaseGoal", description="个案目标 / A goal of the plan")
class GoalInfo:
    id: strawberry.ID
    text: str
    actions: list[ActionInfo]


@strawberry.type(name="CaseIncident", description="事件 / An incident")
class IncidentInfo:
    id: strawberry.ID
    kind: IncidentKindEnum
    severity: SeverityEnum
    occurred_on: date
    description: str
    informed: list[InformedEnum]
    informed_on: Optional[date]
    follow_up: str
    closed: bool
    reported_by: str


@strawberry.type(name="CaseReferral", description="转介 / A referral")
class ReferralInfo:
    id: strawberry.ID
    target: ReferralTargetEnum
    receiver: str
    reason: str
    status: ReferralStatusEnum
    feedback: str
    sent_on: date
    access_until: Optional[datetime] = strawberry.field(description="合作单位查阅期限 / Until when the partner may read")
    referred_by: str


@strawberry.type(name="CaseService", description="服务记录 / A service given")
class ServiceInfo:
    kind: ServiceKindEnum
    given_on: date
    provider: str
    with_whom: str
    minutes: Optional[int]
    programme: Optional[AidProgrammeEnum]
    amount: Optional[Decimal]
    summary: str
    recorded_by: str


@strawberry.type(name="CaseStaffMember", description="可负责措施的工作人员 / A staff member who may own an action")
class StaffInfo:
    username: str
    name: str


@strawberry.type(name="CasePartnerUnit", description="可转介的合作单位 / A unit a case may be referred to")
class PartnerUnitInfo:
    id: relay.GlobalID
    name: str


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def clear(info: Info, case: Case) -> bool:
    """Whether the reader sees the case in clear; a clear read is noted for the audit (graphql_api/pii.py)."""
    if not privacy.clear(actor_of(info).scope, case):
        return False
    note_read(info, "cases.Case", case.pk, case.child.organization_id, case.child.org_path)
    return True


CHILD = ["child__name", "child__birth_date", "child__organization_id", "child__org_path"]


@strawberry_django.filter_type(Case, lookups=False)
class CaseFilter:
    @strawberry_django.filter_field(description="该组织及其下级 / This organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, f"{prefix}child__")

    @strawberry_django.filter_field
    def risk_level(self, value: RiskLevelEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}risk_level": value.value})

    @strawberry_django.filter_field
    def status(self, value: CaseStatusEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}status": value.value})

    @strawberry_django.filter_field(description="复评已逾期 / Reassessment overdue")
    def overdue_reassessment(self, value: bool, prefix: str) -> Q:
        q = services.overdue_q(timezone.localdate(), prefix)
        return q if value else ~q


@strawberry_django.type(Case, name="Case", description="保护个案 / A child's protection case (texts need the personal-data "
                                                          "permission or a referral's access)")
class CaseType(relay.Node):
    next_assessment_on: Optional[date]
    created_at: datetime
    opened_by: str

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return queryset.filter(services.cases_q(actor_of(info)))

    @strawberry_django.field(only=["status"])
    def status(self) -> CaseStatusEnum:
        return CaseStatusEnum[self.status]

    @strawberry_django.field(only=["risk_level"])
    def risk_level(self) -> Optional[RiskLevelEnum]:
        return RiskLevelEnum[self.risk_level] if self.risk_level else None

    @strawberry_django.field(only=["status", "next_assessment_on"], description="复评已逾期 / Reassessment overdue")
    def overdue(self) -> bool:
        return self.status == CaseStatus.OPEN and self.next_assessment_on is not None \
            and self.next_assessment_on < timezone.localdate()

    @strawberry_django.field(only=["child_id"], description="儿童档案 ID / The child's record")
    def child_id(self) -> relay.GlobalID:
        return relay.GlobalID("Child", str(self.child_id))

    @strawberry_django.field(only=CHILD, select_related=["child"], description="儿童姓名（按权限脱敏） / The child's name, masked")
    def child_name(self, info: Info) -> str:
        return privacy.child_name(self, clear(info, self))

    @strawberry_django.field(only=CHILD, select_related=["child"])
    def child_age(self) -> int:
        return age_on(self.child.birth_date, timezone.localdate())

    @strawberry_django.field(only=CHILD, select_related=["child__organization"], description="建档组织 / Keeping organization")
    def organization_name(self) -> str:
        return self.child.organization.name

    @strawberry_django.field(only=CHILD, select_related=["child"], description="是否可见明文 / Whether you read it in clear")
    def texts_visible(self, info: Info) -> bool:
        return privacy.clear(actor_of(info).scope, self)

    @strawberry_django.field(only=["risk_reasons", *CHILD], select_related=["child"])
    def risk_reasons(self, info: Info) -> list[RiskReasonEnum]:
        return [RiskReasonEnum[r] for r in self.risk_reasons] if self.risk_reasons and clear(info, self) else []

    @strawberry_django.field(only=["closed_reason", "closed_at", *CHILD], select_related=["child"])
    def closed_reason(self, info: Info) -> str:
        return privacy.text(self.closed_reason, bool(self.closed_reason) and clear(info, self))

    @strawberry_django.field(only=CHILD, select_related=["child"], prefetch_related=["assessments"])
    def assessments(self, info: Info) -> list[AssessmentInfo]:
        rows = list(self.assessments.all())
        shown = bool(rows) and clear(info, self)
        return [AssessmentInfo(
            assessed_on=a.assessed_on, level=RiskLevelEnum[a.level], assessor=a.assessor,
            ratings=[RatedItem(item=_camel(i), rating=RatingEnum[getattr(a, i)]) for i in ITEMS] if shown else None,
            reasons=[RiskReasonEnum[r] for r in a.reasons] if shown else [], note=privacy.text(a.note, shown),
        ) for a in rows]

    @strawberry_django.field(only=CHILD, select_related=["child"], prefetch_related=["goals__actions__owner"])
    def goals(self, info: Info) -> list[GoalInfo]:
        rows = list(self.goals.all())
        shown = bool(rows) and clear(info, self)
        today = timezone.localdate()
        return [GoalInfo(id=_id("CaseGoal", g.pk), text=privacy.text(g.text, shown), actions=[
            ActionInfo(id=_id("CaseAction", a.pk), text=privacy.text(a.text, shown), owner=person_label(a.owner),
                       due_on=a.due_on, status=ActionStatusEnum[a.status],
                       overdue=a.due_on < today and a.status in (ActionStatus.TODO, ActionStatus.DOING))
            for a in g.actions.all()]) for g in rows]

    @strawberry_django.field(only=CHILD, select_related=["child"], prefetch_related=["incidents"])
    def incidents(self, info: Info) -> list[IncidentInfo]:
        rows = list(self.incidents.all())
        shown = bool(rows) and clear(info, self)
        return [incident_info(i, shown) for i in rows]

    @strawberry_django.field(only=CHILD, select_related=["child"], prefetch_related=["referrals"])
    def referrals(self, info: Info) -> list[ReferralInfo]:
        rows = list(self.referrals.all())
        shown = bool(rows) and clear(info, self)
        return [ReferralInfo(id=_id("CaseReferral", r.pk), target=ReferralTargetEnum[r.target],
                             receiver=r.receiver, reason=privacy.text(r.reason, shown),
                             status=ReferralStatusEnum[r.status], feedback=privacy.text(r.feedback, shown),
                             sent_on=r.sent_on, access_until=r.access_until, referred_by=r.referred_by) for r in rows]

    @strawberry_django.field(only=CHILD, select_related=["child"], prefetch_related=["services"])
    def services(self, info: Info) -> list[ServiceInfo]:
        rows = list(self.services.all())
        shown = bool(rows) and clear(info, self)
        return [ServiceInfo(kind=ServiceKindEnum[s.kind], given_on=s.given_on, provider=privacy.text(s.provider, shown),
                            with_whom=privacy.text(s.with_whom, shown), minutes=s.minutes,
                            programme=AidProgrammeEnum[s.programme] if s.programme else None, amount=s.amount,
                            summary=privacy.text(s.summary, shown), recorded_by=s.recorded_by) for s in rows]

    @strawberry_django.field(only=CHILD, select_related=["child__organization"],
                             description="可转介的合作单位（本县；仅个案工作人员可见） / Units of the county it may be referred to")
    def partner_units(self, info: Info) -> list[PartnerUnitInfo]:
        if not actor_of(info).can(privacy.CHANGE, self.child.organization):
            return []
        return [PartnerUnitInfo(id=relay.GlobalID("Organization", str(pk)), name=name)
                for pk, name in services.partner_units(self.child.organization).values_list("pk", "name")[:100]]

    @strawberry_django.field(only=CHILD, select_related=["child__organization"],
                             description="可负责措施的工作人员（仅个案工作人员可见） / Who may own an action")
    def staff(self, info: Info) -> list[StaffInfo]:
        return [StaffInfo(username=u.get_username(), name=person_label(u)) for u in services.staff_of(actor_of(info), self)]


def incident_info(i: Incident, shown: bool) -> IncidentInfo:
    return IncidentInfo(id=_id("CaseIncident", i.pk), kind=IncidentKindEnum[i.kind], severity=SeverityEnum[i.severity],
                        occurred_on=i.occurred_on, description=privacy.text(i.description, shown),
                        informed=[InformedEnum[v] for v in i.informed], informed_on=i.informed_on,
                        follow_up=privacy.text(i.follow_up, shown), closed=i.closed_at is not None,
                        reported_by=i.reported_by)


@strawberry_django.filter_type(Incident, lookups=False)
class IncidentFilter:
    @strawberry_django.filter_field(description="该组织及其下级 / This organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, f"{prefix}case__child__")

    @strawberry_django.filter_field(description="未处置完毕 / Still open")
    def open(self, value: bool, prefix: str) -> Q:
        return Q(**{f"{prefix}closed_at__isnull": value})

    @strawberry_django.filter_field
    def severity(self, value: SeverityEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}severity": value.value})


@strawberry_django.type(Incident, name="Incident", description="事件（县级列表） / An incident, as the county's list shows it")
class IncidentType(relay.Node):
    occurred_on: date
    reported_by: str

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return queryset.filter(services.cases_q(actor_of(info), prefix="case__"))

    @strawberry_django.field(only=["kind"])
    def kind(self) -> IncidentKindEnum:
        return IncidentKindEnum[self.kind]

    @strawberry_django.field(only=["severity"])
    def severity(self) -> SeverityEnum:
        return SeverityEnum[self.severity]

    @strawberry_django.field(only=["closed_at"])
    def closed(self) -> bool:
        return self.closed_at is not None

    @strawberry_django.field(only=["case_id"], description="所属个案 / The case")
    def case_id(self) -> relay.GlobalID:
        return relay.GlobalID("Case", str(self.case_id))

    @strawberry_django.field(only=["case__child_id"], select_related=["case"], description="儿童档案 ID / The child's record")
    def child_id(self) -> relay.GlobalID:
        return relay.GlobalID("Child", str(self.case.child_id))

    @strawberry_django.field(only=[f"case__{f}" for f in CHILD], select_related=["case__child"])
    def child_name(self, info: Info) -> str:
        return privacy.child_name(self.case, clear(info, self.case))

    @strawberry_django.field(only=[f"case__{f}" for f in CHILD], select_related=["case__child__organization"])
    def organization_name(self) -> str:
        return self.case.child.organization.name
