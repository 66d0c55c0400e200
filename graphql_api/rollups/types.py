from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Optional

import strawberry
from strawberry import relay

from cases import privacy as case_privacy
from cases.models import ReferralStatus
from children.models import Category, GuardianArrangement
from programs.models import PairingKind
from graphql_api.errors import decode_id
from rollups import services

PeriodKind = strawberry.enum(Enum("PeriodKind", {k: k for k in ("MONTH", "QUARTER", "YEAR", "CAMPAIGN", "CUSTOM")}),
                             description="统计期间 / Kind of period")
BreakdownBy = strawberry.enum(Enum("BreakdownBy", {k: k for k in ("CHILD_ORGANIZATION", "DIVISION")}),
                              description="下钻方式 / How to break down")


@strawberry.input(description="月 (year, number 1–12)、季 (year, number 1–4)、年 (year)、行动 (campaignId)、自定义 (startsOn, endsOn)；按整月统计 / "
                              "Figures are kept by month: a period covers the whole months it touches")
class PeriodInput:
    kind: PeriodKind
    year: Optional[int] = None
    number: Optional[int] = None
    starts_on: Optional[date] = None
    ends_on: Optional[date] = None
    campaign_id: Optional[relay.GlobalID] = None


def resolve_period(actor, data: PeriodInput) -> services.Period:
    campaign = None
    if data.kind.value == "CAMPAIGN" and data.campaign_id is not None:
        from programs import campaigns
        campaign = campaigns.visible(actor).filter(pk=decode_id(data.campaign_id, "Campaign", "period")).first()
    return services.period(data.kind.value, year=data.year, number=data.number, starts_on=data.starts_on,
                           ends_on=data.ends_on, campaign=campaign)


@strawberry.type(name="KeyCount")
class KeyCount:
    key: str
    label: str
    count: int


@strawberry.type(name="ChildFigures", description="在册儿童（当前） / Children in care now")
class ChildFigures:
    total: int
    by_category: list[KeyCount]
    by_arrangement: list[KeyCount]


@strawberry.type(name="WishFigures", description="期间内的心愿 / Wishes in the period")
class WishFigures:
    collected: int
    published: int
    claimed: int
    delivered: int
    fulfilled: int
    escalated: int
    closed: int
    fulfilment_rate: Optional[float] = strawberry.field(description="圆梦率 = 圆梦 / 征集 / fulfilled ÷ collected")
    claimed_value: Decimal = strawberry.field(description="认领心愿价值（元，心愿估价，认领完成时） / Estimated value of the wishes fully claimed")
    delivered_value: Decimal = strawberry.field(description="发放心愿价值（元） / Estimated value of the wishes delivered")
    children_fulfilled: int = strawberry.field(description="圆梦儿童：每个机构内按儿童首次圆梦计一次 / "
                                                           "Children whose wishes came true, once per body at their first")


@strawberry.type(name="DonorFigures", description="期间内首次认领的捐赠人（每个机构内计一次） / Donors by their first claim at each body")
class DonorFigures:
    individuals: int
    units: int


@strawberry.type(name="CaseFigures", description="个案工作（不含个人信息） / Case work, without personal data")
class CaseFigures:
    high_risk: int = strawberry.field(description="当前高风险儿童（个案进行中） / Children at high risk now (open cases)")
    open_incidents: int = strawberry.field(description="当前未处置完毕的事件 / Incidents open now")
    referrals_by_status: list[KeyCount] = strawberry.field(description="当前转介按状态 / Referrals by status now")
    counselling_sessions: int = strawberry.field(description="期间内心理疏导次数 / Counselling sessions in the period")
    aid_paid: Decimal = strawberry.field(description="期间内资助金额（元） / Aid paid in the period")


@strawberry.type(name="HappyHomeFigures", description="快乐家园（当前） / Happy homes now")
class HomeFigures:
    sites: int
    children_served: int
    volunteers: int
    volunteer_ratio: Optional[float] = strawberry.field(description="志愿者 / 服务儿童 / volunteers ÷ children served")
    below_standard: int


@strawberry.type(name="HolidayRollup", description="七彩假期（期间内开设的服务点；已确认时长） / Holiday service in the period")
class HolidayRollup:
    service_points: int
    children_served: int
    volunteers: int = strawberry.field(description="服务点志愿者人次 / Volunteer places at service points")
    service_hours: Decimal
    money_raised: Decimal
    goods_value: Decimal


@strawberry.type(name="PairingFigures")
class PairingFigures:
    active: int
    overdue: int
    started: int = strawberry.field(description="期间内新结对 / Started in the period")
    by_kind: list[KeyCount] = strawberry.field(description="结对中，按结对方式 / Active pairings by kind")


