from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.fields import EncryptedTextField
from core.models import PrivatePhoto
from orgs.models import Bytewise, TenantOwned, page_index


class Sex(models.TextChoices):
    MALE = "MALE", "男"
    FEMALE = "FEMALE", "女"


class Category(models.TextChoices):
    LEFT_BEHIND = "LEFT_BEHIND", "留守儿童"
    MIGRANT = "MIGRANT", "流动儿童"
    IN_DIFFICULTY = "IN_DIFFICULTY", "困境儿童"
    DE_FACTO_ORPHAN = "DE_FACTO_ORPHAN", "事实孤儿"
    DISABLED = "DISABLED", "残疾儿童"


class GuardianArrangement(models.TextChoices):
    GRANDPARENTS = "GRANDPARENTS", "祖父母/外祖父母"
    SINGLE_PARENT = "SINGLE_PARENT", "单亲照料"
    RELATIVES = "RELATIVES", "其他亲属寄养"
    ONE_PARENT_HOME = "ONE_PARENT_HOME", "父母一方在家"
    OTHER = "OTHER", "其他"


class Need(models.TextChoices):
    STUDY = "STUDY", "学习"
    PSYCHOLOGICAL = "PSYCHOLOGICAL", "心理"
    SAFETY = "SAFETY", "安全"
    LIVING = "LIVING", "生活"
    HEALTH = "HEALTH", "健康"


class Status(models.TextChoices):
    ACTIVE = "ACTIVE", "在册"
    MOVED_OUT = "MOVED_OUT", "迁出"
    AGED_OUT = "AGED_OUT", "超龄"
    CLOSED = "CLOSED", "结案"


class Child(TenantOwned):
    """A child's record (留守儿童电子信息档案). ID number and address are encrypted; ``id_index`` is the
    blind index of the normalized ID number, unique across all tenants for de-duplication."""

    path_counted = True  # the children page counts its scope by path (orgs/counts.py)

    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=6, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    id_number = EncryptedTextField("身份证号")
    id_index = models.CharField(max_length=64, unique=True, null=True, editable=False)
    categories = models.JSONField("类别", default=list)
    school = models.CharField("学校", max_length=100, blank=True)
    grade = models.CharField("年级", max_length=20, blank=True)
    home_division_code = models.CharField("家庭所在村（区划代码）", max_length=12, blank=True)
    address = EncryptedTextField("详细住址", blank=True)
    guardian_arrangement = models.CharField("监护方式", max_length=20, choices=GuardianArrangement.choices)
    parents_work_place = models.CharField("父母务工地", max_length=100, blank=True)
    needs = models.JSONField("需求", default=list)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    closed_reason = models.CharField("结案原因", max_length=200, blank=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    anonymized_at = models.DateTimeField("匿名化时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Bytewise("org_path").asc(), "name", "id"]
        # the roster's orders: by organization and name (the default, and by name within the scope), newest first,
        # by birth date
        indexes = [page_index("child", "name", "id"), page_index("child", "created_at", "id"),
                   page_index("child", "birth_date", "id")]
        verbose_name = verbose_name_plural = "儿童档案"

    def __str__(self) -> str:
        return f"Child #{self.pk}"


class Guardian(models.Model):
    child = models.ForeignKey(Child, models.CASCADE, related_name="guardians")
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("关系", max_length=20)
    phone = EncryptedTextField("联系电话", blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "监护人"


class FollowUpKind(models.TextChoices):
    HOME_VISIT = "HOME_VISIT", "入户走访"
    PHONE = "PHONE", "电话联系"
    SCHOOL = "SCHOOL", "学校走访"
    OTHER = "OTHER", "其他"


class FollowUp(models.Model):
    """A follow-up visit (走访) and what was found."""

    child = models.ForeignKey(Child, models.CASCADE, related_name="follow_ups")
    visited_on = models.DateField("走访日期")
    kind = models.CharField("方式", max_length=12, choices=FollowUpKind.choices, default=FollowUpKind.HOME_VISIT)
    note = models.TextField("情况记录")
    author_label = models.CharField("记录人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]


class GrowthEntry(models.Model):
    """An entry of the growth record (成长记录)."""

    child = models.ForeignKey(Child, models.CASCADE, related_name="growth_entries")
    recorded_on = models.DateField("日期")
    title = models.CharField("标题", max_length=100)
    text = models.TextField("内容")
    author_label = models.CharField("记录人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]


class Consent(models.Model):
    """A guardian's consent for the child's data (PIPL: data of children under 14 is sensitive)."""

    child = models.ForeignKey(Child, models.CASCADE, related_name="consents")
    given_by = models.CharField("同意人", max_length=50)
    relation = models.CharField("与儿童关系", max_length=20)
    given_on = models.DateField("同意日期")
    registry = models.BooleanField("建档", default=True)
    photos = models.BooleanField("照片", default=False)
    partner_sharing = models.BooleanField("与合作单位共享", default=False)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    recorded_by = models.CharField("登记人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]


class TransferState(models.TextChoices):
    REQUESTED = "REQUESTED", "待接收"
    ACCEPTED = "ACCEPTED", "已接收"
    DECLINED = "DECLINED", "已拒绝"
    CANCELLED = "CANCELLED", "已撤回"


class Transfer(models.Model):
    """A child's record handed from one organization to another; requested by one side, accepted by the other."""

    child = models.ForeignKey(Child, models.CASCADE, related_name="transfers")
    from_organization = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="+")
    to_organization = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="+")
    requested_by_receiver = models.BooleanField("由接收方申请", default=False)
    state = models.CharField("状态", max_length=10, choices=TransferState.choices, default=TransferState.REQUESTED)
    reason = models.CharField("原因", max_length=200)
    requested_by = models.CharField("申请人", max_length=150)
    decided_by = models.CharField("处理人", max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Visible from either side (few rows: the owners' paths are joined, not copied).
    SIDES = (("from_organization__path", "from_organization_id"), ("to_organization__path", "to_organization_id"))

    class Meta:
        ordering = ["-created_at", "-id"]


class ChildPhoto(PrivatePhoto):
    """A photo in a child's file."""

    child = models.ForeignKey(Child, models.CASCADE, related_name="photos")
    caption = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ChildGrant(models.Model):
    """A record-level grant on one child's file (guardian direct FK), until ``expires_at``. Registered with
    permissions (children.apps), which resolves and writes such grants for any model that has them."""

    content_object = models.ForeignKey(Child, models.CASCADE)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")

    class Meta:
        abstract = True


class ChildUserGrant(ChildGrant, UserObjectPermissionBase):
    """One child's file shared with one user."""

    class Meta(UserObjectPermissionBase.Meta):
        db_table = "permissions_childusergrant"  # created by permissions' migrations, before the move


class ChildGroupGrant(ChildGrant, GroupObjectPermissionBase):
    """One child's file shared with a group (a partner unit's group)."""

    class Meta(GroupObjectPermissionBase.Meta):
        db_table = "permissions_childgroupgrant"
