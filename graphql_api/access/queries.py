from typing import Optional

import strawberry
import strawberry_django
from strawberry import Info, relay

from graphql_api.access.types import (
    ApiTokenType, AuditEntryFilter, AuditEntryType, CatalogType, MembershipFilter, MembershipType, MeType, MyMembership,
    MyUnit, RoleEnum,
)
from graphql_api.connection import Connection
from graphql_api.context import actor_of
from accounts.services import must_change_password
from donors.models import Donor
from wishes.services import acting_units
from graphql_api.declare import authenticated, public, requires
from orgs.models import Organization
from permissions.actor import person_label
from permissions.catalog import Role
from permissions.models import Membership, unexpired


@strawberry.type
class Query:
    @strawberry.field(extensions=public(), description="当前登录用户；未登录为 null / The signed-in user, or null")
    def me(self, info: Info) -> Optional[MeType]:
        actor = actor_of(info)
        if actor.user is None:
            return None
        # Live roles only: an expired role grants nothing, so its organization may be out of scope by now.
        memberships = Membership.objects.filter(unexpired(), user=actor.user, organization__in=Organization.objects.active()).select_related("organization")
        return MeType(
            username=actor.user.username,
            display_name=person_label(actor.user),
            is_superuser=actor.user.is_superuser,
            must_change_password=must_change_password(actor.user),
            memberships=[
                MyMembership(organization=m.organization, role=RoleEnum[Role(m.role).name], subtree=m.subtree, expires_at=m.expires_at)
                for m in memberships.order_by("organization__path")
            ],
            permissions=sorted(actor.scope.permissions()),
            is_donor=Donor.objects.filter(user=actor.user).exists(),
            units=[MyUnit(id=relay.GlobalID("Organization", str(u.pk)), name=u.name)
                   for u in Organization.objects.active().filter(pk__in=acting_units(actor)).order_by("path")],
        )

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
