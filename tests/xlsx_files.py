"""Crafted workbooks for the import bounds: a real roster (openpyxl) with parts replaced or added."""

import io
import zipfile

from tests.jobs.helpers import roster, workbook

SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
WORKSHEET_RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def rebuild(content: bytes, parts: dict[str, bytes]) -> bytes:
    """``content`` with the given parts replaced or added (highly compressible parts stay small on disk)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name in source.namelist():
            if name not in parts:
                target.writestr(name, source.read(name))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def with_shared_strings(uncompressed_bytes: int) -> bytes:
    """A small roster plus a sharedStrings.xml that inflates to about ``uncompressed_bytes``."""
    content = workbook(roster(3))
    item = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + \
        item * (uncompressed_bytes // len(item) + 1) + b"</sst>"
    types = zipfile.ZipFile(io.BytesIO(content)).read("[Content_Types].xml").replace(
        b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}" /></Types>'.encode())
    return rebuild(content, {"[Content_Types].xml": types, "xl/sharedStrings.xml": strings})


def sheet_xml(content: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
