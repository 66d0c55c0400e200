from django.db import models
from django.db.models.functions import Now

from core.models import PrivatePhoto
from orgs.models import TenantOwned


class Figure(models.Model):
    """One metric of one organization for one month (``month`` null: a stock figure, as of the refresh).
    ``own`` counts the organization's own rows, ``subtree`` those of its whole subtree: a subtree's figure
    for a period is then a handful of rows whatever its size."""

    organization = models.ForeignKey("orgs.Organization", models.CASCADE, related_name="+",
                                     db_index=False)  # figure_lookup leads with it
    metric = models.CharField(max_length=60)
    month = models.DateField(null=True, blank=True)
    own = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    subtree = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        indexes = [models.Index(fields=["organization", "metric", "month"], name="figure_lookup")]


class RunKind(models.TextChoices):
    FOLD = "FOLD", "增量汇总"
    REBUILD = "REBUILD", "全量重算"


class RefreshRun(models.Model):
    """A fold of the dirty organizations or a full rebuild; rollups say they were computed at the start of the
    last finished run (every change committed before it is in)."""

    kind = models.CharField(max_length=8, choices=RunKind.choices, default=RunKind.REBUILD)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    dirty_keys = models.PositiveIntegerField(default=0)
    statements = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]


class DirtyMark(models.Model):
    """待汇总: an organization whose figures changed and are not folded in yet, written by the database
    triggers of rollups.triggers in the writing transaction (so no write is ever missed, bulk or not).
    ``subtree``: the organization's set of descendants changed (a move, merge, archive or deletion below it):
    its and its ancestors' subtree figures are summed again from the own figures. The fold deletes the marks
    it folds."""

    organization = models.ForeignKey("orgs.Organization", models.DO_NOTHING, db_constraint=False, related_name="+")
    subtree = models.BooleanField(db_default=False)
    marked_at = models.DateTimeField(db_default=Now())


class ReportRequest(TenantOwned):
    """报送: a superior body (the owner) asks its direct child organizations for a report on a campaign or a
    period (whole months, as rollups.services.Period). ``answers`` is its own superior's request that the
    reports collected here feed: the superior's report on it is pre-filled with the sum of those approved."""

    title = models.CharField("标题", max_length=100)
    instructions = models.TextField("填报说明", blank=True)
    campaign = models.ForeignKey("programs.Campaign", models.PROTECT, null=True, blank=True, related_name="+")
    first_month = models.DateField("起始月")
    last_month = models.DateField("截止月")
    deadline = models.DateField("报送截止")
    answers = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="answered_by",
                                verbose_name="上报至上级的报送")
    opened_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "报送任务"

    def __str__(self) -> str:
        return self.title


class ReportAddressee(TenantOwned):
    """A subordinate a request is addressed to (tenant-owned by it). ``reminded_at``: the one reminder
    before the deadline, sent whether or not a report was started."""

    request = models.ForeignKey(ReportRequest, models.CASCADE, related_name="recipients")
    reminded_at = models.DateTimeField(null=True, blank=True)
    merge_drops_duplicates = True  # both bodies asked: the merged one is asked once (orgs.services)

    class Meta:
        ordering = ["org_path"]
        constraints = [models.UniqueConstraint(fields=["request", "organization"], name="report_addressee_once")]


class ReportState(models.TextChoices):
    DRAFT = "DRAFT", "草稿"
    SUBMITTED = "SUBMITTED", "已报送"
    RETURNED = "RETURNED", "已退回"
    APPROVED = "APPROVED", "已审核"


class Report(TenantOwned):
    """A subordinate's (the owner's) report on a request. ``figures`` maps a metric (rollups.metrics) to its
    value as a decimal string, pre-filled at ``filled_at``; editable while DRAFT or RETURNED, locked once
    APPROVED."""

    request = models.ForeignKey(ReportRequest, models.CASCADE, related_name="reports")
    state = models.CharField("状态", max_length=10, choices=ReportState.choices, default=ReportState.DRAFT)
    figures = models.JSONField("数据", default=dict, blank=True)
    filled_at = models.DateTimeField("数据预填时间")
    narrative = models.TextField("文字材料", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=150, blank=True)
    return_comment = models.TextField("退回意见", blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["org_path", "id"]
        verbose_name = verbose_name_plural = "报送"
        constraints = [models.UniqueConstraint(fields=["request", "organization"], name="report_once")]


class ReportPhoto(PrivatePhoto):
    report = models.ForeignKey(Report, models.CASCADE, related_name="photos")

    class Meta:
        ordering = ["created_at", "id"]
