from typing import Optional

import strawberry
import strawberry_django
from strawberry import Info, relay

from graphql_api.connection import Connection
from graphql_api.declare import requires
from graphql_api.lookups import visible_by_id
from graphql_api.wishes.types import PublishedWishType, UnitDispatchFilter, UnitDispatchType, WishFilter, WishType
from wishes.models import Dispatch, Wish


@strawberry_django.order_type(Wish)
class WishOrder:
    created_at: strawberry.auto
    published_at: strawberry.auto
    claim_deadline: strawberry.auto
    estimated_value: strawberry.auto


@strawberry_django.order_type(Dispatch)
class DispatchOrder:
    created_at: strawberry.auto
    deadline: strawberry.auto


@strawberry.type
class Query:
    wishes: Connection[WishType] = strawberry_django.connection(
        filters=WishFilter, order=WishOrder, extensions=requires("wishes.view_wish"),
        description="可见范围内的心愿（工作人员） / Wishes in your scope, for staff",
    )
    published_wishes: Connection[PublishedWishType] = strawberry_django.connection(
        filters=WishFilter, order=WishOrder, extensions=requires("wishes.view_published_wish"),
        description="公示的心愿墙（儿童脱敏） / The published board, children masked",
    )

    unit_dispatches: Connection[UnitDispatchType] = strawberry_django.connection(
        filters=UnitDispatchFilter, order=DispatchOrder, extensions=requires("wishes.claim_wish"),
        description="派给我所在单位的心愿 / Wishes dispatched to the units you act for",
    )

    @strawberry_django.field(extensions=requires("wishes.view_wish"), description="按 ID 取心愿 / One wish")
    def wish(self, info: Info, id: relay.GlobalID) -> Optional[WishType]:
        return visible_by_id(WishType, info, id, "Wish")
