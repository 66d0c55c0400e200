"""Checks on filter arguments, before they reach SQL: a value out of range is a typed error, not a crash."""

from graphql import GraphQLError

from core.errors import ErrorCode

MAX_AGE = 100


class FilterErrorCode(ErrorCode):
    FILTER_TOO_LONG = ("筛选条件“{name}”最多 {limit} 个字符。", "The filter “{name}” takes at most {limit} characters.")
    FILTER_OUT_OF_RANGE = ("筛选条件“{name}”应在 {low} 到 {high} 之间。", "The filter “{name}” must lie between {low} and {high}.")


def _error(code: FilterErrorCode, **params) -> GraphQLError:
    return GraphQLError(code.render(**params), extensions={"code": code.name, "field": params["name"]})


def bounded_text(name: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise _error(FilterErrorCode.FILTER_TOO_LONG, name=name, limit=limit)
    return value


def bounded_int(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise _error(FilterErrorCode.FILTER_OUT_OF_RANGE, name=name, low=low, high=high)
    return value
