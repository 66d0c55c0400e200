"""Typed, bilingual business errors shared by every domain, and the one mechanism for any text a user reads.

Each domain declares an enum of error codes whose values carry the Chinese and English message
templates. Services raise ``ServiceError``; the GraphQL layer turns it into ``errors { field code message }``
in the language the request negotiated (Chinese unless the client asks for English).

Other texts the server writes for people (job messages, Excel headers, standards' explanations, certificates,
placeholders) are ``Texts`` enums of the same (zh, en) shape, rendered in ONE language: the request's, or a
job's ``params["language"]`` (the runner activates it); Chinese by default.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from django.utils import translation


def english() -> bool:
    """Whether the active language (the request's, or the running job's) is English."""
    return (translation.get_language() or "").startswith("en")


class Texts(enum.Enum):
    """Base for enums of user-facing texts: ``NAME = ("中文模板", "English template")``, rendered in one language."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en

    def render(self, **params: object) -> str:
        return (self.en if english() else self.zh).format(**params)

    def __str__(self) -> str:
        return self.render()


class ErrorCode(Texts):
    """Base for domain error-code enums: ``NAME = ("中文模板", "English template")``."""


class CommonErrorCode(ErrorCode):
    NOT_FOUND = ("对象不存在或无权查看。", "The object does not exist or is not visible to you.")
    PERMISSION_DENIED = ("无权执行此操作。", "You are not allowed to do this.")
    UNAUTHENTICATED = ("登录已过期或尚未登录，请重新登录。", "You are not signed in, or your session has expired: please sign in.")
    INVALID_ID = ("ID 格式不正确。", "The ID is malformed.")
    ARCHIVED = ("组织“{name}”已归档，不能在此登记或修改。", "“{name}” is archived: nothing can be recorded or changed there.")
    INVALID = ("输入不正确：{detail}", "Invalid input: {detail}")
    FILE_TOO_LARGE = ("文件超过 {limit} MB 上限。", "The file is larger than the {limit} MB limit.")
    PHOTO_TYPE = ("只接受 JPEG 或 PNG 图片。", "Only JPEG or PNG images are accepted.")
    PHOTO_TOO_LARGE = ("图片尺寸过大（最多 {wan} 万像素）。", "The image is too large (at most {megapixels} megapixels).")
    # uploaded workbooks (core/xlsx.py)
    FILE_TYPE = ("只接受 Excel .xlsx 文件。", "Only Excel .xlsx files are accepted.")
    FILE_CORRUPT = ("文件已损坏或不是有效的 Excel .xlsx 文件。", "The file is damaged or not a valid Excel .xlsx file.")
    WORKBOOK_TOO_LARGE = ("工作簿解压后超过 {limit} MB 上限。", "The workbook exceeds the {limit} MB limit once uncompressed.")
    SHARED_STRINGS_TOO_LARGE = ("工作簿中的文字内容（共享字符串表）超过 {limit} MB 上限。",
                                "The workbook's text (its shared-strings table) exceeds the {limit} MB limit.")
    TOO_MANY_ROWS = ("表格超过 {limit} 行上限，请拆分后分批导入。", "The sheet has more than {limit} rows; split it and import the parts.")
    TOO_LONG = ("不能超过 {limit} 个字。", "At most {limit} characters.")
    RATE_LIMITED = ("请求过于频繁，请稍后再试。", "Too many requests; retry later.")


class ServiceError(Exception):
    """One or more user mistakes found by a service; nothing was changed."""

    def __init__(self, code: ErrorCode, field: str | None = None, /, **params: object) -> None:
        self.problems: list[tuple[ErrorCode, str | None, dict]] = [(code, field, params)]
        super().__init__(code.name)

    @classmethod
    def many(cls, problems: Iterable[tuple[ErrorCode, str | None, dict]]) -> ServiceError:
        problems = list(problems)
        code, field, params = problems[0]
        error = cls(code, field, **params)
        error.problems = problems
        return error

    @property
    def code(self) -> ErrorCode:
        return self.problems[0][0]

    def rendered(self) -> list[tuple[str | None, str, str]]:
        """(field, CODE, message in the active language) for each problem."""
        return [(field, code.name, code.render(**params)) for code, field, params in self.problems]


def plain_number(value: float) -> str:
    """A limit as a message shows it: at most four decimals, no trailing zeros (4000, 0.01, 1.5)."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def not_found(field: str | None = "id") -> ServiceError:
    return ServiceError(CommonErrorCode.NOT_FOUND, field)


def permission_denied(field: str | None = None) -> ServiceError:
    return ServiceError(CommonErrorCode.PERMISSION_DENIED, field)


# Length limits of names and free text, the same in the services and the web forms (maxLength).
NAME_MAX = 20          # a person's name
TITLE_MAX = 50         # the name of a site, project, point, campaign, activity, wish, group
TEXT_MAX = 2000        # free text: notes, narratives, reasons
NOTICE_MAX = 20000     # the text of a campaign's notice (通知)


def limited(value: str | None, field: str, limit: int, problems: list) -> str:
    """``value`` stripped; TOO_LONG added to ``problems`` (as (code, field, params)) past ``limit`` characters."""
    value = (value or "").strip()
    if len(value) > limit:
        problems.append((CommonErrorCode.TOO_LONG, field, {"limit": limit}))
    return value


def check_lengths(checks) -> None:
    """Raises TOO_LONG for every (value, field, limit) longer than its limit; nothing is changed."""
    problems: list = []
    for value, field, limit in checks:
        limited(value, field, limit, problems)
    if problems:
        raise ServiceError.many(problems)
