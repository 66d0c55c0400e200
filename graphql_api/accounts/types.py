from datetime import datetime
from typing import Optional

import strawberry
import strawberry_django
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from strawberry import Info, relay

from accounts import services
from accounts.models import Language, Profile
from graphql_api.access.types import MembershipType, RoleEnum
from graphql_api.context import actor_of
from graphql_api.enums import choices_enum
from graphql_api.orgs.types import OrganizationType
from orgs.models import Organization
from permissions.actor import person_label
from permissions.catalog import Role
from permissions.models import Membership

LanguageEnum = choices_enum(Language, "Language", "通知语言 / Language of notifications")
User = get_user_model()


def _subtree_path(value: relay.GlobalID) -> str | None:
    return Organization.objects.filter(pk=value.node_id).values_list("path", flat=True).first() \
        if value.node_id.isdigit() else None


def _members(**condition):
    """Users in the unit groups matching ``condition`` (a subquery: no duplicate rows)."""
    return User.groups.through.objects.filter(**condition).values("user_id")


@strawberry_django.filter_type(User, lookups=False)
class AccountFilter:
    @strawberry_django.filter_field(description="所属组织、角色或所代表单位在该组织及其下级 / "
                                                "Home, a role or a unit in this organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        path = _subtree_path(value)
        if path is None:
            return Q(pk__in=[])
        return Q(**{f"{prefix}pk__in": Membership.objects.filter(org_path__startswith=path).values("user_id")}) | \
            Q(**{f"{prefix}pk__in": Profile.objects.filter(org_path__startswith=path).values("user_id")}) | \
            Q(**{f"{prefix}pk__in": _members(group__unit__organization__path__startswith=path)})

    @strawberry_django.filter_field(description="持有该角色 / Holding this role")
    def role(self, value: RoleEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}pk__in": Membership.objects.filter(role=Role[value.value]).values("user_id")})

    @strawberry_django.filter_field(description="在用（true）或已停用（false） / Active or deactivated")
    def active(self, value: bool, prefix: str) -> Q:
        return Q(**{f"{prefix}is_active": value})

    @strawberry_django.filter_field(description="该单位的成员（代表单位认领、回复派单） / Members of this unit")
    def unit(self, value: relay.GlobalID, prefix: str) -> Q:
        return Q(**{f"{prefix}pk__in": _members(group__unit__organization_id=int(value.node_id) if value.node_id.isdigit() else 0)})

    @strawberry_django.filter_field(description="用户名或姓名包含 / Username or name contains")
    def search(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}username__icontains": value}) | Q(**{f"{prefix}first_name__icontains": value})


@strawberry_django.type(User, name="Account", description="账号：组织管理员可见其管辖范围内的人员 / A person's account, as their admins see it")
class AccountType(relay.Node):
    username: str = strawberry_django.field(description="登录用户名 / The username used to sign in")
    email: str
    is_active: bool = strawberry_django.field(description="在用；false 为已停用 / false: deactivated")
    last_login: Optional[datetime] = strawberry_django.field(description="最近登录 / Last sign-in")
    date_joined: datetime

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return services.visible_accounts(actor_of(info), queryset).order_by("username")

    @strawberry_django.field(only=["first_name", "last_name", "username"], description="姓名 / Display name")
    def display_name(self) -> str:
        return person_label(self)

    @strawberry_django.field(select_related=["profile"], description="手机号 / Mobile number")
    def phone(self) -> str:
        return self.profile.phone if hasattr(self, "profile") else ""

    @strawberry_django.field(select_related=["profile"], description="首次登录（或重置后）须修改密码 / Must change the password at the next sign-in")
    def must_change_password(self) -> bool:
        return hasattr(self, "profile") and self.profile.must_change_password

    @strawberry_django.field(select_related=["profile__organization"],
                             description="账号所属组织（创建时所在组织） / Home organization, where the account was created")
    def organization(self, info: Info) -> Optional[OrganizationType]:
        home = services.home_of(self)
        return home if home is not None and actor_of(info).can("orgs.view_organization", home) else None

    roles: list[MembershipType] = strawberry_django.field(
        field_name="memberships", description="您可管理范围内的角色及到期时间 / Roles (with expiry) within what you manage")

    @strawberry_django.field(prefetch_related=[services.PLACES[1]], description="代表的单位 / Units the person acts for")
    def unit_names(self) -> list[str]:
        return [unit.name for unit in services.units_of(_with_places(self))]

    @strawberry_django.field(annotate={"locked": lambda info: Exists(services.lockouts().filter(username=OuterRef("username")))},
                             description="登录失败次数过多已被锁定 / Locked out after failed sign-ins")
    def locked_out(self) -> bool:
        locked = getattr(self, "locked", None)
        return services.lockouts().filter(username=self.username).exists() if locked is None else locked

    @strawberry_django.field(select_related=["profile__organization"], prefetch_related=list(services.PLACES),
                             description="您能否停用、重置、解锁该账号（其全部角色都在您的管辖范围内） / "
                                         "Whether you may deactivate, reset or unlock it (all its places are yours)")
    def manageable(self, info: Info) -> bool:
        return services.manageable(actor_of(info), _with_places(self))


def _with_places(user):
    """The account with its places loaded: prefetched on a page of accounts (the fields' hints), read once for a
    single one (``account(id:)``), whose resolver the optimizer does not shape."""
    if hasattr(user, "all_memberships") and hasattr(user, "all_groups"):
        return user
    return services.with_places(User.objects.all()).get(pk=user.pk)


@strawberry.type(name="MySettings", description="我的联系方式与通知渠道（站内通知始终开启） / Your contact details and channels")
class MySettings:
    phone: str
    email: str
    notify_by_email: bool
    notify_by_sms: bool
    language: LanguageEnum


def my_settings(user) -> MySettings:
    profile = Profile.objects.filter(user=user).first()
    return MySettings(phone=profile.phone if profile else "", email=user.email,
                      notify_by_email=bool(profile and profile.notify_by_email),
                      notify_by_sms=bool(profile and profile.notify_by_sms),
                      language=LanguageEnum[Language(profile.language if profile else Language.ZH).name])
