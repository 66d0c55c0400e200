"""Every root field and mutation declares the permission it needs (or that it is public on purpose), and the
declaration is enforced here, before the resolver runs:

- a field that is not public answers UNAUTHENTICATED (a top-level error) to a request with neither a session nor
  a token, so that a client can tell "signed out" from "nothing there";
- a query field with ``requires(...)`` resolves with an empty scope for an actor who holds none of the named
  permissions anywhere: it finds nothing, whatever its resolver would read (no SQL runs for it);
- a mutation's permission is checked by its service, where the object is known: an object the actor cannot see
  answers NOT_FOUND exactly like a missing one, one it may see but not change PERMISSION_DENIED (STYLE.md, 6).
  tests/graphql_api/test_declarations.py proves, for every root field, that an actor holding every permission
  but the declared ones is refused (or finds nothing) and that one holding them is not.

The names are checked against the catalog when the schema is built (an unknown one stops the start-up), and the
declaration is written into the field's description; tests/graphql_api walk the schema and fail on any root
field without one.
"""

from graphql import GraphQLError
from strawberry.extensions import FieldExtension

from core.errors import CommonErrorCode
from graphql_api.context import actor_of
from permissions.actor import Actor
from permissions.catalog import PERMISSIONS
from permissions.scope import EMPTY


def _is_payload(field) -> bool:
    """Whether the field returns a mutation payload (``{ ... errors { field code message } }``)."""
    definition = getattr(field.type, "__strawberry_definition__", None)
    return definition is not None and any(f.python_name == "errors" for f in definition.fields)


class Requires(FieldExtension):
    def __init__(self, *permissions: str, public: bool = False, authenticated: bool = False):
        unknown = [p for p in permissions if p not in PERMISSIONS]
        if unknown:
            raise ValueError(f"requires(): unknown permissions {unknown} (permissions/catalog.py)")
        self.permissions = frozenset(permissions)
        self.public = public
        self.authenticated = authenticated

    @property
    def summary(self) -> str:
        if self.public:
            return "公开 / Public"
        if self.authenticated:
            return "登录用户 / Any signed-in actor"
        return "需要权限 / Requires: " + ", ".join(sorted(self.permissions))

    def apply(self, field) -> None:
        field.description = f"{field.description or ''}\n\n{self.summary}".strip()
        self.gates_reads = not _is_payload(field)  # a query field (a mutation returns a payload with errors)

    def resolve(self, next_, source, info, **kwargs):
        if self.public:
            return next_(source, info, **kwargs)
        actor = actor_of(info)
        if not actor.is_authenticated:
            raise GraphQLError(CommonErrorCode.UNAUTHENTICATED.render(), extensions={"code": "UNAUTHENTICATED"})
        if self.gates_reads and self.permissions and not self.permissions & actor.scope.permissions():
            request = info.context.request
            request.actor = Actor(scope=EMPTY, user=actor.user, token=actor.token, ip=actor.ip)
            try:
                return next_(source, info, **kwargs)
            finally:
                request.actor = actor
        return next_(source, info, **kwargs)


def requires(*permissions: str) -> list[FieldExtension]:
    return [Requires(*permissions)]


def public() -> list[FieldExtension]:
    return [Requires(public=True)]


def authenticated() -> list[FieldExtension]:
    return [Requires(authenticated=True)]

