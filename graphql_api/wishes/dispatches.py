"""组织派单 as the unit sees it: the dispatches addressed to the units the actor acts for (a member of the unit,
or the unit's API token), with the wish as the public board shows it (the child by surname and age only)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import Q
from strawberry import Info, relay

from graphql_api import rows
from graphql_api.children.types import age_on
from graphql_api.connection import Connection
from graphql_api.context import actor_of, today
from graphql_api.declare import authenticated
from graphql_api.wishes.types import CategoryEnum, DispatchStateEnum, StateEnum, masked_household, surname_only
from wishes.models import Dispatch, DispatchState
from wishes.services import visible_dispatches


@strawberry.type(name="DispatchedWish", description="派给单位的心愿（儿童脱敏） / The dispatched wish, child masked")
class DispatchedWish:
    title: str
    text: str
    category: CategoryEnum
    state: StateEnum
    estimated_value: Decimal
    remaining: Decimal
    quantity: int
    claim_deadline: Optional[date]
    place: str = strawberry.field(description="征集组织（村） / The village or body that collected it")
    child_name: Optional[str] = strawberry.field(description="儿童（仅姓） / The child: surname only")
    child_age: Optional[int]
    household: str = strawberry.field(description="困难家庭（脱敏） / The household, masked")


@strawberry_django.filter_type(Dispatch, lookups=False)
class UnitDispatchFilter:
    @strawberry_django.filter_field
    def state(self, value: DispatchStateEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}state": DispatchState[value.value]})


_WISH = ("title", "text", "category", "state", "estimated_value", "covered_amount", "quantity", "claim_deadline",
         "household", "child_id")


def dispatched_wish(wish: dict, place: str, child_name: str | None, child_born: date | None, on: date) -> DispatchedWish:
    """The dispatched wish as the public board shows it, from its columns (``_WISH``), its place's name and its child's."""
    return DispatchedWish(
        title=wish["title"], text=wish["text"], category=CategoryEnum[wish["category"]], state=StateEnum[wish["state"]],
        estimated_value=wish["estimated_value"], remaining=wish["estimated_value"] - wish["covered_amount"],
        quantity=wish["quantity"], claim_deadline=wish["claim_deadline"], place=place,
        child_name=surname_only(child_name) if wish["child_id"] else None,
        child_age=age_on(child_born, on) if wish["child_id"] else None, household=masked_household(wish["household"]))


@strawberry_django.type(Dispatch, name="UnitDispatch", description="派给本单位的心愿 / A wish dispatched to your unit")
class UnitDispatchType(relay.Node):
    deadline: datetime = strawberry_django.field(description="回复截止 / Answer by")
    dispatched_by: str
    responded_by: str
    responded_at: Optional[datetime]
    created_at: datetime

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return visible_dispatches(actor_of(info), queryset).order_by("-created_at", "-id")

    @strawberry_django.field(only=["id"], description="respondToDispatch 的 dispatchId / The dispatchId for respondToDispatch")
    def dispatch_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.pk))

    @strawberry_django.field(only=["state"])
    def state(self) -> DispatchStateEnum:
        return DispatchStateEnum[self.state]

    @strawberry_django.field(select_related=["unit"], description="接单单位 / The unit")
    def unit_name(self) -> str:
        return self.unit.name

    @strawberry_django.field(select_related=["wish__organization", "wish__child"], only=[
        *(f"wish__{f}" for f in ("title", "text", "category", "state", "estimated_value", "covered_amount", "quantity",
                                 "claim_deadline", "household", "child_id", "organization_id")),
        "wish__organization__name", "wish__child__name", "wish__child__birth_date"])
    def wish(self, info: Info) -> DispatchedWish:
        wish, child = self.wish, self.wish.child
        return dispatched_wish({f: getattr(wish, f) for f in _WISH}, wish.organization.name,
                               child.name if child else None, child.birth_date if child else None, today(info))


UNIT_DISPATCH_ROWS = rows.Spec("UnitDispatch", Dispatch, {
    **rows.columns("deadline", "dispatched_by", "responded_by", "responded_at", "created_at"),
    "dispatchId": rows.Field(("pk",), lambda c, page: strawberry.ID(str(c["pk"]))),
    "state": rows.column("state", lambda stored: DispatchStateEnum[stored]),
    "unitName": rows.Field(("unit__name",), lambda c, page: c["unit__name"]),
    "wish": rows.Field((*(f"wish__{f}" for f in _WISH), "wish__organization__name", "wish__child__name",
                        "wish__child__birth_date"), lambda c, page: dispatched_wish(
        {f: c[f"wish__{f}"] for f in _WISH}, c["wish__organization__name"], c["wish__child__name"],
        c["wish__child__birth_date"], page.today)),
})


@strawberry_django.order_type(Dispatch)
class DispatchOrder:
    created_at: strawberry.auto
    deadline: strawberry.auto


@strawberry.type
class Query:
    my_dispatches: Connection[UnitDispatchType] = strawberry_django.connection(
        filters=UnitDispatchFilter, order=DispatchOrder, extensions=authenticated(),
        description="派给我所代表单位的心愿（单位成员或单位令牌），最新在前 / "
                    "Wishes dispatched to the units you act for, newest first")
