"""Small shared pieces of the GraphQL layer: one visible object by global ID, a subtree narrowing filter."""

from django.db.models import Q
from strawberry import relay

from orgs.models import Organization


def visible_by_id(type_cls, info, global_id: relay.GlobalID, type_name: str):
    """The object if ``global_id`` names a ``type_name`` the actor may see (through the type's get_queryset), else None."""
    if global_id.type_name != type_name or not global_id.node_id.isdigit():
        return None
    model = type_cls.__strawberry_django_definition__.model
    return type_cls.get_queryset(model.objects.all(), info).filter(pk=global_id.node_id).first()


def in_subtree(global_id: relay.GlobalID, prefix: str) -> Q:
    """Rows owned by the organization's subtree. It only narrows a list: what is visible at all is still
    decided by the type's get_queryset (the Scope)."""
    path = Organization.objects.filter(pk=global_id.node_id).values_list("path", flat=True).first() if global_id.node_id.isdigit() else None
    return Q(**{f"{prefix}org_path__startswith": path}) if path else Q(pk__in=[])


def with_id(global_id: relay.GlobalID, field: str, prefix: str) -> Q:
    """Rows whose foreign key ``field`` names the object of ``global_id`` (none for a malformed ID)."""
    return Q(**{f"{prefix}{field}_id": int(global_id.node_id) if global_id.node_id.isdigit() else 0})
