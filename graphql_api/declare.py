"""Every root field and mutation declares the permission it needs (or that it is public on purpose).

The declaration appears in the field's description; tests/graphql_api walk the schema and fail on any
root field without one. Enforcement itself is in the types' ``get_queryset`` and in the services.
"""

from strawberry.extensions import FieldExtension


class Requires(FieldExtension):
    def __init__(self, *permissions: str, public: bool = False, authenticated: bool = False):
        self.permissions = permissions
        self.public = public
        self.authenticated = authenticated

    @property
    def summary(self) -> str:
        if self.public:
            return "公开 / Public"
        if self.authenticated:
            return "登录用户 / Any signed-in actor"
        return "需要权限 / Requires: " + ", ".join(self.permissions)

    def apply(self, field) -> None:
        field.description = f"{field.description or ''}\n\n{self.summary}".strip()

    def resolve(self, next_, source, info, **kwargs):
        return next_(source, info, **kwargs)


def requires(*permissions: str) -> list[FieldExtension]:
    return [Requires(*permissions)]


def public() -> list[FieldExtension]:
    return [Requires(public=True)]


def authenticated() -> list[FieldExtension]:
    return [Requires(authenticated=True)]
