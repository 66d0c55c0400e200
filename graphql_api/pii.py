"""Unmasked personal data: decided per row from the request's Scope, and every read audited.

Resolvers call ``reveal(info, row)``; it answers whether the actor holds ``children.view_child_pii`` over that
row's organization and, if so, notes the read. The extension writes
one AuditEntry per record read unmasked when the operation finishes (one bulk insert per request).
"""

from strawberry import Info
from strawberry.extensions import SchemaExtension

from children.privacy import PII
from graphql_api.context import actor_of
from permissions.models import AuditEntry



def reveal(info: Info, row) -> bool:
    if not actor_of(info).scope.allows_row(PII, row):
        return False
    note_read(info, row._meta.label, row.pk, row.organization_id, row.org_path)
    return True


def note_read(info: Info, label: str, pk, organization_id, org_path: str) -> None:
    """Note a clear read of the record ``label``/``pk`` kept at that organization, for the audit at the end."""
    reads = info.context.request.__dict__.setdefault("pii_reads", {})
    reads[(label, pk)] = (organization_id, org_path)


class PiiReadAudit(SchemaExtension):
    def on_execute(self):
        yield
        request = getattr(self.execution_context.context, "request", None)
        reads = getattr(request, "pii_reads", None)
        if not reads:
            return
        actor = request.actor
        AuditEntry.objects.bulk_create([
            AuditEntry(actor_user=actor.user, actor_token=actor.token, actor_label=actor.label, organization_id=org_id,
                       org_path=path, action="pii.read", target_type=label, target_id=str(pk), ip=actor.ip)
            for (label, pk), (org_id, path) in reads.items()
        ])
        reads.clear()
