"""Reading an uploaded .xlsx without letting it exhaust memory or the processor.

An .xlsx is a zip of XML parts. ``open_workbook`` checks the zip before openpyxl reads anything (zipfile
never inflates a part beyond the size the zip's directory declares, so the declared sizes bound what is read):

- all parts together, uncompressed: at most IMPORT_MAX_UNCOMPRESSED_BYTES, in at most PARTS parts;
- the shared-strings table, which openpyxl loads whole: at most IMPORT_MAX_SHARED_STRINGS_BYTES;
- every other part openpyxl reads whole, parsing it into a tree (workbook, styles, theme, relationships, a
  chart sheet and what it draws …): at most PART_BYTES. Only worksheets, which read-only mode streams, may be
  larger: a part counts as one when every relationship naming it is a worksheet relationship and nothing
  else (the content types, openpyxl's fixed part names) names it;
- each worksheet: at most IMPORT_MAX_ROWS rows, found by scanning its XML as it inflates (no XML parsing:
  row elements, and the highest row number they give, since openpyxl fills the gaps between numbered rows).

``rows`` then streams the first sheet, stops with the same error past IMPORT_MAX_ROWS rows (whatever the
scan saw) and reads at most COLUMNS columns (a declared width may pad every row to 16,384 cells).
A file that is not a readable workbook is FILE_CORRUPT. Errors are ServiceErrors (core.errors).
"""

import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from io import BytesIO

import openpyxl
from django.conf import settings
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import get_dependents
from openpyxl.xml.constants import (ARC_CONTENT_TYPES, ARC_CORE, ARC_CUSTOM, ARC_STYLE, ARC_THEME, ARC_WORKBOOK,
                                    SHARED_STRINGS)
from openpyxl.xml.functions import fromstring

from core.errors import CommonErrorCode, ServiceError, plain_number

COLUMNS = 64
PARTS = 1000
PART_BYTES = 8 * 2**20
READ_WHOLE = {ARC_CONTENT_TYPES, ARC_CORE, ARC_CUSTOM, ARC_STYLE, ARC_THEME, ARC_WORKBOOK}  # by name, in openpyxl
# What reading a damaged workbook raises, from zipfile, zlib, the XML parser (ParseError is a SyntaxError)
# and openpyxl's descriptors; anything else is a fault of ours and fails the job as such.
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, KeyError, IndexError, ValueError,
              TypeError, OSError, SyntaxError, NotImplementedError, RuntimeError)
ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])([^>]*)>")
ROW_NUMBER = re.compile(rb"""(?<![\w:.-])r\s*=\s*["'](\d{1,12})["']""")
SCAN_BYTES = 1 << 20
TAG_BYTES = 4096  # a row's start tag is a few dozen bytes: a longer unfinished "<…" at a chunk's end is no row


