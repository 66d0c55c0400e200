"""Cursor connections with ``totalCount`` and a hard page-size limit that answers with a typed error."""

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.relay.types import PREFIX
from strawberry_django.relay import DjangoListConnection

from graphql_api.guards import RequestErrorCode

MAX_PAGE_SIZE = 100


@strawberry.type(name="Connection", description="分页列表 / A page of items with the total count.")
class Connection(DjangoListConnection[relay.NodeType]):
    @classmethod
    def resolve_connection(cls, nodes, *, info, first=None, last=None, **kwargs):
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
                raise GraphQLError(
                    f"每页最多 {MAX_PAGE_SIZE} 条，{name}={value} 超出范围 / "
                    f"At most {MAX_PAGE_SIZE} items per page; {name}={value} is out of range.",
                    extensions={"code": "PAGE_SIZE_EXCEEDED", "max": MAX_PAGE_SIZE},
                )
        for name in ("after", "before"):
            if kwargs.get(name) is not None and not _valid_cursor(kwargs[name]):
                raise GraphQLError(RequestErrorCode.INVALID_CURSOR.render(name=name),
                                   extensions={"code": RequestErrorCode.INVALID_CURSOR.name})
        return super().resolve_connection(nodes, info=info, first=first, last=last, **kwargs)


def _valid_cursor(cursor: str) -> bool:
    """A cursor this API handed out: ``arrayconnection:<offset>`` in base64 (anything else would crash the pager)."""
    try:
        kind, offset = relay.from_base64(cursor)
        return kind == PREFIX and int(offset) >= 0
    except (ValueError, TypeError):
        return False
