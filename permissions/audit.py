"""Writes to the append-only audit log. Services call ``record`` for every change."""

from core import bulk
from permissions.models import AuditEntry


def record(actor, action: str, target, organization=None, changes: dict | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        actor_user=actor.user,
        actor_token=actor.token,
        actor_label=actor.label,
        organization=organization,
        org_path=organization.path if organization is not None else "",
        action=action,
        target_type=target._meta.label if hasattr(target, "_meta") else str(target),
        target_id=str(getattr(target, "pk", "") or ""),
        changes=changes or {},
        ip=actor.ip,
    )


def record_many(actor, action: str, targets, organization, changes_of) -> None:
    """The same entry for many targets in one insert (bulk imports; COPY on PostgreSQL); ``changes_of(target)``
    gives each summary."""
    bulk.insert(AuditEntry, [
        AuditEntry(actor_user=actor.user, actor_token=actor.token, actor_label=actor.label, organization=organization,
                   org_path=organization.path, action=action, target_type=target._meta.label, target_id=str(target.pk),
                   changes=changes_of(target), ip=actor.ip)
        for target in targets
    ])
