from datetime import datetime
from types import SimpleNamespace
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import Q
from strawberry import Info, relay
from strawberry.scalars import JSON

from graphql_api.context import actor_of
from graphql_api.enums import choices_enum, stored_member
from graphql_api import rows
from graphql_api.orgs.types import OrganizationType, organization_row, visible_organization
from permissions import audit_log
from accounts.services import must_change_password
from donors.models import Donor
from orgs.models import Organization
from permissions.actor import Actor, person_label
from permissions.catalog import PERMISSIONS, Role, permission_label
from permissions.masking import audit_changes
from permissions.models import ApiToken, AuditEntry, Membership, unexpired
from wishes.services import acting_units

RoleEnum = choices_enum(Role, "Role", "角色 / Role held at an organization")
role_of = stored_member(Role, RoleEnum)


@strawberry.type(name="Choice", description="选项：代码与名称 / A code and its name")
class ChoiceType:
    value: str
    label: str


@strawberry.type(name="Catalog", description="权限与操作日志动作的名称 / The names of permissions and audited actions")
class CatalogType:
    @strawberry.field(description="权限（接口令牌可持有的） / Permissions, e.g. for an API token")
    def permissions(self) -> list[ChoiceType]:
        return [ChoiceType(value=name, label=permission_label(name)) for name in PERMISSIONS]

    @strawberry.field(description="操作日志的动作，用于筛选 / The audit log's actions, to filter by")
    def audit_actions(self) -> list[ChoiceType]:
        return [ChoiceType(value=action, label=audit_log.action_label(action)) for action in audit_log.ACTIONS]


@strawberry.type(name="User", description="用户 / A person who signs in")
class UserType:
    username: str

    @strawberry.field(description="显示名 / Display name")
    def display_name(self) -> str:
        return person_label(self)


def organization_field(description: str):
    """``organization`` on a tenant-owned row: the owner, or null if the actor's scope does not reach it."""

    # the name too: another field's hint on the same relation (a wish's availableActions, through the parent)
    # would otherwise leave it deferred, one query per row
    @strawberry_django.field(select_related=["organization"], only=["organization_id", "org_path", "organization__name"],
                             description=description)
    def organization(self, info: Info) -> Optional[OrganizationType]:
        return self.organization if visible_organization(info, self.organization_id, self.org_path) else None

    return organization


@strawberry_django.type(Membership, name="Membership", description="成员角色 / A role held at an organization")
class MembershipType(relay.Node):
    subtree: bool = strawberry_django.field(description="含下级组织 / Applies to the organization's subtree")
    expires_at: datetime | None
    created_at: datetime
    organization = organization_field("任职组织 / Where the role applies")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return actor_of(info).visible(queryset, "permissions.manage_membership")

    @strawberry_django.field(only=["role"])
    def role(self) -> RoleEnum:
        return role_of(self.role)

    @strawberry_django.field(select_related=["user"], only=["user_id"])
    def user(self) -> Optional[UserType]:
        return self.user

    @strawberry_django.field(select_related=["group__unit__organization"], only=["group_id"],
                             description="作为成员的单位 / The unit holding the role, for partner units")
    def unit_name(self) -> Optional[str]:
        return self.group.unit.organization.name if self.group_id else None


@strawberry.type(name="MyMembership", description="我的角色 / One of the signed-in user's roles")
class MyMembership:
    organization: OrganizationType
    role: RoleEnum
    subtree: bool
    expires_at: datetime | None


def _must_change_password(root: "MeType") -> bool:
    return must_change_password(root.actor.user)


def _memberships(root: "MeType") -> list[MyMembership]:
    # Live roles only: an expired role grants nothing, so its organization may be out of scope by now.
    memberships = Membership.objects.filter(unexpired(), user=root.actor.user, organization__in=Organization.objects.active())
    return [MyMembership(organization=m.organization, role=RoleEnum[Role(m.role).name], subtree=m.subtree, expires_at=m.expires_at)
            for m in memberships.select_related("organization").order_by("organization__path")]


def _is_donor(root: "MeType") -> bool:
    return Donor.objects.filter(user=root.actor.user).exists()


def _units(root: "MeType") -> list["MyUnit"]:
    return [MyUnit(id=relay.GlobalID("Organization", str(u.pk)), name=u.name)
            for u in Organization.objects.active().filter(pk__in=acting_units(root.actor)).order_by("path")]


@strawberry.type(name="Me", description="当前登录用户 / The signed-in user")
class MeType:
    """The fields that cost a statement each (the password flag, the roles, the donor, the units) are read only
    when selected: ``me { username }`` runs no SQL."""

    actor: strawberry.Private[Actor]
    username: str
    display_name: str
    is_superuser: bool
    must_change_password: bool = strawberry.field(resolver=_must_change_password,
                                                  description="须先修改密码 / Must change the password before anything else")
    memberships: list[MyMembership] = strawberry.field(resolver=_memberships)
    permissions: list[str] = strawberry.field(description="在任一组织持有的权限 / Permissions held anywhere")
    is_donor: bool = strawberry.field(resolver=_is_donor, description="用手机号登记的爱心人士 / A donor registered with a phone")
    units: list["MyUnit"] = strawberry.field(resolver=_units, description=(
        "我所代表的合作单位（单位成员） / The partner units you act for (as their member)"))


