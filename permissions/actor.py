"""Who is acting: a user or an API token, with its resolved Scope. Every service takes one."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from core.errors import not_found, permission_denied
from permissions import scope as scopes
from permissions.scope import Scope


@dataclass(frozen=True)
class Actor:
    scope: Scope
    user: object | None = None
    token: object | None = None
    ip: str | None = None
    system_label: str | None = None

    @classmethod
    def for_user(cls, user, ip: str | None = None) -> Actor:
        authenticated = user is not None and user.is_authenticated
        return cls(scope=scopes.for_user(user), user=user if authenticated else None, ip=ip)

    @classmethod
    def for_token(cls, token, ip: str | None = None) -> Actor:
        return cls(scope=scopes.for_token(token), token=token, ip=ip)

    @classmethod
    def system(cls, label: str) -> Actor:
        """Unscoped actor for management commands and jobs started by the platform itself (greppable)."""
        return cls(scope=scopes.EVERYTHING, system_label=label)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None or self.token is not None or self.system_label is not None

    @property
    def label(self) -> str:
        if self.token is not None:
            return f"token:{self.token.name}"
        if self.user is not None:
            return self.user.get_username()
        return self.system_label or "anonymous"

    @property
    def display_name(self) -> str:
        """Who, as people read it on screens and sheets (the audit log keeps ``label``): the user's name, a
        token's name, or 系统 for the system."""
        if self.token is not None:
            return self.token.name
        if self.user is not None:
            return self.user.get_full_name() or self.user.get_username()
        return "系统"

    def visible(self, queryset: QuerySet, permission: str) -> QuerySet:
        return self.scope.filter(queryset, permission)

    def can(self, permission: str, organization) -> bool:
        return self.scope.allows(permission, organization)

    def get_visible(self, queryset: QuerySet, permission: str, pk, field: str | None = "id"):
        """The object if the actor may see it, else NOT_FOUND (exactly as if it did not exist)."""
        obj = self.visible(queryset, permission).filter(pk=pk).first() if pk is not None else None
        if obj is None:
            raise not_found(field)
        return obj

    def require(self, permission: str, organization, field: str | None = None) -> None:
        """PERMISSION_DENIED unless ``permission`` reaches ``organization``."""
        if not self.can(permission, organization):
            raise permission_denied(field)

    def require_subtree(self, permission: str, organization, field: str | None = None) -> None:
        """PERMISSION_DENIED unless ``permission`` reaches ``organization`` and everything below it."""
        if not self.scope.covers(permission, organization):
            raise permission_denied(field)