def open_workbook(data: bytes):
    """The first worksheet of a read-only openpyxl workbook of ``data``, once the zip passed the checks."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        _check(archive)
        book = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True, keep_links=False)
        return book.worksheets[0]
    except UNREADABLE:
        raise ServiceError(CommonErrorCode.FILE_CORRUPT, "file") from None


def _too_large(code: CommonErrorCode, limit: int) -> ServiceError:
    return ServiceError(code, "file", limit=plain_number(limit / 2**20))


def _check(archive: zipfile.ZipFile) -> None:
    parts = archive.infolist()
    if len(parts) > PARTS:
        raise ServiceError(CommonErrorCode.FILE_CORRUPT, "file")  # a workbook has a dozen parts, a few hundred with pictures
    if sum(part.file_size for part in parts) > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise _too_large(CommonErrorCode.WORKBOOK_TOO_LARGE, settings.IMPORT_MAX_UNCOMPRESSED_BYTES)
    guides = [part for part in parts if part.filename == ARC_CONTENT_TYPES or part.filename.endswith(".rels")]
    for part in guides:  # read whole here first, to learn what the other parts are
        if part.file_size > PART_BYTES:
            raise _too_large(CommonErrorCode.WORKBOOK_TOO_LARGE, PART_BYTES)
    manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    shared = manifest.find(SHARED_STRINGS)
    shared = shared.PartName[1:] if shared is not None else None
    relations = [rel for part in guides if part.filename != ARC_CONTENT_TYPES
                 for rel in get_dependents(archive, part.filename) if rel.TargetMode != "External"]
    worksheets = {rel.target for rel in relations if (rel.Type or "").endswith("/worksheet")} \
        - {rel.target for rel in relations if not (rel.Type or "").endswith("/worksheet")} \
        - {o.PartName[1:] for o in manifest.Override if not (o.ContentType or "").endswith(".worksheet+xml")} \
        - READ_WHOLE - {part.filename for part in guides}
    for part in parts:
        if part.filename == shared:
            if part.file_size > settings.IMPORT_MAX_SHARED_STRINGS_BYTES:
                raise _too_large(CommonErrorCode.SHARED_STRINGS_TOO_LARGE, settings.IMPORT_MAX_SHARED_STRINGS_BYTES)
        elif part.filename in worksheets:
            if _rows_in(archive, part) > settings.IMPORT_MAX_ROWS:
                raise ServiceError(CommonErrorCode.TOO_MANY_ROWS, "file", limit=f"{settings.IMPORT_MAX_ROWS:,}")
        elif part.file_size > PART_BYTES:
            raise _too_large(CommonErrorCode.WORKBOOK_TOO_LARGE, PART_BYTES)


def _rows_in(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> int:
    """The rows a worksheet holds: its row elements, or the highest row number one gives if that is more."""
    count = highest = 0
    pending = b""
    with archive.open(part) as source:
        while chunk := source.read(SCAN_BYTES):
            data = pending + chunk
            cut = data.rfind(b"<")  # the tag there may go on in the next chunk
            if cut < 0 or len(data) - cut > TAG_BYTES:
                cut = len(data)
            for attributes in ROW.findall(data, 0, cut):
                count += 1
                if number := ROW_NUMBER.search(attributes):
                    highest = max(highest, int(number[1]))
            pending = data[cut:]
    return max(count, highest)


def rows(sheet) -> Iterator[tuple]:
    """The values of each row of ``sheet`` (at most COLUMNS of them); TOO_MANY_ROWS past IMPORT_MAX_ROWS,
    FILE_CORRUPT when the sheet cannot be read on."""
    read = sheet.iter_rows(max_col=min(sheet.max_column or COLUMNS, COLUMNS), values_only=True)
    for count in range(1, settings.IMPORT_MAX_ROWS + 2):
        try:
            values = next(read)
        except StopIteration:
            return
        except UNREADABLE:
            raise ServiceError(CommonErrorCode.FILE_CORRUPT, "file") from None
        if count > settings.IMPORT_MAX_ROWS:
            raise ServiceError(CommonErrorCode.TOO_MANY_ROWS, "file", limit=f"{settings.IMPORT_MAX_ROWS:,}")
        yield values


# Reading a roster-like sheet: what the children's and the accounts' imports share -------------------------

HEADER_SEARCH_ROWS = 10  # a title row or two may sit above the header
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def check_upload(upload) -> None:
    """FILE_TOO_LARGE or FILE_TYPE unless ``upload`` is an .xlsx within IMPORT_MAX_BYTES (read before any job)."""
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ServiceError(CommonErrorCode.FILE_TOO_LARGE, "file", limit=f"{settings.IMPORT_MAX_BYTES / 2**20:g}")
    try:
        is_xlsx = (upload.name or "").lower().endswith(".xlsx") and upload.read(4) == b"PK\x03\x04" \
            and "xl/workbook.xml" in zipfile.ZipFile(upload).namelist()
    except zipfile.BadZipFile:
        is_xlsx = False
    upload.seek(0)
    if not is_xlsx:
        raise ServiceError(CommonErrorCode.FILE_TYPE, "file")


def header_key(value) -> str:
    """A header cell as compared with the known names: notes in brackets, spaces and asterisks dropped."""
    text = re.sub(r"[（(].*?[)）]", "", str(value or ""))
    return re.sub(r"[\s\u3000*＊]+", "", text)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_date(value) -> date | None:
    """A date cell (a date, or text in one of DATE_FORMATS); None when empty; ValueError when unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date) or value is None or cell_text(value) == "":
        return value or None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(cell_text(value), fmt).date()
        except ValueError:
            pass
    raise ValueError(value)


def find_header(rows, aliases: dict, anchor: str) -> tuple[int, dict]:
    """(the header row's number, {column key: index}) from the first rows of ``rows`` (numbered (n, values)):
    the first row naming ``anchor``'s column, else the last of HEADER_SEARCH_ROWS; the rows after it remain."""
    number, columns = 1, {}
    for number, values in rows:
        columns = {}
        for i, value in enumerate(values):
            key = aliases.get(header_key(value))
            if key and key not in columns:
                columns[key] = i
        if anchor in columns or number >= HEADER_SEARCH_ROWS:
            break
    return number, columns
