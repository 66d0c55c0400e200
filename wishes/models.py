from decimal import Decimal

from django.conf import settings
from django.db import models

from core.models import PrivatePhoto
from orgs.models import TenantOwned, page_index


class Category(models.TextChoices):
    ITEM = "ITEM", "添一物"
    SKILL = "SKILL", "送一技"
    YARD = "YARD", "送一院"
    STUDY_SUPPLIES = "STUDY_SUPPLIES", "学习用品"
    DAILY_NECESSITIES = "DAILY_NECESSITIES", "生活用品"
    COMPANIONSHIP = "COMPANIONSHIP", "陪伴/亲情"
    OTHER = "OTHER", "其他"


class State(models.TextChoices):
    COLLECTED = "COLLECTED", "已征集"
    RETURNED = "RETURNED", "退回修改"
    REVIEWED = "REVIEWED", "已审核"
    PUBLISHED = "PUBLISHED", "已公示"
    CLAIMED = "CLAIMED", "已认领"
    PREPARED = "PREPARED", "已备礼"
    DELIVERED = "DELIVERED", "已发放"
    FULFILLED = "FULFILLED", "已圆梦"
    WITHDRAWN = "WITHDRAWN", "已撤回"
    CLOSED = "CLOSED", "无法实现"
    ESCALATED = "ESCALATED", "交上级协调"


class Wish(TenantOwned):
    """A child's (or a poor household's) micro-wish. ``organization`` collected it; ``handling_organization``
    runs it now (the superior after a take-over). The state changes only through wishes.services."""

    path_counted = True  # the wish lists count their scope by path (orgs/counts.py)

    child = models.ForeignKey("children.Child", models.PROTECT, null=True, blank=True, related_name="wishes")
    household = models.CharField("困难家庭", max_length=100, blank=True)
    title = models.CharField("心愿", max_length=100)
    text = models.TextField("孩子的话", blank=True)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    estimated_value = models.DecimalField("估价（元）", max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField("数量", default=1)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.COLLECTED, db_index=True)
    covered_amount = models.DecimalField("已认领金额", max_digits=10, decimal_places=2, default=Decimal("0"))
    handling_organization = models.ForeignKey("orgs.Organization", models.PROTECT, null=True, blank=True, related_name="+")
    claim_deadline = models.DateField("认领截止", null=True, blank=True)
    campaign = models.ForeignKey("programs.Campaign", models.PROTECT, null=True, blank=True, related_name="wishes",
                                 verbose_name="征集所属行动")
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    close_reason = models.CharField("结束原因", max_length=200, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField("认领完成", null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    delivery_note = models.TextField("发放记录", blank=True)
    thanks = models.TextField("感谢语", blank=True)  # the organization's thank-you to the donors, at fulfilment
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # the board's orders (newest first, the default), within the scope's range; and the published board's
        # (publishedWishes, newest first; "claimable" compares the amounts): with the staff's indexes its page read
        # and filtered every wish of the scope by state, 72-96 ms of the partner's ~95 ms request at province, where
        # this index reads its 2,861 published wishes alone in 1.3-1.6 ms (issue 15)
        indexes = [page_index("wish", "created_at", "id"), page_index("wish", "published_at", "id"),
                   page_index("wish", "claim_deadline", "id"), page_index("wish", "estimated_value", "id"),
                   page_index("wish_published", "created_at", "id", include=("covered_amount", "estimated_value"),
                              condition=models.Q(state=State.PUBLISHED))]
        verbose_name = verbose_name_plural = "微心愿"
        constraints = [models.CheckConstraint(condition=models.Q(covered_amount__lte=models.F("estimated_value")),
                                              name="wish_never_over_covered")]

    def __str__(self) -> str:
        return f"Wish #{self.pk} {self.title}"

    @property
    def remaining(self) -> Decimal:
        return self.estimated_value - self.covered_amount


class DonorKind(models.TextChoices):
    PERSON = "PERSON", "爱心人士"
    UNIT = "UNIT", "爱心单位"


class Claim(models.Model):
    """A donor's claim on a wish, for an amount (the whole value for 1+1, a share for N+1)."""

    wish = models.ForeignKey(Wish, models.CASCADE, related_name="claims")
    donor_kind = models.CharField(max_length=6, choices=DonorKind.choices)
    donor_user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    donor_unit = models.ForeignKey("orgs.Organization", models.PROTECT, null=True, blank=True, related_name="+")
    donor_label = models.CharField("认领人", max_length=150)
    amount = models.DecimalField("金额", max_digits=10, decimal_places=2)
    via_dispatch = models.BooleanField("组织派单", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        # myClaims and unitClaims: a person's or a unit's claims, newest first
        indexes = [models.Index(fields=["donor_user", "created_at", "id"], name="claim_page_user_created_at_id"),
                   models.Index(fields=["donor_unit", "created_at", "id"], name="claim_page_unit_created_at_id")]


class DispatchState(models.TextChoices):
    PENDING = "PENDING", "待回复"
    ACCEPTED = "ACCEPTED", "已接单"
    DECLINED = "DECLINED", "已拒绝"
    EXPIRED = "EXPIRED", "已超时"
    WITHDRAWN = "WITHDRAWN", "已撤回"  # accepted, then the unit's claim was cancelled


class Dispatch(models.Model):
    """组织派单: staff assign a published wish to a unit, which accepts or declines by the deadline."""

    wish = models.ForeignKey(Wish, models.CASCADE, related_name="dispatches")
    unit = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="+")
    deadline = models.DateTimeField("回复截止")
    state = models.CharField(max_length=10, choices=DispatchState.choices, default=DispatchState.PENDING)
    dispatched_by = models.CharField(max_length=150)
    responded_by = models.CharField(max_length=150, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # myDispatches: a unit's dispatches in its two orders (newest first, the default; by deadline)
        indexes = [models.Index(fields=["unit", "created_at", "id"], name="dispatch_page_created_at_id"),
                   models.Index(fields=["unit", "deadline", "id"], name="dispatch_page_deadline_id")]


class WishPhoto(PrivatePhoto):
    """A photo of the delivery (发放现场)."""

    wish = models.ForeignKey(Wish, models.CASCADE, related_name="photos")

    class Meta:
        ordering = ["created_at", "id"]
