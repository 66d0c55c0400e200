import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from orgs.models import Organization, TenantOwned, page_index
from permissions.catalog import Role


def unexpired(prefix: str = "") -> Q:
    """Grants and memberships in force: no expiry, or one still ahead."""
    return Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": timezone.now()})


class Membership(TenantOwned):
    """A role held at an organization by a user, or by a unit's group (a partner unit and its tokens).

    The role's permissions are materialised as guardian object permissions on the organization (rows of
    the two models below, deleted with the membership). ``subtree`` False means "this organization only".
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="memberships")
    group = models.ForeignKey(Group, models.CASCADE, null=True, blank=True, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    subtree = models.BooleanField("含下级组织", default=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "成员角色"
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False, group__isnull=True) | Q(user__isnull=True, group__isnull=False)),
                name="membership_user_xor_group",
            ),
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_org"),
            models.UniqueConstraint(fields=["group", "organization"], name="membership_unique_group_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.group} @ {self.organization_id}: {self.role}"


class OrganizationUserPermission(UserObjectPermissionBase):
    """guardian's direct foreign-key user permission on an Organization, owned by a membership."""

    content_object = models.ForeignKey(Organization, models.CASCADE)
    membership = models.ForeignKey(Membership, models.CASCADE, related_name="user_permissions")


class OrganizationGroupPermission(GroupObjectPermissionBase):
    """guardian's direct foreign-key group permission on an Organization, owned by a membership."""

    content_object = models.ForeignKey(Organization, models.CASCADE)
    membership = models.ForeignKey(Membership, models.CASCADE, related_name="group_permissions")


class UnitGroup(models.Model):
    """The auth group that stands for one organization when it acts as a member elsewhere (a partner unit).

    Roles granted to the group reach the unit's users in the group and the unit's API tokens.
    """

    organization = models.OneToOneField(Organization, models.PROTECT, related_name="unit_group")
    group = models.OneToOneField(Group, models.PROTECT, related_name="unit")

    class Meta:
        verbose_name = verbose_name_plural = "单位用户组"


class ScopeVersion(models.Model):
    """One row whose value changes with every membership, grant or tree change; cached scopes carry it.

    Each change writes a fresh random value rather than value + 1: if the changing transaction rolls back,
    a scope cached under its uncommitted value can never be mistaken for a later change's scope.
    """

    value = models.PositiveBigIntegerField(default=1)

    @classmethod
    def current(cls) -> int:
        value = cls.objects.filter(pk=1).values_list("value", flat=True).first()
        return value or 0

    @classmethod
    def bump(cls) -> int:
        """The row's new value (call permissions.scope.bump_version, which also refreshes the cached copy)."""
        value = secrets.randbits(62) + 1
        if not cls.objects.filter(pk=1).update(value=value):
            cls.objects.get_or_create(pk=1, defaults={"value": value})
        return value


class ApiToken(TenantOwned):
    """A partner unit's API token. The secret is shown once; only its SHA-256 is stored."""

    name = models.CharField("名称", max_length=100)
    key_prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    permissions = models.JSONField("权限", default=list)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit entries are append-only")

    def delete(self):
        raise PermissionError("audit entries are append-only")


class AuditEntry(models.Model):
    """Append-only record of every change and every read of unmasked personal data."""

    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    actor_token = models.ForeignKey(ApiToken, models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField("操作人", max_length=150)
    organization = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, blank=True)
    action = models.CharField("动作", max_length=64, db_index=True)
    target_type = models.CharField("对象类型", max_length=64)
    target_id = models.CharField("对象 ID", max_length=64, blank=True)
    changes = models.JSONField("变更摘要", default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()
    scope_fields = ("org_path", "organization_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [page_index("auditentry", "created_at", "id")]  # the log's order, within the scope's range
        verbose_name = verbose_name_plural = "审计日志"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")


# Record-level grants per shareable model (a domain registers its own in its AppConfig.ready: children's files):
# model label -> (user grant model, group grant model), guardian direct-FK models with an ``expires_at``.
# permissions/scope.py reads them; permissions.services.share_record writes them.
RECORD_GRANTS: dict[str, tuple] = {}


def register_record_grants(label: str, user_model, group_model) -> None:
    RECORD_GRANTS[label] = (user_model, group_model)
