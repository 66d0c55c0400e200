"""Typed mutation errors: ``errors { field code message }`` with a per-domain code enum."""

import enum
from collections.abc import Callable

import strawberry
from django.db import transaction
from strawberry import relay
from strawberry.utils.str_converters import to_camel_case

from core.errors import CommonErrorCode, ErrorCode, ServiceError


def error_type(name: str, *domains: type[ErrorCode]):
    """A GraphQL error type whose ``code`` enum holds the common codes plus the given domains' codes."""
    codes = {c.name: c.name for domain in (CommonErrorCode, *domains) for c in domain}
    code_enum = strawberry.enum(enum.Enum(f"{name}Code", codes), name=f"{name}Code")

    @strawberry.type(name=name, description="业务错误 / A user's mistake, with a stable code.")
    class DomainError:
        field: str | None
        code: code_enum
        message: str

    DomainError.code_enum = code_enum
    return DomainError


def as_errors(error_cls, error: ServiceError) -> list:
    """The service's problems as typed errors. Services name fields as the domain does (``organization_id``);
    the API names them as its inputs do (``organizationId``): the same conversion strawberry applies to them."""
    return [error_cls(field=to_camel_case(field) if field else field, code=error_cls.code_enum[code], message=message)
            for field, code, message in error.rendered()]


def decode_id(global_id: relay.GlobalID | None, type_name: str, field: str = "id"):
    """The primary key inside a global ID of the expected type; a wrong type reads as NOT_FOUND."""
    if global_id is None:
        return None
    if global_id.type_name != type_name:
        raise ServiceError(CommonErrorCode.NOT_FOUND, field)
    try:
        return int(global_id.node_id)
    except (TypeError, ValueError):
        raise ServiceError(CommonErrorCode.INVALID_ID, field) from None


def run(payload_cls, error_cls, action: Callable[[], dict]):
    """Run one service call; its ServiceError becomes the payload's typed errors, nothing half-written."""
    try:
        with transaction.atomic():
            result = action()
    except ServiceError as error:
        return payload_cls(errors=as_errors(error_cls, error))
    return payload_cls(errors=[], **result)
