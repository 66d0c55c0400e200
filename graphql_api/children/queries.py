from typing import Optional

import strawberry
import strawberry_django
from strawberry import Info, relay

from children.models import Child
from graphql_api.children.types import ChildFilter, ChildType
from graphql_api.connection import Connection
from graphql_api.declare import requires
from graphql_api.lookups import visible_by_id


@strawberry_django.order_type(Child)
class ChildOrder:
    name: strawberry.auto
    birth_date: strawberry.auto
    created_at: strawberry.auto


@strawberry.type
class Query:
    children: Connection[ChildType] = strawberry_django.connection(
        filters=ChildFilter, order=ChildOrder, extensions=requires("children.view_child"),
        description="可见范围内的儿童档案 / Children's records in your scope",
    )

    @strawberry_django.field(extensions=requires("children.view_child"), description="按 ID 取儿童档案 / One child's record")
    def child(self, info: Info, id: relay.GlobalID) -> Optional[ChildType]:
        return visible_by_id(ChildType, info, id, "Child")
