"""Who reads a case in clear: everything in a case is a minor's personal data (children/privacy.py's policy).

The case's rows are visible with ``cases.view_case`` over the child's organization or by a referral's record
grant on the case; their texts (notes, goals, actions, incident accounts, referral reasons and feedback, service
summaries, the rated items and the reasons of the level) only to those who also hold the personal-data permission
over the child's organization, or the referral grant. Others see the kinds, dates, statuses and the level: what
a county list needs, nothing that tells what happened to the child. Texts never go into notifications, audit
summaries or exports.
"""

from __future__ import annotations

from children.privacy import PII, shown

VIEW = "cases.view_case"
CHANGE = "cases.change_case"
HIDDEN = "****"


def clear(scope, case) -> bool:
    """Whether the reader with ``scope`` sees ``case`` (its child loaded) in clear."""
    return scope.allows_row(PII, case.child) or scope.shares(VIEW, case)


def text(value: str, visible: bool) -> str:
    return value if visible or not value else HIDDEN


def child_name(case, visible: bool) -> str:
    return shown("name", case.child.name, visible)
