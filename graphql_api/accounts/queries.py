from typing import Optional

import strawberry
import strawberry_django
from strawberry import Info, relay

from graphql_api.accounts.types import AccountFilter, AccountType, MySettings, my_settings
from graphql_api.connection import Connection
from graphql_api.context import actor_of
from graphql_api.declare import authenticated, requires
from graphql_api.lookups import visible_by_id

MANAGE = "permissions.manage_membership"


@strawberry.type
class Query:
    accounts: Connection[AccountType] = strawberry_django.connection(
        filters=AccountFilter, extensions=requires(MANAGE),
        description="您管辖范围内的人员（按用户名排序），含角色、到期与最近登录 / "
                    "People at and below your organizations, with roles, expiry and last sign-in",
    )

    @strawberry_django.field(extensions=requires(MANAGE), description="按 ID 取一个账号 / One account")
    def account(self, info: Info, id: relay.GlobalID) -> Optional[AccountType]:
        return visible_by_id(AccountType, info, id, "Account")

    @strawberry.field(extensions=authenticated(), description="我的联系方式与通知设置；未登录为 null / Your settings, or null")
    def my_settings(self, info: Info) -> Optional[MySettings]:
        user = actor_of(info).user
        return my_settings(user) if user is not None else None
