from django.conf import settings
from django.db import models

from core.fields import EncryptedTextField
from orgs.models import Kind, TenantOwned


class Donor(models.Model):
    """A person registered by themselves to claim wishes from the public board (爱心人士). The 姓名 is the user's
    display name (``user.first_name``); the phone, confirmed by a code, is how they sign in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, primary_key=True, related_name="donor")
    phone = EncryptedTextField("手机号")
    phone_index = models.CharField(max_length=64, unique=True, editable=False)  # blind index of the phone
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "爱心人士"


class PhoneCode(models.Model):
    """A 6-digit code sent by SMS to confirm a phone: stored as a keyed hash, expiring, with its failed attempts."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ApplicationState(models.TextChoices):
    PENDING = "PENDING", "待审核"
    APPROVED = "APPROVED", "已通过"
    REJECTED = "REJECTED", "未通过"


class UnitApplication(TenantOwned):
    """An enterprise's or unit's application to claim from ``organization``'s board (爱心单位). Approved there, the
    unit becomes a partner unit below that organization and the applicant its first member."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="unit_applications")
    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("单位类型", max_length=32, choices=Kind.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    state = models.CharField("状态", max_length=10, choices=ApplicationState.choices, default=ApplicationState.PENDING)
    reason = models.CharField("审核意见", max_length=200, blank=True)
    decided_by = models.CharField("审核人", max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    unit = models.ForeignKey("orgs.Organization", models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "爱心单位申请"
