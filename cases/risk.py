"""The risk level of an assessment: ONE rule table, and when the next assessment is due at each level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from cases.models import Rating, RiskLevel
from core.errors import Texts

ITEMS = ("guardian_capacity", "school_attendance", "health", "psychological_state", "safety_at_home", "parent_contact")
ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}
REASSESS_MONTHS = {RiskLevel.HIGH: 1, RiskLevel.MEDIUM: 3, RiskLevel.LOW: 6}  # monthly, quarterly, half-yearly


class Reason(Texts):
    """Why a case has its level (the rule that set it)."""

    UNSAFE_HOME = ("家庭安全严重堪忧", "The home is seriously unsafe")
    NO_CAPABLE_GUARDIAN = ("监护严重缺失", "No capable guardian")
    SEVERAL_SERIOUS = ("两项及以上严重", "Two or more items serious")
    ONE_SERIOUS = ("一项严重", "One item serious")
    SEVERAL_CONCERNS = ("三项及以上需关注", "Three or more items of concern")
    GRAVE_INCIDENT = ("发生严重事件", "A grave incident occurred")


def _count(ratings: dict, *values: str) -> int:
    return sum(ratings[item] in values for item in ITEMS)


@dataclass(frozen=True)
class Rule:
    reason: Reason
    level: str
    applies: Callable[[dict], bool]


RULES = (
    Rule(Reason.UNSAFE_HOME, RiskLevel.HIGH, lambda r: r["safety_at_home"] == Rating.SERIOUS),
    Rule(Reason.NO_CAPABLE_GUARDIAN, RiskLevel.HIGH, lambda r: r["guardian_capacity"] == Rating.SERIOUS),
    Rule(Reason.SEVERAL_SERIOUS, RiskLevel.HIGH, lambda r: _count(r, Rating.SERIOUS) >= 2),
    Rule(Reason.ONE_SERIOUS, RiskLevel.MEDIUM, lambda r: _count(r, Rating.SERIOUS) == 1),
    Rule(Reason.SEVERAL_CONCERNS, RiskLevel.MEDIUM, lambda r: _count(r, Rating.CONCERN, Rating.SERIOUS) >= 3),
)


def assess(ratings: dict) -> tuple[str, list[str]]:
    """(level, reasons): the highest level any rule gives (低 when none applies) and the rules giving it."""
    matched = [rule for rule in RULES if rule.applies(ratings)]
    level = max((rule.level for rule in matched), key=ORDER.get, default=RiskLevel.LOW)
    return level, [rule.reason.name for rule in matched if rule.level == level]


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def next_assessment(level: str, after: date) -> date:
    return add_months(after, REASSESS_MONTHS[level])
