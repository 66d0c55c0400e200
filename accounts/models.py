from django.conf import settings
from django.db import models

from orgs.models import TenantOwned


class Language(models.TextChoices):
    ZH = "zh-hans", "中文"
    EN = "en", "English"


class Profile(TenantOwned):
    """What the platform keeps about a person besides Django's user: the 姓名 lives in ``user.first_name``
    (what every screen, audit entry and history shows: ``Actor.label``); here the home organization (where the
    account was created: ``organization``), the work phone, the must-change-password flag and the notification
    channels the person chose (in-app always; e-mail and SMS when switched on and an address is given)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, primary_key=True, related_name="profile")
    phone = models.CharField("手机号", max_length=20, blank=True)
    must_change_password = models.BooleanField("首次登录须改密码", default=False)
    password_changed_at = models.DateTimeField("最近修改密码", null=True, blank=True)
    notify_by_email = models.BooleanField("邮件通知", default=False)
    notify_by_sms = models.BooleanField("短信通知", default=False)
    language = models.CharField("通知语言", max_length=8, choices=Language.choices, default=Language.ZH)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    # The bulk-creation job that made this account: a re-run of that job gives it a fresh initial password
    # instead of reporting the username as taken (the first run's report with its passwords was never written).
    import_job = models.ForeignKey("jobs.Job", models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "账号资料"

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization_id}"
