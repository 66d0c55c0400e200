"""Programs: 快乐家园 sites, 七彩假期 projects and service points, volunteers and their hours, pairings,
campaigns (行动) and activities. Every row is tenant-owned; figures are derived from rows, never typed twice."""

from django.db import models

from core.fields import EncryptedTextField
from core.models import PrivatePhoto
from orgs.models import TenantOwned, page_index


class Corner(models.TextChoices):
    READING = "READING", "智慧书屋"
    ART = "ART", "七彩书法绘画角"
    COUNSELLING = "COUNSELLING", "心灵营养驿站"
    ONLINE = "ONLINE", "快乐网上行"
    PARENT_CHILD = "PARENT_CHILD", "亲子乐园"
    OTHER = "OTHER", "其他"


class HappyHome(TenantOwned):
    """A 快乐家园 site run by a township body or village. ``corners`` is a list of
    ``{"kind": Corner, "name": str, "computers": int}``."""

    name = models.CharField("名称", max_length=100)
    division_code = models.CharField("所在村（区划代码）", max_length=12, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    opened_on = models.DateField("开办日期", null=True, blank=True)
    area_m2 = models.PositiveIntegerField("面积（平方米）", default=0)
    corners = models.JSONField("功能室", default=list, blank=True)
    open_after_school = models.BooleanField("放学后开放", default=False)
    open_weekends = models.BooleanField("周末开放", default=False)
    open_holidays = models.BooleanField("节假日开放", default=False)
    opening_hours = models.CharField("开放时间说明", max_length=200, blank=True)
    books_count = models.PositiveIntegerField("图书（册）", default=0)
    supervision_group = models.CharField("监督小组", max_length=200, blank=True)
    children = models.ManyToManyField("children.Child", through="HomeChild", related_name="happy_homes")
    volunteers = models.ManyToManyField("Volunteer", related_name="happy_homes", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [page_index("happyhome", "created_at", "id")]  # each list's order, within the scope's range
        verbose_name = verbose_name_plural = "快乐家园"

    def __str__(self) -> str:
        return self.name


class HomeChild(models.Model):
    """A child served by a site; the child's growth record is the site's 彩色档案 colour file."""

    home = models.ForeignKey(HappyHome, models.CASCADE)
    child = models.ForeignKey("children.Child", models.CASCADE)
    joined_on = models.DateField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["home", "child"], name="home_child_once")]


class StaffRole(models.TextChoices):
    DIRECTOR = "DIRECTOR", "专职主任"
    SOCIAL_WORKER = "SOCIAL_WORKER", "社工"
    HELPER = "HELPER", "行政辅助"


class HomeStaff(models.Model):
    home = models.ForeignKey(HappyHome, models.CASCADE, related_name="staff")
    role = models.CharField("岗位", max_length=14, choices=StaffRole.choices)
    name = models.CharField("姓名", max_length=50)

    class Meta:
        ordering = ["role", "id"]


class FundingSource(models.TextChoices):
    DISTRICT = "DISTRICT", "区县财政"
    TOWN = "TOWN", "乡镇"
    FEDERATION = "FEDERATION", "群团补贴"
    DONATION = "DONATION", "社会捐赠"
    OTHER = "OTHER", "其他"


class HomeFunding(models.Model):
    home = models.ForeignKey(HappyHome, models.CASCADE, related_name="funding")
    year = models.PositiveIntegerField("年度")
    source = models.CharField("来源", max_length=10, choices=FundingSource.choices)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["-year", "source"]


class InterestGroup(models.Model):
    home = models.ForeignKey(HappyHome, models.CASCADE, related_name="groups")
    name = models.CharField("兴趣小组", max_length=50)
    schedule = models.CharField("活动时间", max_length=100, blank=True)
    members = models.ManyToManyField("children.Child", related_name="+", blank=True)

    class Meta:
        ordering = ["name", "id"]


