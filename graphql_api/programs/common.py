"""Shared by the programs' GraphQL modules: the error type, ID lists, optional fields, scoped related rows."""

from strawberry import Info, relay

from children.errors import ChildErrorCode
from children.models import Child
from graphql_api.context import actor_of
from graphql_api.errors import decode_id, error_type
from programs.errors import ProgramErrorCode

ProgramError = error_type("ProgramError", ProgramErrorCode, ChildErrorCode)  # photo consent is a child's
VIEW = "programs.view_program"
CHANGE = "programs.change_program"
CONFIRM = "programs.confirm_hours"


def ids(global_ids, type_name: str, field: str) -> list[int]:
    return [decode_id(g, type_name, field) for g in global_ids or ()]


def given(data, *names: str) -> dict:
    """The named input fields the client set (``None`` means: leave as it is)."""
    values = {name: getattr(data, name) for name in names}
    return {name: getattr(value, "value", value) for name, value in values.items() if value is not None}


def visible_children(info: Info, queryset):
    """Related children narrowed to those the actor may see (each masked by ChildType as usual)."""
    return list(actor_of(info).visible(queryset, "children.view_child"))


def can_at(info: Info, permission: str, row) -> bool:
    return actor_of(info).scope.allows_row(permission, row)


def visible_child(info: Info, child: Child | None) -> Child | None:
    return child if child is not None and can_at(info, "children.view_child", child) else None


def relay_id(type_name: str, pk: int) -> relay.GlobalID:
    return relay.GlobalID(type_name, str(pk))
