from typing import Optional

import strawberry
import strawberry_django
from strawberry import Info, relay

from core.errors import ServiceError
from graphql_api.connection import Connection
from graphql_api.context import actor_of
from graphql_api.errors import decode_id
from graphql_api.declare import requires
from graphql_api.lookups import visible_by_id
from graphql_api.orgs.types import OrganizationFilter, OrganizationOrder, OrganizationType
from orgs import services
from orgs.models import Organization

VIEW = "orgs.view_organization"


@strawberry.type(name="OrganizationContent", description="随组织一起移动的内容 / What moves with an organization")
class ContentCount:
    key: str = strawberry.field(description="内容类型标识 / A stable key of the kind, e.g. children.Child")
    label: str
    count: int


@strawberry.type
class Query:
    @strawberry_django.connection(
        Connection[OrganizationType], filters=OrganizationFilter, order=OrganizationOrder, extensions=requires(VIEW),
        description="可见范围内的组织 / Organizations in your scope",
    )
    def organizations(self, include_archived: bool = False) -> list[OrganizationType]:
        queryset = Organization.objects.all()
        return queryset if include_archived else queryset.active()

    @strawberry.field(extensions=requires("orgs.manage_organization"), description=(
        "移动、合并或归档前的确认：下级组织和整个下级范围内各类记录的数量；无权管理时为 null / "
        "Before a move, merge or archive: sub-organizations and records in the subtree by kind; null unless you manage it"))
    def organization_contents(self, info: Info, id: relay.GlobalID) -> Optional[list[ContentCount]]:
        try:
            found = services.contents(actor_of(info), organization_id=decode_id(id, "Organization"))
        except ServiceError:
            return None
        return [ContentCount(key=key, label=label, count=count) for key, label, count in found]

    @strawberry_django.field(extensions=requires(VIEW), description="按 ID 取组织 / One organization by ID")
    def organization(self, info: Info, id: relay.GlobalID) -> Optional[OrganizationType]:
        return visible_by_id(OrganizationType, info, id, "Organization")
