from django.db import models

from core.fields import EncryptedTextField
from orgs.models import TenantOwned


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["org_path", "name", "id"]
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