@strawberry.type(name="Rollup", description="统计汇总（含全部下级） / Figures of a subtree for a period")
class RollupType:
    starts_on: date
    ends_on: date
    computed_at: datetime = strawberry.field(description="统计时间：此前提交的变更均已计入 / Every change committed before this is in")
    pending_changes: int = strawberry.field(description="待汇总：子树内有变更尚未计入的组织数（每分钟汇总） / "
                                                        "Organizations of the subtree with changes not folded in yet (folded every minute)")
    children: ChildFigures
    wishes: WishFigures
    happy_homes: HomeFigures
    holiday: HolidayRollup
    pairings: PairingFigures
    donors: DonorFigures
    cases: Optional[CaseFigures] = strawberry.field(
        description="个案保护数据：仅对有 cases.view_case 权限者显示，否则为空 / Case work figures: null without cases.view_case there")
    volunteers_registered: int
    activities: int = strawberry.field(description="期间内活动 / Activities held in the period")


CASE_PREFIX = "cases."


def _keyed(values: dict, prefix: str, choices) -> list[KeyCount]:
    return [KeyCount(key=c.name, label=str(c.label), count=int(values.get(f"{prefix}{c.value}", 0))) for c in choices]


def _rate(part, whole) -> Optional[float]:
    return round(float(part) / float(whole), 4) if whole else None


def cases_visible(actor, organizations) -> bool:
    """Case-work figures (high-risk children, incidents, referrals, aid) are for those who may read the cases
    there: a rollup viewer or a superior without case work sees none, not even a village's "1"."""
    return all(actor.scope.allows(case_privacy.VIEW, o) for o in organizations)


def without_cases(values: dict) -> dict:
    return {k: v for k, v in values.items() if not k.startswith(CASE_PREFIX)}


def rollup_type(values: dict, period: services.Period, computed_at: datetime, pending_changes: int,
                show_cases: bool) -> RollupType:
    def n(key):
        return int(values.get(key, 0))

    def money(key, places="0.01"):
        return Decimal(values.get(key, 0)).quantize(Decimal(places))

    return RollupType(
        starts_on=period.first, ends_on=period.ends_on, computed_at=computed_at, pending_changes=pending_changes,
        children=ChildFigures(total=n("children.total"), by_category=_keyed(values, "children.category.", Category),
                              by_arrangement=_keyed(values, "children.arrangement.", GuardianArrangement)),
        wishes=WishFigures(**{k.split(".")[1]: n(k) for k in services.metrics.WISH_EVENTS},
                           fulfilment_rate=_rate(n("wishes.fulfilled"), n("wishes.collected")),
                           claimed_value=money("wishes.claimed_value"), delivered_value=money("wishes.delivered_value"),
                           children_fulfilled=n("wishes.children_fulfilled")),
        happy_homes=HomeFigures(sites=n("homes.sites"), children_served=n("homes.children_served"),
                                volunteers=n("homes.volunteers"),
                                volunteer_ratio=_rate(n("homes.volunteers"), n("homes.children_served")),
                                below_standard=n("homes.below_standard")),
        holiday=HolidayRollup(service_points=n("holiday.service_points"), children_served=n("holiday.children_served"),
                              volunteers=n("holiday.volunteers"), service_hours=money("holiday.service_hours", "0.1"),
                              money_raised=money("holiday.money_raised"), goods_value=money("holiday.goods_value")),
        pairings=PairingFigures(active=n("pairings.active"), overdue=n("pairings.overdue"), started=n("pairings.started"),
                                by_kind=_keyed(values, "pairings.kind.", PairingKind)),
        donors=DonorFigures(individuals=n("donors.individuals"), units=n("donors.units")),
        cases=CaseFigures(high_risk=n("cases.high_risk"), open_incidents=n("cases.open_incidents"),
                          referrals_by_status=_keyed(values, "cases.referrals.", ReferralStatus),
                          counselling_sessions=n("cases.counselling"), aid_paid=money("cases.aid_paid"))
        if show_cases else None,
        volunteers_registered=n("volunteers.registered"), activities=n("activities.held"),
    )


@strawberry.type(name="RollupRow", description="下钻的一行 / One row of a breakdown")
class RollupRow:
    key: str = strawberry.field(description="下级组织 ID 或区划代码 / Child organization ID or division code")
    name: str
    organization_names: list[str] = strawberry.field(description="计入的组织 / Organizations counted")
    rollup: RollupType