class Origin(models.TextChoices):
    UNIVERSITY = "UNIVERSITY", "高校学生"
    UNIT = "UNIT", "单位职工"
    WULAO = "WULAO", "五老"
    SURROGATE_MOTHER = "SURROGATE_MOTHER", "代理妈妈/爱心妈妈"
    PARENTING_LECTURER = "PARENTING_LECTURER", "家庭教育讲师团"
    YOUTH = "YOUTH", "青年志愿者"
    OTHER = "OTHER", "其他"


class Volunteer(TenantOwned):
    """A volunteer registered by an organization. The phone is encrypted like children's contact data."""

    name = models.CharField("姓名", max_length=50)
    phone = EncryptedTextField("电话", blank=True)
    origin = models.CharField("来源", max_length=20, choices=Origin.choices)
    origin_name = models.CharField("所在单位/学校", max_length=100, blank=True)
    team = models.CharField("服务队", max_length=100, blank=True)
    skills = models.JSONField("特长", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [page_index("volunteer", "created_at", "id")]
        verbose_name = verbose_name_plural = "志愿者"

    def __str__(self) -> str:
        return self.name


class Season(models.TextChoices):
    SUMMER = "SUMMER", "暑期"
    WINTER = "WINTER", "寒假"


class HolidayProject(TenantOwned):
    """A 七彩假期 project of a league committee for one season (e.g. 2027 暑期)."""

    name = models.CharField("项目名称", max_length=100)
    year = models.PositiveIntegerField("年度")
    season = models.CharField("假期", max_length=6, choices=Season.choices)
    starts_on = models.DateField("开始")
    ends_on = models.DateField("结束")
    campaign = models.ForeignKey("Campaign", models.SET_NULL, null=True, blank=True, related_name="holiday_projects")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-year", "-created_at", "-id"]
        verbose_name = verbose_name_plural = "七彩假期项目"


class PointKind(models.TextChoices):
    VILLAGE = "VILLAGE", "村（社区）"
    SCHOOL = "SCHOOL", "学校"


class ServicePoint(TenantOwned):
    """A 服务点 of a holiday project, owned by the body that hosts it (in the project owner's subtree).
    Children served and money and goods raised are reported figures; hours come from confirmed records."""

    project = models.ForeignKey(HolidayProject, models.CASCADE, related_name="points")
    name = models.CharField("服务点", max_length=100)
    kind = models.CharField("类型", max_length=8, choices=PointKind.choices)
    division_code = models.CharField("区划代码", max_length=12, blank=True)
    starts_on = models.DateField("开始")
    ends_on = models.DateField("结束")
    team = models.CharField("三下乡服务队", max_length=100, blank=True)
    children_served = models.PositiveIntegerField("直接服务儿童", default=0)
    money_raised = models.DecimalField("筹集资金（元）", max_digits=12, decimal_places=2, default=0)
    goods_value = models.DecimalField("筹集物资折价（元）", max_digits=12, decimal_places=2, default=0)
    volunteers = models.ManyToManyField(Volunteer, related_name="service_points", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = verbose_name_plural = "七彩假期服务点"


class ServiceRecordQuerySet(models.QuerySet):
    def confirmed(self):
        """The hours that count (in summaries, certificates, holiday figures and rollups): confirmed ones."""
        return self.filter(confirmed_at__isnull=False)

    def pending(self):
        return self.filter(confirmed_at__isnull=True)


class ServiceRecord(TenantOwned):
    """Hours a volunteer served at a site or a service point (exactly one). ``organization`` is the place's
    owner, whose staff confirm the hours; unconfirmed hours count nowhere."""

    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="records")
    happy_home = models.ForeignKey(HappyHome, models.CASCADE, null=True, blank=True, related_name="records")
    service_point = models.ForeignKey(ServicePoint, models.CASCADE, null=True, blank=True, related_name="records")
    served_on = models.DateField("服务日期")
    hours = models.DecimalField("时长（小时）", max_digits=5, decimal_places=1)
    description = models.CharField("服务内容", max_length=200, blank=True)
    recorded_by = models.CharField(max_length=150)
    confirmed_by = models.CharField(max_length=150, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-served_on", "-id"]
        indexes = [page_index("servicerecord", "served_on", "id")]
        constraints = [models.CheckConstraint(
            condition=models.Q(happy_home__isnull=True) ^ models.Q(service_point__isnull=True), name="record_one_place")]


class PairingKind(models.TextChoices):
    BIG_HAND = "BIG_HAND", "大手拉小手"
    HAND_IN_HAND = "HAND_IN_HAND", "手拉手"
    SURROGATE_MOTHER = "SURROGATE_MOTHER", "代理妈妈"
    UNIT_COUNTY = "UNIT_COUNTY", "高校/企业团委与县团委结对"
    BRANCH_SCHOOL = "BRANCH_SCHOOL", "团支部与学校结对"
    COMMITTEE_MEMBER_COUNTY = "COMMITTEE_MEMBER_COUNTY", "青联委员与县结对"


class PairingState(models.TextChoices):
    ACTIVE = "ACTIVE", "结对中"
    CLOSED = "CLOSED", "已结束"


class Pairing(TenantOwned):
    """结对帮扶. Person pairings name a child (and a volunteer, or a pioneer child for 手拉手); organization
    pairings name the partner (a body on the platform or by name). ``last_contact_on`` is kept by the
    services from follow-ups and checklist ticks; overdue is computed from it (programs.pairings)."""

    kind = models.CharField("类型", max_length=24, choices=PairingKind.choices)
    state = models.CharField("状态", max_length=6, choices=PairingState.choices, default=PairingState.ACTIVE)
    volunteer = models.ForeignKey(Volunteer, models.PROTECT, null=True, blank=True, related_name="pairings")
    child = models.ForeignKey("children.Child", models.PROTECT, null=True, blank=True, related_name="pairings")
    partner_child = models.CharField("手拉手伙伴（少先队员）", max_length=50, blank=True)
    partner_organization = models.ForeignKey("orgs.Organization", models.PROTECT, null=True, blank=True, related_name="+")
    partner_name = models.CharField("结对单位", max_length=100, blank=True)
    started_on = models.DateField("结对日期")
    commitments = models.TextField("帮扶承诺", blank=True)
    last_contact_on = models.DateField("最近联系", db_index=True)
    reminded_on = models.DateField("超期提醒日期", null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField("结束原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [page_index("pairing", "created_at", "id")]
        verbose_name = verbose_name_plural = "结对帮扶"

    @property
    def card_number(self) -> str:
        """爱心结对卡 number: year of pairing and the record number."""
        return f"JD{self.started_on.year}{self.pk:06d}"


class ChecklistItem(models.TextChoices):
    """大手拉小手's 五个一."""

    SCHOOL_RECORD = "SCHOOL_RECORD", "了解一次学习成绩"
    CALL_OR_LETTER = "CALL_OR_LETTER", "打一次电话或写一封信"
    WEEKEND = "WEEKEND", "过一个有意义的周末"
    SUPPLIES = "SUPPLIES", "赠送一份学习用品"
    SKILL = "SKILL", "教会一项技能"


class PairingTick(models.Model):
    pairing = models.ForeignKey(Pairing, models.CASCADE, related_name="ticks")
    item = models.CharField(max_length=14, choices=ChecklistItem.choices)
    done_on = models.DateField("完成日期")
    note = models.CharField("说明", max_length=200, blank=True)
    ticked_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["done_on", "id"]
        constraints = [models.UniqueConstraint(fields=["pairing", "item"], name="tick_once")]


class ContactKind(models.TextChoices):
    VISIT = "VISIT", "走访"
    CALL = "CALL", "电话"
    LETTER = "LETTER", "书信"
    MEETING = "MEETING", "座谈"
    OTHER = "OTHER", "其他"


class PairingContact(models.Model):
    pairing = models.ForeignKey(Pairing, models.CASCADE, related_name="contacts")
    contacted_on = models.DateField("日期")
    kind = models.CharField(max_length=8, choices=ContactKind.choices)
    note = models.TextField("记录", blank=True)
    author = models.CharField(max_length=150)

    class Meta:
        ordering = ["-contacted_on", "-id"]


class Campaign(TenantOwned):
    """A 行动 announced by a body with its 通知, a period, the organizations it covers and a report deadline."""

    title = models.CharField("行动名称", max_length=100)
    notice_title = models.CharField("通知标题", max_length=200)
    notice_text = models.TextField("通知正文")
    starts_on = models.DateField("开始")
    ends_on = models.DateField("结束")
    report_deadline = models.DateField("报送截止", null=True, blank=True)
    announced_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = verbose_name_plural = "行动"

    def __str__(self) -> str:
        return self.title


class CampaignCoverage(TenantOwned):
    """One organization (with its subtree) a campaign covers. Tenant-owned by the covered organization, so
    its path follows moves and merges."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="coverage")
    merge_drops_duplicates = True  # both bodies covered: the merged one is covered once (orgs.services)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "organization"], name="coverage_once")]


class CoAnnouncerState(models.TextChoices):
    INVITED = "INVITED", "待确认"
    ACCEPTED = "ACCEPTED", "已确认"
    DECLINED = "DECLINED", "已谢绝"


class CampaignCoAnnouncer(TenantOwned):
    """A body of another system in the announcer's division, invited to announce the campaign jointly (联合发起).
    Tenant-owned by that body: its staff confirm (then it covers its own subtree, or the parts of it they name) or
    decline."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="co_announcers")
    state = models.CharField("状态", max_length=8, choices=CoAnnouncerState.choices, default=CoAnnouncerState.INVITED)
    invited_by = models.CharField(max_length=150)
    responded_by = models.CharField(max_length=150, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    merge_drops_duplicates = True  # a merged body stays one co-announcer

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "organization"], name="co_announcer_once")]
        verbose_name = verbose_name_plural = "联合发起"


class CampaignAttachment(PrivatePhoto):
    """A page of the notice (scanned or photographed)."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="attachments")

    class Meta:
        ordering = ["created_at", "id"]


class ActivityKind(models.TextChoices):
    LECTURE = "LECTURE", "讲座"
    SUMMER_CAMP = "SUMMER_CAMP", "夏令营"
    AFTER_SCHOOL = "AFTER_SCHOOL", "四点半课堂"
    PARENT_CHILD = "PARENT_CHILD", "亲子活动"
    FESTIVAL = "FESTIVAL", "节日活动"
    VISIT = "VISIT", "走访慰问"
    OTHER = "OTHER", "其他"


class Activity(TenantOwned):
    """An 活动 of an organization, optionally under a campaign and at a site or a service point."""

    campaign = models.ForeignKey(Campaign, models.PROTECT, null=True, blank=True, related_name="activities")
    happy_home = models.ForeignKey(HappyHome, models.SET_NULL, null=True, blank=True, related_name="activities")
    service_point = models.ForeignKey(ServicePoint, models.SET_NULL, null=True, blank=True, related_name="activities")
    title = models.CharField("活动名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=ActivityKind.choices)
    held_on = models.DateField("日期", db_index=True)
    place = models.CharField("地点", max_length=200, blank=True)
    narrative = models.TextField("活动记述", blank=True)
    children = models.ManyToManyField("children.Child", related_name="activities", blank=True)
    volunteers = models.ManyToManyField(Volunteer, related_name="activities", blank=True)
    recorded_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [page_index("activity", "held_on", "id")]
        verbose_name = verbose_name_plural = "活动"


class ActivityPhoto(PrivatePhoto):
    activity = models.ForeignKey(Activity, models.CASCADE, related_name="photos")

    class Meta:
        ordering = ["created_at", "id"]
