"""Ledgers (台账) and reports to Excel as background jobs: wishes, happy-home sites, activities and volunteers
of a subtree, each read through the actor's scope, with children's and volunteers' personal data masked as the
screens mask it; a report request with each addressee's state and figures, for the superior. Each is a
government-format sheet (jobs.sheets: title, 填报单位, 导出时间, 序号, typed cells, 合计)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.db.models import QuerySet

from children import privacy
from core.errors import Texts
from jobs import services as jobs
from jobs.sheets import DATE, DATETIME, INT, NUMBER, Column, ledger
from jobs.models import Job, Kind
from jobs.runner import enqueue
from permissions import audit
from permissions.actor import Actor
from permissions.masking import mask_phone
from programs import sites
from rollups import reports
from rollups.models import ReportRequest, ReportState
from programs.models import Activity, ActivityKind, HappyHome, Origin, Volunteer
from wishes.models import Category, State, Wish

BATCH = 500


class LedgerText(Texts):
    EXPORTED = ("导出{title} {rows} 条", "{title}: {rows} rows exported")
    REPORT_EXPORTED = ("导出报送“{title}” {rows} 个单位", "Report “{title}”: {rows} addressees exported")
    REPORT_TITLE = ("{title}报送情况", "{title}: submissions")


@dataclass(frozen=True)
class Ledger:
    title: str
    permission: str
    rows: Callable[[], QuerySet]
    header: tuple[Column, ...]
    row: Callable[[Actor, object], list]


def _wish(actor: Actor, wish: Wish) -> list:
    child = ""
    if wish.child_id:
        child = privacy.shown("name", wish.child.name, actor.scope.allows_row(privacy.PII, wish.child))
    return [wish.organization.name, wish.title, Category(wish.category).label, wish.estimated_value,
            wish.covered_amount, State(wish.state).label, child or wish.household,
            wish.campaign.title if wish.campaign_id else "", wish.created_at, wish.fulfilled_at]


def _home(actor: Actor, home: HappyHome) -> list:
    checks = sites.standards_of(home)
    return [home.organization.name, home.name, home.division_code, home.opened_on,
            home.area_m2, home.children_count, home.volunteers_count, home.books_count,
            "；".join(c.explanation for c in checks if not c.met) or "达标"]


def _activity(actor: Actor, activity: Activity) -> list:
    return [activity.organization.name, activity.held_on, activity.title, ActivityKind(activity.kind).label,
            activity.place, activity.campaign.title if activity.campaign_id else "", len(activity.children.all()),
            len(activity.volunteers.all())]


def _volunteer(actor: Actor, volunteer: Volunteer) -> list:
    clear = actor.can("programs.change_program", volunteer.organization)
    return [volunteer.organization.name, volunteer.name, volunteer.phone if clear else mask_phone(volunteer.phone),
            Origin(volunteer.origin).label, volunteer.origin_name, volunteer.team, "、".join(volunteer.skills)]


LEDGERS = {
    "WISHES": Ledger("微心愿台账", "wishes.view_wish",
                     lambda: Wish.objects.select_related("organization", "child", "campaign").order_by("org_path", "created_at", "id"),
                     (Column("组织", width=18), Column("心愿", width=24), Column("类别"), Column("估价（元）", NUMBER, total=True),
                      Column("已认领（元）", NUMBER, total=True), Column("状态", width=10), Column("儿童/困难家庭", width=16),
                      Column("所属行动", width=18), Column("征集日期", DATE), Column("圆梦日期", DATE)),
                     _wish),
    "HAPPY_HOMES": Ledger("快乐家园台账", "programs.view_program",
                          lambda: sites.with_counts(HappyHome.objects.select_related("organization").prefetch_related("staff"))
                          .order_by("org_path", "name", "id"),
                          (Column("组织", width=18), Column("名称", width=22), Column("区划代码", width=14),
                           Column("开办日期", DATE), Column("面积（㎡）", NUMBER, total=True), Column("服务儿童", INT, 10, True),
                           Column("志愿者", INT, 10, True), Column("图书（册）", INT, 10, True), Column("达标情况", width=40)), _home),
    "ACTIVITIES": Ledger("活动台账", "programs.view_program",
                         lambda: Activity.objects.select_related("organization", "campaign")
                         .prefetch_related("children", "volunteers").order_by("org_path", "held_on", "id"),
                         (Column("组织", width=18), Column("日期", DATE), Column("活动", width=24), Column("类型", width=10),
                          Column("地点", width=20), Column("所属行动", width=18), Column("儿童人数", INT, 10, True),
                          Column("志愿者人数", INT, 10, True)), _activity),
    "VOLUNTEERS": Ledger("志愿者台账", "programs.view_program",
                         lambda: Volunteer.objects.select_related("organization").order_by("org_path", "name", "id"),
                         (Column("组织", width=18), Column("姓名", width=10), Column("电话", width=14), Column("来源", width=12),
                          Column("所在单位/学校", width=22), Column("服务队", width=20), Column("特长", width=16)), _volunteer),
}


REPORT_FIGURES = (("children.total", "在册儿童"), ("wishes.collected", "征集心愿"), ("wishes.fulfilled", "圆梦心愿"),
                  ("homes.sites", "快乐家园"), ("holiday.service_points", "七彩假期服务点"),
                  ("holiday.service_hours", "志愿服务时长"), ("pairings.active", "结对帮扶"), ("activities.held", "活动"))


def start_report_export(actor: Actor, *, request_id) -> Job:
    """Queue the export of a report request: each addressee's state and figures, for the superior."""
    reports.status(actor, request_id=request_id)  # NOT_FOUND / PERMISSION_DENIED as the status view
    request = ReportRequest.objects.select_related("organization").get(pk=request_id)
    job = jobs.create(actor, Kind.REPORT_EXPORT, request.organization, {"request": request.pk})
    enqueue(job)
    return job


