"""The audit log (操作日志) to Excel, as a job: the entries the actor may read, narrowed by the screen's filters,
each entry's changes masked for the reader as on the screen (permissions.masking.audit_changes)."""

from __future__ import annotations

import json
from datetime import datetime

from django.utils import timezone

from core.errors import ErrorCode, permission_denied
from jobs import services as jobs
from jobs.models import Job, Kind
from jobs.runner import enqueue
from orgs.models import Organization
from permissions import audit
from permissions.actor import Actor
from permissions.audit_log import VIEW, action_label, actor_label, condition, target_label, visible
from permissions.masking import audit_changes
from permissions.models import AuditEntry

BATCH = 1000


class AuditText(ErrorCode):
    """Texts of the audit log's screen and export, rendered in one language like error messages."""

    SHEET = ("操作日志", "Audit log")
    EXPORTED = ("导出 {count} 条操作日志", "{count} audit entries exported")
    TIME = ("时间", "Time")
    ACTOR = ("操作人", "Actor")
    USERNAME = ("用户名", "Username")
    ACTION = ("动作", "Action")
    ORGANIZATION = ("组织", "Organization")
    TARGET = ("对象", "Target")
    TARGET_ID = ("对象 ID", "Target ID")
    CHANGES = ("变更摘要", "Changes")
    ADDRESS = ("来源地址", "From address")


# Export -------------------------------------------------------------------------------------------------

HEADER = (AuditText.TIME, AuditText.ACTOR, AuditText.USERNAME, AuditText.ACTION, AuditText.ORGANIZATION,
          AuditText.TARGET, AuditText.TARGET_ID, AuditText.CHANGES, AuditText.ADDRESS)
FILTERS = ("organization_id", "action", "actor", "since", "until")


def start_export(actor: Actor, /, **filters) -> Job:
    """Queue the export of the entries the actor may read, narrowed by ``filters`` (as ``condition``)."""
    if VIEW not in actor.scope.permissions():
        raise permission_denied()
    organization = None
    if filters.get("organization_id") is not None:
        organization = actor.get_visible(Organization.objects.all(), "orgs.view_organization",
                                         filters["organization_id"], "organization_id")
        actor.require(VIEW, organization, "organization_id")
    params = {key: (value.isoformat() if isinstance(value, datetime) else value)
              for key, value in filters.items() if key in FILTERS and value is not None}
    job = jobs.create(actor, Kind.AUDIT_EXPORT, organization, {"filters": params})
    enqueue(job)
    return job


def run_export(job: Job) -> None:
    actor = jobs.actor_of(job)
    filters = {key: datetime.fromisoformat(value) if key in ("since", "until") else value
               for key, value in job.params["filters"].items()}
    entries = visible(actor, AuditEntry.objects.filter(condition(**filters))) \
        .select_related("organization", "actor_user").order_by("-created_at", "-id")
    job.progress(0, entries.count())

    def rows():
        for entry in jobs.counted(job, entries.iterator(chunk_size=BATCH), BATCH):
            yield [timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"), actor_label(entry),
                   entry.actor_user.username if entry.actor_user_id else "", action_label(entry.action),
                   entry.organization.name if entry.organization_id else "", target_label(entry.target_type),
                   entry.target_id, json.dumps(audit_changes(entry, actor.scope), ensure_ascii=False), entry.ip or ""]

    job.result_file = f"{job.pk}-audit.xlsx"
    jobs.save_rows(job.result_file, AuditText.SHEET.render(), [h.render() for h in HEADER], rows())
    job.message = AuditText.EXPORTED.render(count=job.progress_done)
    audit.record(actor, "audit.export", job, job.organization, {"rows": job.progress_done, "filters": job.params["filters"]})
