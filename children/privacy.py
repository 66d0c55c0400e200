"""The masking policy for children's personal data, written once and applied wherever it travels.

A reader without ``children.view_child_pii`` over a child's organization (a VIEWER, an auditor, a partner with a
shared file, staff of a sibling body through a superior's scope) may learn what the work needs and no more:

- may learn: the keeping organization, sex, age in whole years, categories, guardian arrangement, needs, status,
  grade, the county of the home (the first six digits of its division code), the surname and last character of
  a name (张*明), the first four and last four characters of an ID number (4206**********123X), a phone's first
  three and last four digits (139****5678);
- must not learn: the birth date (with the masked ID number and the county it leaves about ten candidates,
  see GB 11643's check character), the school, the parents' work place, the address, the home village, follow-up
  and growth texts, photos;
- and nothing that confirms a guess: a filter on the ID number, a name prefix or the school finds only rows
  whose personal data the reader may see anyway (``pii_only``). Ordering (by name, the roster's default, or by
  birth date) tells a row's place among its neighbours, not a value; turning that into a guess confirmed would
  take inserting records, which needs children.change_child and is audited.

Anyone (the public wish board, without signing in) learns of a child only the surname and the age in whole years
(``public_child``), and nothing that tells two wishes of the same child apart from two children's: no ID, no name,
no photo, no school, no birth date.

The same policy holds in lists, single records, exports (children/excel.py) and audit diffs (registered with
permissions.masking for ``children.Child`` entries, so the audit log masks per reader too).
"""

from __future__ import annotations

from datetime import date

from children.models import Child
from permissions.masking import mask_id_number, mask_name, mask_phone

PII = "children.view_child_pii"
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
                     "司徒", "夏侯", "轩辕", "端木", "申屠", "独孤", "南宫", "西门")
HIDDEN = "****"


def _hidden(value):
    return HIDDEN if value else value


def _county(code):
    return code[:6] if code else code


# field (model field names, as audit snapshots and exports use them) -> its masked form
MASKS = {
    "name": mask_name,
    "id_number": mask_id_number,
    "birth_date": lambda value: None,
    "school": _hidden,
    "parents_work_place": _hidden,
    "address": _hidden,
    "closed_reason": _hidden,
    "reason": _hidden,  # in audit summaries: why a record was closed, anonymized or transferred
    "home_division_code": _county,
    "guardian_name": mask_name,
    "guardian_phone": mask_phone,
}


def pii_only(scope, prefix: str = ""):
    """The rows a filter on a masked value may find: those whose personal data the reader sees anyway."""
    return scope.q(Child, PII, (f"{prefix}org_path", f"{prefix}organization_id"))


def photos_visible(scope, row) -> bool:
    """Photos show children (a child's own, an activity's, a delivery's): only for readers with the personal-data
    permission over the organization of ``row`` (the child, or the activity), whoever else sees the row."""
    return scope.allows_row(PII, row)


def shown(field: str, value, clear: bool):
    """``value`` of ``field`` as a reader sees it: as stored when ``clear``, else masked by the policy."""
    if clear or field not in MASKS or value is None:
        return value
    return MASKS[field](value)


def mask_changes(changes: dict) -> dict:
    """An audit entry's change summary masked by the policy ({field: value} or {field: [before, after]})."""
    def one(field, value):
        if isinstance(value, list) and len(value) == 2 and field in MASKS:
            return [shown(field, v, False) for v in value]
        return shown(field, value, False)

    return {field: one(field, value) for field, value in changes.items()}


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def surname(name: str) -> str:
    return next((s for s in COMPOUND_SURNAMES if name.startswith(s) and len(name) > len(s)), name[:1])


def public_child(child, today: date) -> tuple[str, int | None]:
    """What anyone may learn of a child on the public board: (surname, age in whole years)."""
    return surname(child.name), age_on(child.birth_date, today) if child.birth_date else None

