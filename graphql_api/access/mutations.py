from datetime import datetime
from typing import Optional

import strawberry
from django.conf import settings
from django.contrib.auth import authenticate, login as django_login, logout as django_logout
from strawberry import Info, relay

from core.errors import ServiceError
from graphql_api.access.types import ApiTokenType, MembershipType, RoleEnum, UserType
from graphql_api.accounts import gate
from graphql_api.context import actor_of
from graphql_api.declare import public, requires
from graphql_api.enums import to_choice
from graphql_api.errors import as_errors, decode_id, error_type, run
from permissions import services
from permissions.catalog import Role
from permissions.errors import PermissionsErrorCode as E

AccessError = error_type("AccessError", E)


@strawberry.input
class LoginInput:
    username: str
    password: str


@strawberry.type
class LoginPayload:
    user: Optional[UserType] = None
    must_change_password: bool = strawberry.field(
        default=False, description="须先修改密码（首次登录或被重置后），此前其他操作均被拒绝 / "
                                   "The password must be changed first; until then every other operation is refused")
    errors: list[AccessError]


@strawberry.type
class LogoutPayload:
    ok: bool


@strawberry.input
class GrantRoleInput:
    organization_id: relay.GlobalID
    role: RoleEnum
    username: Optional[str] = strawberry.field(default=None, description="授予用户 / Grant to this user")
    unit_id: Optional[relay.GlobalID] = strawberry.field(default=None, description="或授予单位（合作单位） / Or to a unit")
    subtree: bool = strawberry.field(default=True, description="false：仅本组织 / false: this organization only")
    expires_at: Optional[datetime] = None


@strawberry.input
class ChangeRoleInput:
    id: relay.GlobalID
    role: Optional[RoleEnum] = None
    subtree: Optional[bool] = None
    expires_at: Optional[datetime] = None
    clear_expiry: bool = False


@strawberry.input
class RevokeRoleInput:
    id: relay.GlobalID


@strawberry.type
class MembershipPayload:
    membership: Optional[MembershipType] = None
    errors: list[AccessError]


@strawberry.type
class RevokeRolePayload:
    ok: bool = False
    errors: list[AccessError]


@strawberry.input
class CreateApiTokenInput:
    organization_id: relay.GlobalID
    name: str
    permissions: list[str]
    expires_at: Optional[datetime] = None


@strawberry.type
class CreateApiTokenPayload:
    api_token: Optional[ApiTokenType] = None
    token: Optional[str] = strawberry.field(default=None, description="令牌明文，仅此一次显示 / The secret, shown this once only")
    errors: list[AccessError]


@strawberry.input
class UnitMemberInput:
    unit_id: relay.GlobalID
    username: str


@strawberry.type
class UnitMemberPayload:
    ok: bool = False
    errors: list[AccessError]


@strawberry.input
class RevokeApiTokenInput:
    id: relay.GlobalID


@strawberry.type
class ApiTokenPayload:
    api_token: Optional[ApiTokenType] = None
    errors: list[AccessError]


def _locked_out_errors(request) -> list:
    request.axes_locked_out = False  # answer with a typed error instead of axes' 429 page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return as_errors(AccessError, ServiceError(E.LOCKED_OUT, None, minutes=minutes))


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=public(), description="登录（会话） / Sign in with a session")
    def login(self, info: Info, input: LoginInput) -> LoginPayload:
        request = info.context.request
        user = authenticate(request, username=input.username, password=input.password)
        if getattr(request, "axes_locked_out", False):
            return LoginPayload(errors=_locked_out_errors(request))
        if user is None:
            return LoginPayload(errors=as_errors(AccessError, ServiceError(E.INVALID_CREDENTIALS, "password")))
        django_login(request, user)
        gate.remember(request, user)
        return LoginPayload(user=user, must_change_password=gate.pending(request), errors=[])

    @strawberry.mutation(extensions=public(), description="退出登录 / Sign out")
    def logout(self, info: Info) -> LogoutPayload:
        django_logout(info.context.request)
        return LogoutPayload(ok=True)

    @strawberry.mutation(extensions=requires("permissions.manage_membership"), description="授予角色 / Grant a role")
    def grant_role(self, info: Info, input: GrantRoleInput) -> MembershipPayload:
        actor = actor_of(info)
        return run(MembershipPayload, AccessError, lambda: {"membership": services.grant_role(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"),
            role=to_choice(Role, input.role), username=input.username,
            unit_id=decode_id(input.unit_id, "Organization", "unitId"), subtree=input.subtree, expires_at=input.expires_at)})

    @strawberry.mutation(extensions=requires("permissions.manage_membership"), description="修改角色 / Change a role")
    def change_role(self, info: Info, input: ChangeRoleInput) -> MembershipPayload:
        actor = actor_of(info)
        return run(MembershipPayload, AccessError, lambda: {"membership": services.change_role(
            actor, membership_id=decode_id(input.id, "Membership"), role=to_choice(Role, input.role),
            subtree=input.subtree, expires_at=input.expires_at, clear_expiry=input.clear_expiry)})

    @strawberry.mutation(extensions=requires("permissions.manage_membership"), description="撤销角色 / Revoke a role")
    def revoke_role(self, info: Info, input: RevokeRoleInput) -> RevokeRolePayload:
        actor = actor_of(info)

        def action():
            services.revoke_role(actor, membership_id=decode_id(input.id, "Membership"))
            return {"ok": True}

        return run(RevokeRolePayload, AccessError, action)

    @strawberry.mutation(extensions=requires("permissions.manage_token"), description="创建接口令牌 / Create an API token")
    def create_api_token(self, info: Info, input: CreateApiTokenInput) -> CreateApiTokenPayload:
        actor = actor_of(info)

        def action():
            token, secret = services.create_token(
                actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"),
                name=input.name, permissions=input.permissions, expires_at=input.expires_at)
            return {"api_token": token, "token": secret}

        return run(CreateApiTokenPayload, AccessError, action)

    @strawberry.mutation(extensions=requires("permissions.manage_token"), description="吊销接口令牌 / Revoke an API token")
    def revoke_api_token(self, info: Info, input: RevokeApiTokenInput) -> ApiTokenPayload:
        actor = actor_of(info)
        return run(ApiTokenPayload, AccessError, lambda: {"api_token": services.revoke_token(
            actor, token_id=decode_id(input.id, "ApiToken"))})

    @strawberry.mutation(extensions=requires("permissions.manage_membership"),
                         description="让用户代表单位（合作单位员工） / Let a user act for a unit (a partner's staff)")
    def add_unit_member(self, info: Info, input: UnitMemberInput) -> UnitMemberPayload:
        actor = actor_of(info)
        return run(UnitMemberPayload, AccessError, lambda: services.add_unit_member(
            actor, unit_id=decode_id(input.unit_id, "Organization", "unitId"), username=input.username) or {"ok": True})

    @strawberry.mutation(extensions=requires("permissions.manage_membership"), description="移出单位 / Stop a user acting for a unit")
    def remove_unit_member(self, info: Info, input: UnitMemberInput) -> UnitMemberPayload:
        actor = actor_of(info)
        return run(UnitMemberPayload, AccessError, lambda: services.remove_unit_member(
            actor, unit_id=decode_id(input.unit_id, "Organization", "unitId"), username=input.username) or {"ok": True})
