"""Creating many accounts from an Excel sheet, as a background job with a per-row report.

The sheet has a header row (用户名, 姓名, 角色 required; 手机号, 邮箱, 组织, 到期日期 optional; header names
matched as tolerantly as the children's roster). 组织 names an organization at or below the one importing
(empty: that one); 角色 is a role's Chinese name (工作人员) or its code (STAFF). Each row is one call of
accounts.services.create_account in its own transaction, so every rule (scope, no escalation, validators)
is the same as for one account; a refused row changes nothing and is reported with its reasons.

The report is the job's result file, with each new account's initial password: it is downloaded once and then
deleted (``download_once``), the way a single account's password is shown once.
"""

from __future__ import annotations

from datetime import datetime, time
from itertools import islice

from django.utils import timezone

from accounts import services
from accounts.errors import AccountErrorCode as E
from accounts.errors import AccountText as T
from core import xlsx
from core.errors import ServiceError
from jobs import services as jobs
from jobs.models import Job, Kind
from jobs.runner import enqueue
from orgs.models import Organization
from permissions import audit
from permissions.actor import Actor
from permissions.catalog import Role

MAX_ROWS = 1000
HEADERS = {
    "username": ("用户名", "账号", "登录名"),
    "display_name": ("姓名", "名字"),
    "phone": ("手机号", "手机", "手机号码", "联系电话"),
    "email": ("邮箱", "电子邮箱", "邮件"),
    "organization": ("组织", "所属组织", "单位"),
    "role": ("角色",),
    "expires_on": ("到期日期", "有效期至", "到期时间"),
}
ALIASES = {alias: key for key, names in HEADERS.items() for alias in names}
REQUIRED = ("username", "display_name", "role")
ROLES = {**{str(label): value for value, label in Role.choices}, **{value: value for value in Role.values}}


def start_import(actor: Actor, *, organization_id, upload) -> Job:
    organization = actor.get_visible(Organization.objects.all(), "orgs.view_organization", organization_id, "organization_id")
    actor.require(services.MANAGE, organization, "organization_id")
    xlsx.check_upload(upload)
    job = jobs.create(actor, Kind.ACCOUNTS_IMPORT, organization, {"download_once": True})
    jobs.save_upload(job, upload)
    enqueue(job)
    return job


def _expiry(value):
    """The end of the given day, local time (a role that expires on 2026-12-31 holds through that day)."""
    try:
        day = xlsx.cell_date(value)
    except ValueError:
        raise ServiceError(E.INVALID_DATE, "expires_at", value=xlsx.cell_text(value)) from None
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59))) if day else None


class _Organizations:
    """Names of the importing organization's active subtree, resolved once per job."""

    def __init__(self, root: Organization):
        self.root = root
        self.by_name: dict[str, list[Organization]] = {}
        for org in Organization.objects.filter(path__startswith=root.path, archived_at__isnull=True):
            self.by_name.setdefault(org.name, []).append(org)

    def find(self, name: str) -> Organization:
        if not name:
            return self.root
        found = self.by_name.get(name, [])
        if not found:
            raise ServiceError(E.ORGANIZATION_UNKNOWN, "organization_id", name=name)
        if len(found) > 1:
            raise ServiceError(E.ORGANIZATION_AMBIGUOUS, "organization_id", name=name)
        return found[0]


def _create(actor: Actor, job: Job, organizations: _Organizations, cells: dict) -> tuple[str, str, str]:
    """One row: (organization name, role label, initial password), or the row's ServiceError."""
    problems = []
    role = ROLES.get(cells.get("role", ""))
    if role is None:
        problems.append((E.ROLE_UNKNOWN, "role", {"role": cells.get("role", ""), "roles": "、".join(Role.labels)}))
    try:
        organization = organizations.find(cells.get("organization", ""))
        expires_at = _expiry(cells.get("expires_on"))
    except ServiceError as error:
        problems += error.problems
    if problems:
        raise ServiceError.many(problems)
    _user, password = services.create_account(  # atomic: a refused row leaves nothing behind
        actor, username=cells.get("username", ""), display_name=cells.get("display_name", ""),
        organization_id=organization.pk, role=role, phone=cells.get("phone", ""), email=cells.get("email", ""),
        expires_at=expires_at, import_job=job)
    return organization.name, Role(role).label, password


def _rows(sheet):
    """(row number, {column key: text}) of each non-empty row below the header; the header's problems."""
    rows = enumerate(xlsx.rows(sheet), start=1)
    _number, columns = xlsx.find_header(rows, ALIASES, "username")
    missing = [HEADERS[key][0] for key in REQUIRED if key not in columns]
    if missing:
        raise ServiceError.many([(E.MISSING_COLUMN, None, {"column": column}) for column in missing])
    for number, values in rows:
        cells = {key: (values[i] if key == "expires_on" else xlsx.cell_text(values[i])) if i < len(values) else ""
                 for key, i in columns.items()}
        if any(xlsx.cell_text(v) for v in cells.values()):
            yield number, cells


def run_import(job: Job) -> None:
    actor = jobs.actor_of(job)
    organizations = _Organizations(job.organization)
    report, created, seen = [], 0, {}
    try:
        rows = list(islice(_rows(xlsx.open_workbook(jobs.read_upload(job))), MAX_ROWS + 1))  # not read to the end
        if len(rows) > MAX_ROWS:
            raise ServiceError(E.TOO_MANY_ROWS, None, limit=MAX_ROWS)
        job.progress(0, len(rows))
        for done, (number, cells) in enumerate(rows, start=1):
            line = [number, cells.get("username", ""), cells.get("display_name", "")]
            try:
                key = cells.get("username", "").lower()
                if key and key in seen:
                    raise ServiceError(E.DUPLICATE_ROW, "username", row=seen[key])
                seen[key] = number
                organization, role, password = _create(actor, job, organizations, cells)
            except ServiceError as error:
                report.append(line + [cells.get("organization", ""), cells.get("role", ""), T.REFUSED.render(), "",
                                      "；".join(message for _field, _code, message in error.rendered())])
            else:
                created += 1
                report.append(line + [organization, role, T.CREATED.render(), password, T.FIRST_SIGN_IN.render()])
            if done % 50 == 0:
                job.progress(done)
    except ServiceError as error:  # the sheet itself cannot be read as asked
        report.append([1, "", "", "", "", T.REFUSED.render(), "", "；".join(m for _f, _c, m in error.rendered())])
    job.progress_done = len(report)
    job.result_file = f"{job.pk}-accounts.xlsx"
    header = [t.render() for t in (T.ROW, T.USERNAME, T.DISPLAY_NAME, T.ORGANIZATION, T.ROLE, T.RESULT, T.PASSWORD, T.NOTE)]
    jobs.save_rows(job.result_file, T.SHEET.render(), header, report)
    job.message = T.DONE.render(created=created, refused=len(report) - created)
    audit.record(actor, "account.import", job, job.organization, {"created": created, "refused": len(report) - created})