@strawberry.type(name="MyUnit", description="我所代表的单位 / A unit you act for")
class MyUnit:
    id: relay.GlobalID
    name: str


@strawberry_django.filter_type(Membership, lookups=False)
class MembershipFilter:
    @strawberry_django.filter_field
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return Q(**{f"{prefix}organization_id": value.node_id})

    @strawberry_django.filter_field
    def role(self, value: RoleEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}role": Role[value.value]})


@strawberry_django.type(ApiToken, name="ApiToken", description="合作单位接口令牌 / A partner unit's API token")
class ApiTokenType(relay.Node):
    name: str
    key_prefix: str = strawberry_django.field(description="令牌开头，用于识别 / The token's first characters")
    permissions: list[str]
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime
    organization = organization_field("令牌所属单位 / The unit the token acts for")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return actor_of(info).visible(queryset, "permissions.manage_token")


@strawberry_django.filter_type(AuditEntry, lookups=False)
class AuditEntryFilter:
    @strawberry_django.filter_field
    def action(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}action": value})

    @strawberry_django.filter_field(description="该时间及以后 / At or after")
    def since(self, value: datetime, prefix: str) -> Q:
        return Q(**{f"{prefix}created_at__gte": value})

    @strawberry_django.filter_field(description="该时间以前 / Before")
    def until(self, value: datetime, prefix: str) -> Q:
        return Q(**{f"{prefix}created_at__lt": value})

    @strawberry_django.filter_field(description="操作人：用户名或姓名 / Who acted: username or name")
    def actor(self, value: str, prefix: str) -> Q:
        return audit_log.by_actor(value, prefix)

    @strawberry_django.filter_field(description="该组织及其下级 / This organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return audit_log.by_organization(int(value.node_id) if value.node_id.isdigit() else 0, prefix)


@strawberry_django.type(AuditEntry, name="AuditEntry", description="审计日志条目 / An audit log entry")
class AuditEntryType(relay.Node):
    action: str
    target_type: str
    target_id: str
    ip: str | None
    created_at: datetime

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return audit_log.visible(actor_of(info), queryset)

    @strawberry_django.field(only=["actor_label", "actor_user_id", "actor_token_id"],
                             description="操作人（姓名；平台自身的任务为“系统”） / Who acted, by name (System for the platform's tasks)")
    def actor_label(self) -> str:
        return audit_log.actor_label(self)

    @strawberry_django.field(select_related=["actor_user"], only=["actor_user_id"],
                             description="操作人的用户名 / The acting person's username")
    def actor_username(self) -> Optional[str]:
        return self.actor_user.username if self.actor_user_id else None

    @strawberry_django.field(only=["action"], description="动作名称 / What was done, by name")
    def action_label(self) -> str:
        return audit_log.action_label(self.action)

    @strawberry_django.field(only=["target_type"], description="对象类型名称 / The kind of record, by name")
    def target_label(self) -> str:
        return audit_log.target_label(self.target_type)

    @strawberry_django.field(only=["changes", "target_type", "organization_id", "org_path"],
                             description="变更摘要，按读者权限脱敏（儿童档案：children/privacy.py） / The changes, masked "
                                         "for your permissions (children's records: children/privacy.py)")
    def changes(self, info: Info) -> JSON:
        return audit_changes(self, actor_of(info).scope)


    organization = organization_field("所涉组织 / The organization concerned")


AUDIT_ENTRY_ROWS = rows.Spec("AuditEntry", AuditEntry, {
    **rows.columns("action", "target_type", "target_id", "ip", "created_at"),
    "organization": organization_row(),
    "actorLabel": rows.Field(("actor_label", "actor_user_id", "actor_token_id"), lambda c, page: audit_log.actor_label(
        SimpleNamespace(actor_label=c["actor_label"], actor_user_id=c["actor_user_id"], actor_token_id=c["actor_token_id"]))),
    "actorUsername": rows.Field(("actor_user_id", "actor_user__username"),
                                lambda c, page: c["actor_user__username"] if c["actor_user_id"] else None),
    "actionLabel": rows.column("action", audit_log.action_label),
    "targetLabel": rows.column("target_type", audit_log.target_label),
    # masked by the page's decisions, per organization (permissions.masking.audit_changes asks a Scope's allows_at)
    "changes": rows.Field(("changes", "target_type", "organization_id", "org_path"), lambda c, page: audit_changes(
        SimpleNamespace(changes=c["changes"], target_type=c["target_type"], organization_id=c["organization_id"],
                        org_path=c["org_path"]), page)),
})
