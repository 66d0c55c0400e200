"""Government-format ledgers (台账) in Excel: a title row, 填报单位 and 导出时间 (Beijing time), the header with
序号, numbers stored as numbers and dates as dates, a 合计 row summing the columns that add up, the header frozen
and column widths set. ``ledger(...)`` returns the ``write`` that ``jobs.services.save_rows`` lays a sheet out
with; it streams (xlsxwriter's constant-memory mode writes each row once, in order).

Also the roster's import template (the expected headers and an example row) and the import's error report,
which is the uploaded sheet itself with each faulty cell marked and the reason beside its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from xlsxwriter.utility import xl_rowcol_to_cell

from core import xlsx
from core.errors import Texts
from core.numbers import decimal_of

TEXT, INT, NUMBER, DATE, DATETIME = "text", "int", "number", "date", "datetime"
FORMATS = {INT: "0", NUMBER: "#,##0.00", DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm"}
FIRST_DATA_ROW = 3  # title, unit and time, header


class SheetText(Texts):
    NUMBER = ("序号", "No.")
    UNIT = ("填报单位：{unit}", "Reporting unit: {unit}")
    EXPORTED = ("导出时间：{time}（北京时间）", "Exported: {time} (Beijing time)")
    TOTAL = ("合计", "Total")


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT
    width: int = 12
    total: bool = False  # summed in the 合计 row


def _value(kind: str, value):
    """The cell's value in its own type: numbers as numbers, dates as dates (naive, Beijing time)."""
    if value is None or value == "":
        return None
    if kind in (INT, NUMBER):
        number = decimal_of(value)
        if number is None:
            return None
        return int(number) if kind == INT else float(number)
    if kind == DATETIME and isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if kind == DATE and isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def ledger(title: str, unit: str, now: datetime | None = None):
    """A sheet writer for ``save_rows``: ``header`` is a sequence of Column, ``rows`` of values in that order."""

    def write(book, sheet, columns, rows) -> int:
        bold = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "bg_color": "#F2F2F2",
                                "text_wrap": True})
        title_format = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        formats = {kind: book.add_format({"border": 1, **({"num_format": f} if f else {})})
                   for kind, f in ((TEXT, None), *FORMATS.items())}
        total_formats = {kind: book.add_format({"border": 1, "bold": True, **({"num_format": FORMATS[kind]} if kind in FORMATS else {})})
                         for kind in (TEXT, INT, NUMBER)}
        last = len(columns)  # 序号 is column 0
        sheet.set_column(0, 0, 6)
        for index, column in enumerate(columns, start=1):
            sheet.set_column(index, index, column.width)
        sheet.set_row(0, 30)
        sheet.merge_range(0, 0, 0, last, title, title_format)
        stamp = timezone.localtime(now or timezone.now()).strftime("%Y-%m-%d %H:%M")
        half = max(last // 2, 1)
        if half > 1:
            sheet.merge_range(1, 0, 1, half - 1, SheetText.UNIT.render(unit=unit))
        else:
            sheet.write_string(1, 0, SheetText.UNIT.render(unit=unit))
        sheet.write_string(1, half, SheetText.EXPORTED.render(time=stamp))
        sheet.write_row(2, 0, [SheetText.NUMBER.render(), *(c.title for c in columns)], bold)
        sheet.freeze_panes(FIRST_DATA_ROW, 0)
        sums = [Decimal(0) for _ in columns]
        count = 0
        for count, values in enumerate(rows, start=1):
            row = FIRST_DATA_ROW + count - 1
            sheet.write_number(row, 0, count, formats[INT])
            for index, (column, raw) in enumerate(zip(columns, values), start=1):
                value = _value(column.kind, raw)
                if value is None:
                    sheet.write_blank(row, index, None, formats[column.kind])
                elif column.kind in (INT, NUMBER):
                    sheet.write_number(row, index, value, formats[column.kind])
                    sums[index - 1] += Decimal(str(value))
                elif column.kind in (DATE, DATETIME) and isinstance(value, (date, datetime)):
                    shown = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
                    sheet.write_datetime(row, index, shown, formats[column.kind])
                else:
                    sheet.write_string(row, index, str(value), formats[TEXT])
        if any(c.total for c in columns):
            row = FIRST_DATA_ROW + count
            sheet.write_string(row, 0, SheetText.TOTAL.render(), total_formats[TEXT])
            for index, column in enumerate(columns, start=1):
                if not column.total:
                    sheet.write_blank(row, index, None, total_formats[TEXT])
                    continue
                top, bottom = xl_rowcol_to_cell(FIRST_DATA_ROW, index), xl_rowcol_to_cell(max(row - 1, FIRST_DATA_ROW), index)
                total = sums[index - 1]
                sheet.write_formula(row, index, f"=SUM({top}:{bottom})", total_formats[column.kind],
                                    int(total) if column.kind == INT else float(total))
        return count

    return write


class ReportText(Texts):
    PROBLEMS = ("错误说明", "Problems")
    LIST = ("错误清单", "Problem list")
    ROW = ("行号", "Row")
    COLUMN = ("列", "Column")
    MESSAGE = ("说明", "Message")


def report_header() -> tuple[str, str, str]:
    return ReportText.ROW.render(), ReportText.COLUMN.render(), ReportText.MESSAGE.render()


def marked_copy(upload_sheet, header_row: int, columns: dict[str, int]):
    """A writer for an import's report: the uploaded sheet itself, row for row, each faulty cell filled and the
    row's problems in a column of their own (错误说明); then the list of problems (row, column, message) on a
    sheet of its own. ``upload_sheet()`` opens the upload again (core.xlsx: bounded, from the sealed file);
    ``columns`` maps a column's name as the report gives it to its index in the upload."""

    def write(book, sheet, header, problems) -> None:
        problems = sorted(problems)
        by_row: dict[int, list] = {}
        for number, column, message in problems:
            by_row.setdefault(number, []).append((column, message))
        bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        note = book.add_format({"font_color": "#9C0006", "text_wrap": True})
        bold = book.add_format({"bold": True})
        original = upload_sheet()
        try:
            last = max(min(original.max_column or 0, xlsx.COLUMNS), max(columns.values(), default=-1) + 1)
            sheet.set_column(last, last, 48)
            for number, values in enumerate(xlsx.rows(original), start=1):
                marks = by_row.get(number, [])
                marked = {columns[c] for c, _m in marks if c in columns}
                for index, value in enumerate(values[:last]):
                    if value is None and index not in marked:
                        continue
                    shown = value.strftime("%Y-%m-%d") if isinstance(value, (date, datetime)) else value
                    sheet.write(number - 1, index, shown, bad if index in marked else None)
                if number == header_row:
                    sheet.write_string(number - 1, last, ReportText.PROBLEMS.render(), bold)
                elif marks:
                    sheet.write_string(number - 1, last, "；".join(f"{c}：{m}" if c else m for c, m in marks), note)
        finally:
            original.parent.close()
        listing = book.add_worksheet(ReportText.LIST.render())
        listing.write_row(0, 0, header, bold)
        for column, width in enumerate((8, 12, 60)):
            listing.set_column(column, column, width)
        for row, values in enumerate(problems, start=1):
            listing.write_row(row, 0, values)

    return write
