from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    REPORT_REQUESTED = "REPORT_REQUESTED", "新的报送任务"
    REPORT_DUE = "REPORT_DUE", "报送即将截止"
    REPORT_OVERDUE = "REPORT_OVERDUE", "报送已逾期"
    REPORT_SUBMITTED = "REPORT_SUBMITTED", "报送待审核"
    REPORT_RETURNED = "REPORT_RETURNED", "报送被退回"
    WISHES_TO_REVIEW = "WISHES_TO_REVIEW", "心愿待审核"
    WISHES_TO_PUBLISH = "WISHES_TO_PUBLISH", "心愿待公示"
    WISH_TO_DELIVER = "WISH_TO_DELIVER", "心愿待发放"
    DISPATCH_RECEIVED = "DISPATCH_RECEIVED", "收到派单"
    DISPATCH_EXPIRING = "DISPATCH_EXPIRING", "派单即将超时"
    TRANSFER_REQUESTED = "TRANSFER_REQUESTED", "档案转移待处理"
    TRANSFER_WAITING = "TRANSFER_WAITING", "档案转移久未处理"
    HOURS_TO_CONFIRM = "HOURS_TO_CONFIRM", "服务时长待确认"
    PAIRING_OVERDUE = "PAIRING_OVERDUE", "结对超期未联系"
    JOB_FINISHED = "JOB_FINISHED", "后台任务结束"
    UNIT_APPLICATION = "UNIT_APPLICATION", "爱心单位申请待审核"
    UNIT_APPLICATION_DECIDED = "UNIT_APPLICATION_DECIDED", "爱心单位申请已审核"
    GRAVE_INCIDENT = "GRAVE_INCIDENT", "严重事件"
    CAMPAIGN_INVITATION = "CAMPAIGN_INVITATION", "联合发起邀请"


class Notification(models.Model):
    """A message to one person, shown in the console (in-app, always) and possibly sent by e-mail or SMS
    (``Delivery``). Title and body are written in the recipient's language when it is created and never carry a
    child's personal data. ``key`` makes a reminder once per recipient (unique with the recipient)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    key = models.CharField(max_length=120, null=True, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "通知"
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread"),
                   models.Index(fields=["recipient", "-created_at", "-id"], name="notification_newest")]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"


class Channel(models.TextChoices):
    EMAIL = "EMAIL", "邮件"
    SMS = "SMS", "短信"


class DeliveryState(models.TextChoices):
    PENDING = "PENDING", "待发送"
    SENT = "SENT", "已发送"
    FAILED = "FAILED", "发送失败"


class Delivery(models.Model):
    """One notification sent out by one channel besides the console; sent by a job (notifications.delivery)."""

    notification = models.ForeignKey(Notification, models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    state = models.CharField(max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel")]
