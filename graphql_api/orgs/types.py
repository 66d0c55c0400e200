from datetime import datetime
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import Q
from strawberry import Info, relay

from graphql_api import rows
from graphql_api.connection import Connection
from graphql_api.context import actor_of
from graphql_api.enums import choices_enum, stored_member
from orgs import paths
from orgs.models import Kind, Level, Organization, System

VIEW = "orgs.view_organization"

SystemEnum = choices_enum(System, "OrganizationSystem", "组织所属系统 / The hierarchy an organization belongs to")
KindEnum = choices_enum(Kind, "OrganizationKind", "组织类型 / Kind of organization")
LevelEnum = choices_enum(Level, "OrganizationLevel", "层级 / Administrative level")


system_of = stored_member(System, SystemEnum)
kind_of = stored_member(Kind, KindEnum)
level_of = stored_member(Level, LevelEnum)


def visible_organization(info: Info, org_id: int | None, path: str) -> bool:
    """Whether the actor's scope reaches a related organization (by its key and path), with no hint otherwise."""
    return org_id is not None and actor_of(info).scope.allows_at(VIEW, path, org_id)


@strawberry_django.filter_type(Organization, lookups=False)
class OrganizationFilter:
    @strawberry_django.filter_field
    def system(self, value: SystemEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}system": System[value.value]})

    @strawberry_django.filter_field
    def kind(self, value: KindEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}kind": Kind[value.value]})

    @strawberry_django.filter_field
    def level(self, value: LevelEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}level": Level[value.value]})

    @strawberry_django.filter_field
    def parent(self, value: relay.GlobalID, prefix: str) -> Q:
        return Q(**{f"{prefix}parent_id": value.node_id})

    @strawberry_django.filter_field
    def division_code_prefix(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}division_code__startswith": value})

    @strawberry_django.filter_field
    def name_contains(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}name__contains": value}) | Q(**{f"{prefix}short_name__contains": value})


@strawberry_django.order_type(Organization)
class OrganizationOrder:
    name: strawberry.auto
    level: strawberry.auto
    division_code: strawberry.auto
    created_at: strawberry.auto
    path: strawberry.auto = strawberry_django.order_field(description="树形顺序 / Tree order")


@strawberry_django.type(Organization, name="Organization", description="组织（租户） / An organization: a tenant")
class OrganizationType(relay.Node):
    name: str
    short_name: str
    division_code: str
    depth: int
    archived_at: datetime | None
    created_at: datetime

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return actor_of(info).visible(queryset, VIEW)

    @strawberry_django.field(only=["system"])
    def system(self) -> SystemEnum:
        return system_of(self.system)

    @strawberry_django.field(only=["kind"])
    def kind(self) -> KindEnum:
        return kind_of(self.kind)

    @strawberry_django.field(only=["level"])
    def level(self) -> LevelEnum:
        return level_of(self.level)

    @strawberry_django.field(
        select_related=["parent"], only=["parent_id", "path"],
        description="上级组织；不在可见范围内时为 null / The parent, null outside your scope",
    )
    def parent(self, info: Info) -> Optional["OrganizationType"]:
        return self.parent if visible_organization(info, self.parent_id, paths.parent_path(self.path)) else None

    children: Connection["OrganizationType"] = strawberry_django.connection(
        description="直属下级组织（含已归档的，见 archivedAt） / Direct sub-organizations, archived ones too (archivedAt)",
        filters=OrganizationFilter, order=OrganizationOrder,
    )

    @strawberry_django.field(only=["path"], description="可见范围内的上级链，自顶向下 / Visible ancestors, root first")
    def ancestors(self, info: Info) -> list["OrganizationType"]:
        found = Organization.objects.filter(path__in=paths.ancestor_paths(self.path))
        return list(actor_of(info).visible(found, VIEW).order_by("path"))

    @strawberry_django.connection(Connection["OrganizationType"], filters=OrganizationFilter, order=OrganizationOrder,
                                  description="全部下级组织（分页，不含已归档的） / All descendants, paged, archived ones left out")
    def descendants(self) -> list["OrganizationType"]:
        return Organization.objects.active().filter(path__startswith=self.path).exclude(pk=self.pk)


ORGANIZATION_ROWS = rows.Spec("Organization", Organization, {
    **rows.columns("name", "short_name", "division_code", "depth", "archived_at", "created_at"),
    "system": rows.column("system", system_of),
    "kind": rows.column("kind", kind_of),
    "level": rows.column("level", level_of),
})

# the parent, null outside the scope (``OrganizationType.parent``)
ORGANIZATION_ROWS.fields["parent"] = rows.One(ORGANIZATION_ROWS, "parent__", ("parent_id", "path"), lambda c, page: (
    page.allows_at(VIEW, paths.parent_path(c["path"]), c["parent_id"])))


def organization_row() -> rows.One:
    """A row's owning organization (its ``organization_id`` and ``org_path``) as a plain row, null where the scope
    does not reach it: ``organization_field`` of graphql_api.access.types for the model path."""
    return rows.One(ORGANIZATION_ROWS, "organization__", ("organization_id", "org_path"),
                    lambda c, page: page.allows_at(VIEW, c["org_path"], c["organization_id"]))
