"""Child-protection case work on a child's file (Primero's shape): one case per child, its risk assessments, plan
(goals and actions), incidents, referrals and the services given. Every text here is a minor's personal data
(cases/privacy.py). A case is scoped through its child (``SCOPE_FIELDS``): it follows the child's record when the
record is transferred, moved or merged, with no path of its own to keep right."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from children.models import Child

SCOPE_FIELDS = ("child__org_path", "child__organization_id")


class RiskLevel(models.TextChoices):
    LOW = "LOW", "低"
    MEDIUM = "MEDIUM", "中"
    HIGH = "HIGH", "高"


class Rating(models.TextChoices):
    GOOD = "GOOD", "良好"
    CONCERN = "CONCERN", "需关注"
    SERIOUS = "SERIOUS", "严重"


class CaseStatus(models.TextChoices):
    OPEN = "OPEN", "进行中"
    CLOSED = "CLOSED", "已结案"


class Case(models.Model):
    """A child's protection case: the current risk level (the last assessment's, raised by serious incidents) and
    when the next assessment is due."""

    child = models.OneToOneField(Child, models.CASCADE, related_name="case")
    status = models.CharField("状态", max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    risk_level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices, blank=True)
    risk_reasons = models.JSONField("风险原因", default=list)
    next_assessment_on = models.DateField("下次评估日期", null=True, blank=True, db_index=True)
    closed_reason = models.TextField("结案原因", blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    opened_by = models.CharField("立案人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "保护个案"
        indexes = [models.Index(fields=["risk_level", "status"], name="case_risk_status")]

    def __str__(self) -> str:
        return f"Case #{self.pk}"


class Assessment(models.Model):
    """A structured risk assessment: six items rated, the level and reasons computed by cases/risk.py."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="assessments")
    assessed_on = models.DateField("评估日期")
    guardian_capacity = models.CharField("监护能力", max_length=8, choices=Rating.choices)
    school_attendance = models.CharField("就学情况", max_length=8, choices=Rating.choices)
    health = models.CharField("身体健康", max_length=8, choices=Rating.choices)
    psychological_state = models.CharField("心理状况", max_length=8, choices=Rating.choices)
    safety_at_home = models.CharField("家庭安全", max_length=8, choices=Rating.choices)
    parent_contact = models.CharField("与父母联系", max_length=8, choices=Rating.choices)
    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices)
    reasons = models.JSONField("风险原因", default=list)
    note = models.TextField("评估说明", blank=True)
    assessor = models.CharField("评估人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]


class ActionStatus(models.TextChoices):
    TODO = "TODO", "未开始"
    DOING = "DOING", "进行中"
    DONE = "DONE", "已完成"
    CANCELLED = "CANCELLED", "已取消"


class Goal(models.Model):
    """A goal of the case plan."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="goals")
    text = models.TextField("目标")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Action(models.Model):
    """An action towards a goal: a staff account owns it until its due date."""

    goal = models.ForeignKey(Goal, models.CASCADE, related_name="actions")
    text = models.TextField("措施")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="负责人")
    due_on = models.DateField("完成期限")
    status = models.CharField("状态", max_length=10, choices=ActionStatus.choices, default=ActionStatus.TODO)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]


class IncidentKind(models.TextChoices):
    ABUSE = "ABUSE", "虐待"
    NEGLECT = "NEGLECT", "忽视"
    INJURY = "INJURY", "意外伤害"
    DROPOUT = "DROPOUT", "辍学"
    RUNAWAY = "RUNAWAY", "离家出走"
    OTHER = "OTHER", "其他"


class Severity(models.TextChoices):
    MINOR = "MINOR", "一般"
    SERIOUS = "SERIOUS", "较重"
    GRAVE = "GRAVE", "严重"


class Informed(models.TextChoices):
    GUARDIAN = "GUARDIAN", "监护人"
    SCHOOL = "SCHOOL", "学校"
    POLICE = "POLICE", "公安"
    CIVIL_AFFAIRS = "CIVIL_AFFAIRS", "民政"


class Incident(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="incidents")
    kind = models.CharField("类型", max_length=10, choices=IncidentKind.choices)
    severity = models.CharField("严重程度", max_length=8, choices=Severity.choices)
    occurred_on = models.DateField("发生日期")
    description = models.TextField("经过")
    informed = models.JSONField("已告知", default=list)
    informed_on = models.DateField("告知日期", null=True, blank=True)
    follow_up = models.TextField("后续跟进", blank=True)
    closed_at = models.DateTimeField("处置完毕时间", null=True, blank=True)
    reported_by = models.CharField("报告人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["closed_at"], name="incident_open")]


class ReferralTarget(models.TextChoices):
    HOTLINE_12355 = "HOTLINE_12355", "12355 青少年服务台"
    SCHOOL = "SCHOOL", "学校"
    CIVIL_AFFAIRS = "CIVIL_AFFAIRS", "民政"
    POLICE = "POLICE", "公安"
    HEALTH = "HEALTH", "卫生健康"
    COUNSELLING = "COUNSELLING", "心理咨询机构"
    PARTNER = "PARTNER", "合作单位"


class ReferralStatus(models.TextChoices):
    SENT = "SENT", "已转介"
    ACCEPTED = "ACCEPTED", "已接收"
    SERVED = "SERVED", "已服务"
    CLOSED = "CLOSED", "已关闭"


class Referral(models.Model):
    """A referral to a service; one to a partner unit shares the case with the unit until it closes or expires."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="referrals")
    target = models.CharField("转介对象", max_length=16, choices=ReferralTarget.choices)
    receiver = models.CharField("接收方", max_length=100, blank=True)
    unit = models.ForeignKey("orgs.Organization", models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField("转介原因")
    status = models.CharField("状态", max_length=8, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    feedback = models.TextField("接收方反馈", blank=True)
    access_until = models.DateTimeField("查阅期限", null=True, blank=True)
    sent_on = models.DateField("转介日期")
    referred_by = models.CharField("转介人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-sent_on", "-id"]


class ServiceKind(models.TextChoices):
    COUNSELLING = "COUNSELLING", "心理疏导"
    FAMILY_CALL = "FAMILY_CALL", "亲情电话"
    SAFETY_LESSON = "SAFETY_LESSON", "安全教育"
    AID = "AID", "资助"


class AidProgramme(models.TextChoices):
    SHISUI = "SHISUI", "拾穗行动"
    CHUNLEI = "CHUNLEI", "春蕾计划"
    OTHER = "OTHER", "其他"


class Service(models.Model):
    """A service given: counselling (by whom, summary), a 亲情电话 call (with whom, minutes), a safety lesson
    (its topic in the summary), aid (programme, amount)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="services")
    kind = models.CharField("类型", max_length=14, choices=ServiceKind.choices)
    given_on = models.DateField("日期")
    provider = models.CharField("服务人", max_length=50, blank=True)
    with_whom = models.CharField("通话对象", max_length=20, blank=True)
    minutes = models.PositiveIntegerField("时长（分钟）", null=True, blank=True)
    programme = models.CharField("资助项目", max_length=8, choices=AidProgramme.choices, blank=True)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    summary = models.TextField("记录", blank=True)
    recorded_by = models.CharField("记录人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="service_amount_not_negative")]


class CaseGrant(models.Model):
    """A record-level grant on one case (a referral to a partner unit), until ``expires_at``; registered with
    permissions (cases.apps), which resolves and writes it like a child's shared file."""

    content_object = models.ForeignKey(Case, models.CASCADE)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")

    class Meta:
        abstract = True


class CaseUserGrant(CaseGrant, UserObjectPermissionBase):
    class Meta(UserObjectPermissionBase.Meta):
        pass


class CaseGroupGrant(CaseGrant, GroupObjectPermissionBase):
    class Meta(GroupObjectPermissionBase.Meta):
        pass
