from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from orgs.models import Organization


class Kind(models.TextChoices):
    CHILDREN_IMPORT = "CHILDREN_IMPORT", "导入儿童花名册"
    CHILDREN_EXPORT = "CHILDREN_EXPORT", "导出儿童台账"
    PERIODIC = "PERIODIC", "定时任务"
    LEDGER_EXPORT = "LEDGER_EXPORT", "导出台账"
    REPORT_EXPORT = "REPORT_EXPORT", "导出报送汇总"
    ACCOUNTS_IMPORT = "ACCOUNTS_IMPORT", "批量创建账号"
    AUDIT_EXPORT = "AUDIT_EXPORT", "导出操作日志"
    NOTIFICATION_DELIVERY = "NOTIFICATION_DELIVERY", "发送通知"


class State(models.TextChoices):
    QUEUED = "QUEUED", "排队中"
    RUNNING = "RUNNING", "进行中"
    SUCCEEDED = "SUCCEEDED", "已完成"
    FAILED = "FAILED", "失败"


class Job(models.Model):
    """A background job started by an actor (a user or an API token), or a periodic job started by the
    scheduler (no actor: nobody sees it over GraphQL). Only its actor sees it; the organization and its path
    say where it acted (scope_fields, as on AuditEntry). Files live under ``settings.VAR_DIR / "jobs"``; the
    fields hold bare file names.

    jobs/runner.py owns ``state``, ``attempts`` and ``heartbeat_at``: a worker claims a job by moving it to
    RUNNING and counting a run, writes a heartbeat while it runs, and the reaper requeues a RUNNING job
    whose heartbeat stopped (its worker died). ``key`` makes a periodic slot run once (unique)."""

    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+")
    actor_token = models.ForeignKey("permissions.ApiToken", models.CASCADE, null=True, blank=True, related_name="+")
    organization = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, blank=True)
    params = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True)  # a refusal's code (core.errors), with ``error`` its message
    input_file = models.CharField(max_length=100, blank=True)
    result_file = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(default=timezone.now, db_index=True)
    key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    scope_fields = ("org_path", "organization_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        # myJobs: the actor's own jobs, newest first
        indexes = [models.Index(fields=["actor_user", "created_at", "id"], name="job_page_user_created_at_id"),
                   models.Index(fields=["actor_token", "created_at", "id"], name="job_page_token_created_at_id")]
        verbose_name = verbose_name_plural = "后台任务"

    def __str__(self) -> str:
        return f"Job #{self.pk} {self.kind} {self.state}"

    def progress(self, done: int, total: int | None = None) -> None:
        """Called by the job's function as it goes (after each committed batch): visible at once over GraphQL."""
        self.progress_done = done
        if total is not None:
            self.progress_total = total
        self.heartbeat_at = timezone.now()
        self.save(update_fields=["progress_done", "progress_total", "heartbeat_at"])
