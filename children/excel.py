"""Children's rosters in Excel: import a county template with a per-row report; export the scoped roster (台账).

Both run as background jobs (jobs/runner.py): ``start_import``/``start_export`` check the request and queue
the job; ``run_import``/``run_export`` do the work. Every rule about a record stays in children.services
(``validate``, ``create_child``, ``update_child``); this module only reads and writes spreadsheets.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import zip_longest

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat

from children import idcard, privacy, services
from children.errors import ChildErrorCode as E
from children.models import Category, Child, Guardian, GuardianArrangement, Sex, Status
from core import xlsx
from core.errors import ServiceError, Texts, permission_denied
from jobs import services as jobs
from jobs import sheets
from jobs.sheets import DATE, Column
from jobs.models import Job, Kind
from jobs.runner import enqueue
from permissions import audit
from permissions.actor import Actor

PII = privacy.PII
BATCH = 500
ANALYZE_AFTER = 10_000  # children created by one import that make the table statistics worth refreshing
# Column key: the template's header first, then the aliases seen in county files.
HEADERS = {
    "name": ("姓名", "儿童姓名"),
    "sex": ("性别",),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证"),
    "birth_date": ("出生日期", "出生年月日"),
    "school": ("学校", "就读学校"),
    "grade": ("年级", "就读年级"),
    "guardian": ("监护人", "监护人姓名"),
    "relation": ("关系", "与儿童关系", "监护人关系"),
    "phone": ("联系电话", "监护人电话", "手机号", "手机号码", "监护人手机号"),
    "parents_work_place": ("父母务工地", "父母务工地点"),
    "categories": ("类别", "儿童类别"),
    "guardian_arrangement": ("监护方式",),
}
ALIASES = {alias: key for key, names in HEADERS.items() for alias in names}
REQUIRED = ("name", "id_number")
TEXT = ("name", "id_number", "school", "grade", "parents_work_place")
GUARDIAN = ("guardian", "relation", "phone")
COMPARED = ("name", "sex", "birth_date", "id_number", "categories", "school", "grade", "guardian_arrangement",
            "parents_work_place")
SEPARATORS = re.compile(r"[、,，;；\s]+")
EXPORT_COLUMNS = (Column("姓名", width=10), Column("性别", width=6), Column("身份证号", width=21), Column("出生日期", DATE),
                  Column("学校", width=18), Column("年级", width=8), Column("监护方式", width=16), Column("监护人", width=12),
                  Column("关系", width=8), Column("联系电话", width=14), Column("父母务工地", width=16), Column("类别", width=14),
                  Column("所属组织", width=16), Column("状态", width=8))


class ExcelText(Texts):
    IMPORTED = ("新增 {created} 条，更新 {updated} 条，未变 {unchanged} 条，有误 {bad} 行",
                "{created} created, {updated} updated, {unchanged} unchanged, {bad} rows with errors")
    EXPORTED = ("导出 {rows} 条", "{rows} rows exported")
    REPORT_SHEET = ("原表（已标注错误）", "Upload, problems marked")
    EXPORT_TITLE = ("{organization}留守儿童台账", "{organization}: children's ledger")
    EXPORT_SHEET = ("儿童台账", "Children")


def _by_label(choices) -> dict:
    return {**{str(label): value for value, label in choices.choices}, **{value: value for value in choices.values}}


SEXES, CATEGORIES, ARRANGEMENTS = _by_label(Sex), _by_label(Category), _by_label(GuardianArrangement)


# The template to fill in -------------------------------------------------------------------------------

TEMPLATE = (  # (column, width, example, how to fill it)
    ("姓名", 10, "张小明", "必填"),
    ("性别", 6, "男", "男或女；可不填，按身份证号判断"),
    ("身份证号", 21, "420626201405031231", "必填，18 位，末位可为 X"),
    ("出生日期", 12, "2014-05-03", "可不填，按身份证号判断；格式 2014-05-03"),
    ("学校", 18, "马良镇中心小学", ""),
    ("年级", 8, "五年级", ""),
    ("监护人", 12, "张德厚", "多人用顿号分隔"),
    ("关系", 8, "祖父", "与监护人一一对应"),
    ("联系电话", 14, "13912345678", "与监护人一一对应"),
    ("父母务工地", 16, "广东省东莞市", ""),
    ("类别", 14, "留守儿童", "、".join(Category.labels) + "，多项用顿号分隔"),
    ("监护方式", 16, "祖父母/外祖父母", "、".join(GuardianArrangement.labels) + " 之一"),
)


def template() -> bytes:
    """The roster template: a title row and the headers the import expects; an example row and how to fill
    each column on the second sheet (so that the example is never imported by mistake)."""
    import io

    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "align": "center"})
    text = book.add_format({"num_format": "@"})  # ID numbers and phones stay text: no 4.2E+17
    sheet = book.add_worksheet("花名册")
    sheet.merge_range(0, 0, 0, len(TEMPLATE) - 1, "留守儿童花名册", book.add_format({"bold": True, "font_size": 16, "align": "center"}))
    for index, (title, width, _example, _note) in enumerate(TEMPLATE):
        sheet.set_column(index, index, width, text)
        sheet.write_string(1, index, title, bold)
    sheet.freeze_panes(2, 0)
    notes = book.add_worksheet("填写说明")
    notes.write_row(0, 0, ("列", "示例", "说明"), bold)
    for row, (title, width, example, note) in enumerate(TEMPLATE, start=1):
        notes.write_row(row, 0, (title, example, note))
    notes.set_column(0, 0, 12)
    notes.set_column(1, 1, 22)
    notes.set_column(2, 2, 60)
    notes.write_string(len(TEMPLATE) + 2, 0, "在“花名册”表第 3 行起逐行填写，一名儿童一行；同一文件重复导入不会重复登记。")
    book.close()
    return out.getvalue()


# Starting a job (inside the request) ----------------------------------------------------------------------

def start_import(actor: Actor, *, organization_id, upload) -> Job:
    organization = actor.organization(organization_id, services.CHANGE)
    xlsx.check_upload(upload)
    job = jobs.create(actor, Kind.CHILDREN_IMPORT, organization)
    jobs.save_upload(job, upload)
    enqueue(job)
    return job


def start_export(actor: Actor, *, organization_id=None, condition: Q = Q()) -> Job:
    organization = None
    if organization_id is not None:
        organization = actor.organization(organization_id, services.VIEW)
        condition &= Q(org_path__startswith=organization.path)
    elif services.VIEW not in actor.scope.permissions():
        raise permission_denied()
    job = jobs.create(actor, Kind.CHILDREN_EXPORT, organization, {"filter": _q_to_json(condition)})
    enqueue(job)
    return job


def _q_to_json(q: Q) -> dict:
    """A filter condition as JSON for the job row (values: strings, numbers, dates, lists)."""
    return {"connector": q.connector, "negated": q.negated,
            "children": [_q_to_json(c) if isinstance(c, Q) else list(c) for c in q.children]}


def _q_from_json(data: dict) -> Q:
    children = [_q_from_json(c) if isinstance(c, dict) else tuple(c) for c in data["children"]]
    return Q(*children, _connector=data["connector"], _negated=data["negated"])


# Import ---------------------------------------------------------------------------------------------------

def _date(value) -> date | None:
    try:
        return xlsx.cell_date(value)
    except ValueError:
        raise ServiceError(E.INVALID_DATE, "birth_date", value=xlsx.cell_text(value)) from None


def _split(value) -> list[str]:
    return [part for part in SEPARATORS.split(xlsx.cell_text(value)) if part]


def _parse(values, columns: dict) -> tuple[dict, list | None]:
    """The service fields present in a row, and its guardians (None when the file has no guardian columns)."""
    cell = {key: values[i] if i < len(values) else None for key, i in columns.items()}
    fields = {key: xlsx.cell_text(cell[key]) for key in TEXT if key in columns}
    if "sex" in columns:
        fields["sex"] = SEXES.get(xlsx.cell_text(cell["sex"]), xlsx.cell_text(cell["sex"]))
    if "categories" in columns:
        fields["categories"] = [CATEGORIES.get(c, c) for c in _split(cell["categories"])]
    if xlsx.cell_text(cell.get("guardian_arrangement")):
        fields["guardian_arrangement"] = ARRANGEMENTS.get(xlsx.cell_text(cell["guardian_arrangement"]), xlsx.cell_text(cell["guardian_arrangement"]))
    if "birth_date" in columns:
        fields["birth_date"] = _date(cell["birth_date"])
    if not any(key in columns for key in GUARDIAN):
        return fields, None
    parts = zip_longest(*(_split(cell.get(key)) for key in GUARDIAN), fillvalue="")
    return fields, [{"name": n, "relation": r, "phone": p} for n, r, p in parts if n]


def _existing(actor: Actor, indexes: list[str]) -> dict:
    """{id_index: (child id, {compared field: value}, guardians)} of the batch's children the actor may change.

    Plain values in two queries, not model instances with prefetched guardians: a no-op re-import of 10⁵ rows
    spent most of its time building and prefetching objects only to compare a few fields. Both queries are
    shaped so that PostgreSQL finds the batch through its keys whatever its statistics say: the scope is
    applied to a copy of ``org_path`` (with the path index usable and statistics missing or stale — a
    township that had 300 children before this import — the planner read the township's whole subtree for
    every batch of 500), and the guardians are put in the model's order (by id) here, not by an ORDER BY
    that the planner may answer by walking the whole table in key order.
    """
    children = Child.objects.annotate(scope_path=Concat("org_path", Value(""))) \
        .filter(actor.scope.q(Child, services.CHANGE, ("scope_path", "organization_id")), id_index__in=indexes)
    found = {pk: (pk, index, dict(zip(COMPARED, values)), [])
             for pk, index, *values in children.order_by().values_list("pk", "id_index", *COMPARED)}
    guardians = Guardian.objects.filter(child_id__in=list(found)).order_by() \
        .values_list("id", "child_id", "name", "relation", "phone")
    for _id, child_id, name, relation, phone in sorted(guardians):
        found[child_id][3].append({"name": name, "relation": relation, "phone": phone})
    return {index: (pk, values, guardians) for pk, index, values, guardians in found.values()}


def _prepare(organization, fields: dict, guardians, seen: dict, number: int, existing: dict):
    """Validate one row against ``existing`` (see ``_existing``): None if it changes nothing, else
    (None, new Child, guardians) or (existing child id, changed fields, guardians or None)."""
    normalized = idcard.normalize(fields.get("id_number", ""))
    if normalized and normalized in seen:
        raise ServiceError(E.DUPLICATE_ROW, "id_number", row=seen[normalized])
    current_id, current, current_guardians = existing.get(services.index_of(normalized), (None, None, None)) \
        if normalized else (None, None, None)
    base = current or {"guardian_arrangement": GuardianArrangement.OTHER}
    child = Child(organization=organization, **{**base, **fields})
    services.validate(child)
    seen[normalized] = number  # only valid rows claim their ID number
    if current is None:
        return None, child, guardians or []
    clean = {key: getattr(child, key) for key in (*fields, "birth_date")}
    changed = {key: value for key, value in clean.items() if current[key] != value}
    if guardians == current_guardians:
        guardians = None
    return (current_id, changed, guardians) if changed or guardians is not None else None


def _problems(number: int, error: ServiceError) -> list[tuple]:
    """(row, column as the template names it, message) for each problem of a row."""
    found = []
    for code, field, params in error.problems:
        found.append((number, HEADERS[field][0] if field in HEADERS else "", code.render(**params)))
    return found


def _write(actor: Actor, organization, pending: list, seen: dict, report: list, counts: dict) -> None:
    """One batch of parsed rows: existing records found in one query, new ones registered in bulk, changed
    ones updated, all in one transaction (a crash leaves whole batches only); refused rows are reported."""
    numbers = [idcard.normalize(fields.get("id_number", "")) for _n, fields, _g in pending]
    existing = _existing(actor, [services.index_of(n) for n in numbers if n])
    new, updates = [], []
    for number, fields, guardians in pending:
        try:
            prepared = _prepare(organization, fields, guardians, seen, number, existing)
        except ServiceError as error:
            report += _problems(number, error)
            continue
        if prepared is None:
            counts["unchanged"] += 1
        elif prepared[0] is None:
            new.append((number, prepared[1], prepared[2]))
        else:
            updates.append((number, *prepared))
    with transaction.atomic():
        refused = services.register_many(actor, organization, new) if new else {}
        for number, error in refused.items():
            report += _problems(number, error)
        counts["created"] += len(new) - len(refused)
        for number, child_id, fields, guardians in updates:
            try:
                with transaction.atomic():
                    services.update_child(actor, child_id=child_id, guardians=guardians, **fields)
            except ServiceError as error:
                report += _problems(number, error)
            else:
                counts["updated"] += 1
    pending.clear()


def _refresh_statistics() -> None:
    """PostgreSQL's advice after a bulk load: ANALYZE, so that the next import's look-ups (and exports) are
    planned on the new row counts instead of waiting for autovacuum, which may be late or switched off (with
    no statistics the guardians of a batch of 500 were looked for by reading the whole table)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Child._meta.db_table}, {Guardian._meta.db_table}")


