"""Masked forms of personal data for actors without the PII permission: 张*明, 4206**********123X, 139****5678.

Domains own their masking policies (children/privacy.py) and register how their audit entries' change summaries
are masked (``register_audit_masking``), so that the audit log masks per reader like every other read while
permissions/ stays generic over models.
"""

from collections.abc import Callable

# target type (model label) -> (permission that shows the changes in clear, how to mask them otherwise)
_AUDIT_MASKING: dict[str, tuple[str, Callable[[dict], dict]]] = {}


def register_audit_masking(target_type: str, permission: str, mask: Callable[[dict], dict]) -> None:
    _AUDIT_MASKING[target_type] = (permission, mask)


def audit_changes(entry, scope) -> dict:
    """An audit entry's change summary as the reader with ``scope`` may see it."""
    policy = _AUDIT_MASKING.get(entry.target_type)
    if policy is None or not entry.changes:
        return entry.changes
    permission, mask = policy
    clear = entry.organization_id is not None and scope.allows_at(permission, entry.org_path, entry.organization_id)
    return entry.changes if clear else mask(entry.changes)


def mask_name(name: str) -> str:
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)


def mask_phone(phone: str) -> str:
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) >= 7 else "*" * len(phone)