def run_report_export(job: Job) -> None:
    actor = jobs.actor_of(job)
    rows = reports.status(actor, request_id=job.params["request"])
    request = ReportRequest.objects.select_related("organization").get(pk=job.params["request"])
    job.progress(0, len(rows))

    def lines():
        for row in rows:
            report = row.report
            figures = report.figures if report is not None else {}
            yield [row.organization.name, ReportState(row.state).label if row.state else "未报",
                   "是" if row.late else "", report.submitted_at if report else None, report.reviewed_at if report else None,
                   *(figures.get(metric) for metric, _label in REPORT_FIGURES), report.narrative if report else ""]

    job.result_file = f"{job.pk}-report.xlsx"
    header = (Column("报送单位", width=18), Column("状态", width=10), Column("逾期", width=6), Column("报送时间", DATETIME, 17),
              Column("审核时间", DATETIME, 17), *(Column(label, NUMBER, 12, True) for _m, label in REPORT_FIGURES),
              Column("文字材料", width=40))
    write = ledger(LedgerText.REPORT_TITLE.render(title=request.title), request.organization.name)
    jobs.save_rows(job.result_file, request.title[:31], header, lines(), write)
    job.progress_done = len(rows)
    job.message = LedgerText.REPORT_EXPORTED.render(title=request.title, rows=len(rows))
    audit.record(actor, "report.export", job, job.organization, {"request": request.pk})


def start_export(actor: Actor, *, ledger: str, organization_id) -> Job:
    """Queue the export of one ledger for a subtree the actor may read it in."""
    kind = LEDGERS[ledger]
    organization = actor.organization(organization_id, kind.permission)
    job = jobs.create(actor, Kind.LEDGER_EXPORT, organization, {"ledger": ledger})
    enqueue(job)
    return job


def run_export(job: Job) -> None:
    actor = jobs.actor_of(job)
    kind = LEDGERS[job.params["ledger"]]
    rows = actor.visible(kind.rows().filter(org_path__startswith=job.org_path), kind.permission)
    job.progress(0, rows.count())
    lines = (kind.row(actor, row) for row in jobs.counted(job, rows.iterator(chunk_size=BATCH), BATCH))
    job.result_file = f"{job.pk}-{job.params['ledger'].lower()}.xlsx"
    write = ledger(f"{job.organization.name}{kind.title}", job.organization.name)
    jobs.save_rows(job.result_file, kind.title, kind.header, lines, write)
    job.message = LedgerText.EXPORTED.render(title=kind.title, rows=job.progress_done)
    audit.record(actor, "ledger.export", job, job.organization, {"ledger": job.params["ledger"], "rows": job.progress_done})