def run_import(job: Job) -> None:
    """Imports the job's uploaded roster. A workbook beyond the bounds of core.xlsx (size, shared strings,
    rows) or unreadable fails the job with that typed error before a row is written."""
    actor, organization = jobs.actor_of(job), job.organization
    report, counts = [], {"created": 0, "updated": 0, "unchanged": 0}
    sheet = xlsx.open_workbook(jobs.read_upload(job))
    try:
        rows = enumerate(xlsx.rows(sheet), start=1)
        header_row, columns = xlsx.find_header(rows, ALIASES, "name")
        missing = [key for key in REQUIRED if key not in columns]
        report += [(header_row, HEADERS[key][0], E.MISSING_COLUMN.render(column=HEADERS[key][0])) for key in missing]
        declared = min(sheet.max_row or 0, settings.IMPORT_MAX_ROWS)
        job.progress(0, max(declared - header_row, 0) if not missing else 0)
        seen, pending, done = {}, [], 0
        for number, values in () if missing else rows:
            if all(xlsx.cell_text(v) == "" for v in values):
                continue
            done += 1
            try:
                pending.append((number, *_parse(values, columns)))
            except ServiceError as error:
                report += _problems(number, error)
                continue
            if len(pending) >= BATCH:
                _write(actor, organization, pending, seen, report, counts)
                job.progress(done)
        if pending:
            _write(actor, organization, pending, seen, report, counts)
    finally:
        sheet.parent.close()
    if counts["created"] >= ANALYZE_AFTER:
        _refresh_statistics()
    job.progress_done = done
    job.result_file = f"{job.pk}-report.xlsx"
    marked = sheets.marked_copy(lambda: xlsx.open_workbook(jobs.read_upload(job)), header_row,
                                {HEADERS[key][0]: index for key, index in columns.items()})
    jobs.save_rows(job.result_file, ExcelText.REPORT_SHEET.render(), sheets.report_header(), report, marked)
    job.message = ExcelText.IMPORTED.render(bad=len({r[0] for r in report}), **counts)


