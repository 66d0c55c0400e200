"""core.xlsx at the service layer: what counts as a worksheet, the streaming row wall, columns, not-a-zip."""

import re

import pytest

from core import xlsx
from core.errors import ServiceError
from tests.jobs.helpers import roster, workbook
from tests.xlsx_files import WORKSHEET_RELATION, rebuild, sheet_xml


def code_of(data: bytes) -> str | None:
    try:
        xlsx.open_workbook(data).parent.close()
    except ServiceError as error:
        return error.code.name
    return None


def test_a_roster_opens_and_streams_its_rows(settings):
    sheet = xlsx.open_workbook(workbook(roster(3)))
    assert [row[:2] for row in xlsx.rows(sheet)][1:3] == [("姓名", "性别"), ("测试儿童0", "女")]


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04 truncated"])
def test_not_a_zip_is_file_corrupt(data):
    assert code_of(data) == "FILE_CORRUPT"


def test_a_part_read_whole_cannot_pass_for_a_worksheet_to_escape_its_bound(monkeypatch):
    """openpyxl parses xl/styles.xml whole: a relationship calling it a worksheet does not lift its bound."""
    monkeypatch.setattr(xlsx, "PART_BYTES", 64 * 1024)
    content = workbook(roster(3))
    styles = b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + b" " * 200_000 + b"</styleSheet>"
    assert code_of(rebuild(content, {"xl/styles.xml": styles})) == "WORKBOOK_TOO_LARGE"
    relations = xlsx.zipfile.ZipFile(xlsx.BytesIO(content)).read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", f'<Relationship Type="{WORKSHEET_RELATION}" Target="styles.xml" Id="rId9" /></Relationships>'.encode())
    assert code_of(rebuild(content, {"xl/styles.xml": styles, "xl/_rels/workbook.xml.rels": relations})) == "WORKBOOK_TOO_LARGE"


def test_a_worksheet_may_be_larger_than_the_parts_read_whole(monkeypatch):
    monkeypatch.setattr(xlsx, "PART_BYTES", 4096)  # above the styles, below the sheet
    content = workbook(roster(60))
    assert len(sheet_xml(content)) > 4096
    assert code_of(rebuild(content, {"xl/theme/theme1.xml": b"<a/>"})) is None


def test_streaming_stops_past_the_row_limit_whatever_the_scan_saw(settings):
    sheet = xlsx.open_workbook(workbook(roster(20)))
    settings.IMPORT_MAX_ROWS = 5  # lowered after the checks: only the streaming wall is left
    read = xlsx.rows(sheet)
    assert len([next(read) for _ in range(5)]) == 5
    with pytest.raises(ServiceError) as refused:
        next(read)
    assert refused.value.code.name == "TOO_MANY_ROWS"


def test_a_declared_width_does_not_pad_rows_beyond_the_columns_read():
    content = workbook(roster(3))
    wide = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD5"', sheet_xml(content))
    sheet = xlsx.open_workbook(rebuild(content, {"xl/worksheets/sheet1.xml": wide}))
    assert sheet.max_column == 16384
    assert {len(row) for row in xlsx.rows(sheet)} == {xlsx.COLUMNS}
