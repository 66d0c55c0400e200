from typing import Optional

import strawberry
import strawberry_django
from strawberry import Info, relay

from graphql_api.connection import Connection
from graphql_api.declare import requires
from graphql_api.lookups import visible_by_id
from graphql_api.orgs.types import OrganizationFilter, OrganizationOrder, OrganizationType
from orgs.models import Organization

VIEW = "orgs.view_organization"


@strawberry.type
class Query:
    @strawberry_django.connection(
        Connection[OrganizationType], filters=OrganizationFilter, order=OrganizationOrder, extensions=requires(VIEW),
        description="可见范围内的组织 / Organizations in your scope",
    )
    def organizations(self, include_archived: bool = False) -> list[OrganizationType]:
        queryset = Organization.objects.all()
        return queryset if include_archived else queryset.active()

    @strawberry_django.field(extensions=requires(VIEW), description="按 ID 取组织 / One organization by ID")
    def organization(self, info: Info, id: relay.GlobalID) -> Optional[OrganizationType]:
        return visible_by_id(OrganizationType, info, id, "Organization")