# Export ---------------------------------------------------------------------------------------------------

def _export_row(child: Child, clear: bool) -> list[str]:
    """A roster row, masked by the policy of children/privacy.py unless ``clear``."""
    guardians = child.guardians.all()

    def show(field, value):
        return privacy.shown(field, value, clear)

    return [
        show("name", child.name), Sex(child.sex).label, show("id_number", child.id_number),
        show("birth_date", child.birth_date) or "", show("school", child.school), child.grade,
        GuardianArrangement(child.guardian_arrangement).label,
        "、".join(show("guardian_name", g.name) for g in guardians), "、".join(g.relation for g in guardians),
        "、".join(show("guardian_phone", g.phone) for g in guardians), show("parents_work_place", child.parents_work_place),
        "、".join(Category(c).label for c in child.categories), child.organization.name, Status(child.status).label,
    ]


def run_export(job: Job) -> None:
    actor = jobs.actor_of(job)
    children = actor.visible(Child.objects.filter(_q_from_json(job.params["filter"])), services.VIEW) \
        .select_related("organization").prefetch_related("guardians").defer("address").order_by("org_path", "name", "id")
    job.progress(0, children.count())
    unmasked = 0

    def rows():
        nonlocal unmasked
        for child in jobs.counted(job, children.iterator(chunk_size=BATCH), BATCH):
            clear = actor.scope.allows_row(PII, child)
            unmasked += clear
            yield _export_row(child, clear)

    job.result_file = f"{job.pk}-export.xlsx"
    unit = job.organization.name if job.organization else job.actor_user.get_full_name() if job.actor_user else ""
    write = sheets.ledger(ExcelText.EXPORT_TITLE.render(organization=unit), unit)
    jobs.save_rows(job.result_file, ExcelText.EXPORT_SHEET.render(), EXPORT_COLUMNS, rows(), write)
    job.message = ExcelText.EXPORTED.render(rows=job.progress_done)
    if unmasked:
        audit.record(actor, "children.export", job, job.organization,
                     {"count": job.progress_done, "unmasked": True, "unmaskedRows": unmasked})
