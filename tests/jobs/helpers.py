"""Roster workbooks built with openpyxl, and multipart uploads through graphene-file-upload's test client."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from strawberry import relay

from tests.conftest import file_graphql_query

IMPORT = """
mutation ImportChildren($organizationId: ID!, $file: Upload!) {
  importChildren(input: {organizationId: $organizationId, file: $file}) {
    job { id kind state progressDone progressTotal message error resultUrl }
    errors { field code message }
  }
}"""

EXPORT = """
mutation($input: ExportChildrenInput!) {
  exportChildren(input: $input) { job { id state message resultUrl } errors { field code message } }
}"""


def gid(type_name, pk) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def workbook(rows, title="马良镇留守儿童花名册") -> bytes:
    """An .xlsx with a title row above the header (as county files have) and the given rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, organization, content: bytes, name="花名册.xlsx", **headers):
    """POST importChildren as a GraphQL multipart request; the raw response."""
    return file_graphql_query(
        IMPORT, op_name="ImportChildren", variables={"organizationId": gid("Organization", organization.pk)},
        files={"file": SimpleUploadedFile(name, content)}, client=client, graphql_url="/graphql", headers=headers)


def import_payload(client, organization, content: bytes, name="花名册.xlsx") -> dict:
    response = upload(client, organization, content, name)
    assert response.status_code == 200, response.content
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]["importChildren"]


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def read_xlsx(client, url: str, sheet: int | str = 0) -> list[tuple]:
    book = download(client, url)
    found = book.worksheets[sheet] if isinstance(sheet, int) else book[sheet]
    return [tuple("" if v is None else v for v in row) for row in found.iter_rows(values_only=True)]


def ledger_rows(client, url: str) -> list[tuple]:
    """A government-format ledger's header and rows without the title rows, the 序号 column and the 合计 row
    (after checking that they are there)."""
    rows = read_xlsx(client, url)
    assert rows[1][0].startswith("填报单位：") and any(str(v).startswith("导出时间：") for v in rows[1])
    assert rows[2][0] == "序号"
    body = [row for row in rows[3:] if row[0] != "合计"]
    assert [row[0] for row in body] == list(range(1, len(body) + 1))
    return [rows[2][1:]] + [row[1:] for row in body]


def roster(count: int, region: str = "420626") -> list[list]:
    """A header and ``count`` valid rows with distinct ID numbers (sex from the sequence number's parity)."""
    from datetime import date, timedelta

    from demo.data import id_number

    rows = [["姓名", "性别", "身份证号", "类别"]]
    for i in range(count):
        born, sequence = date(2012, 1, 1) + timedelta(days=i // 900), 100 + i % 900
        rows.append([f"测试儿童{i}", "男" if sequence % 2 else "女", id_number(region, f"{born:%Y%m%d}", sequence), "留守儿童"])
    return rows
