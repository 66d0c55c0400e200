from typing import Optional

import strawberry
import strawberry_django
from strawberry import Info

from graphql_api.access.types import (
    ApiTokenType, AuditEntryFilter, AuditEntryType, CatalogType, MembershipFilter, MembershipType, MeType,
)
from graphql_api.connection import Connection
from graphql_api.context import actor_of
from graphql_api.declare import authenticated, public, requires
from permissions.actor import person_label


@strawberry.type
class Query:
    @strawberry.field(extensions=public(), description="当前登录用户；未登录为 null / The signed-in user, or null")
    def me(self, info: Info) -> Optional[MeType]:
        actor = actor_of(info)
        if actor.user is None:
            return None
        return MeType(actor=actor, username=actor.user.username, display_name=person_label(actor.user),
                      is_superuser=actor.user.is_superuser, permissions=sorted(actor.scope.permissions()))

    memberships: Connection[MembershipType] = strawberry_django.connection(
        filters=MembershipFilter, extensions=requires("permissions.manage_membership"),
        description="可管理范围内的成员角色 / Roles you may manage",
    )
    api_tokens: Connection[ApiTokenType] = strawberry_django.connection(
        extensions=requires("permissions.manage_token"), description="接口令牌 / API tokens you may manage",
    )
    audit_entries: Connection[AuditEntryType] = strawberry_django.connection(
        filters=AuditEntryFilter, extensions=requires("permissions.view_audit"),
        description="审计日志（最新在前） / The audit log, newest first",
    )

    @strawberry.field(extensions=authenticated(),
                      description="权限与操作日志动作的名称（筛选和表单的选项） / Names of permissions and audited actions")
    def catalog(self) -> CatalogType:
        return CatalogType()
