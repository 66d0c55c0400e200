"""Who is acting: a user or an API token, with its resolved Scope. Every service takes one."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from core.clientaddr import client_address
from core.errors import CommonErrorCode, ServiceError, not_found, permission_denied
from orgs.models import Organization
from permissions import scope as scopes
from permissions.scope import Scope
from permissions.sessions import signed_in


def person_label(user) -> str:
    """A person as people see them: the 姓名 (display name), else the username."""
    return user.get_full_name() or user.get_username()


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
    def from_request(cls, request) -> Actor:
        """Who acts in a request: its API token (BearerTokenMiddleware), else the session's user (or nobody).
        The one place a request becomes an Actor: the GraphQL view, file downloads and the admin all read
        ``request.actor``, which ActorMiddleware sets from this."""
        ip = client_address(request)
        token = getattr(request, "api_token", None)
        if token is not None:  # with the scope BearerTokenMiddleware resolved along with it
            return cls(scope=request.api_scope, token=token, ip=ip)
        user, scope = signed_in(request)
        return cls(scope=scope, user=user if user.is_authenticated else None, ip=ip)

    @classmethod
    def system(cls, label: str) -> Actor:
        """Unscoped actor for management commands and jobs started by the platform itself (greppable)."""
        return cls(scope=scopes.EVERYTHING, system_label=label)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None or self.token is not None or self.system_label is not None

    @property
    def label(self) -> str:
        """Who acted, as stored in histories and audit entries and shown to people: a person's 姓名 (display
        name; the username when none is set), a token's name. The username stays reachable through the user."""
        if self.token is not None:
            return f"token:{self.token.name}"
        if self.user is not None:
            return person_label(self.user)
        return self.system_label or "anonymous"

    @property
    def display_name(self) -> str:
        """Who, as people read it on screens and sheets (the audit log keeps ``label``): the user's name, a
        token's name, or 系统 for the system."""
        if self.token is not None:
            return self.token.name
        if self.user is not None:
            return person_label(self.user)
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
        """For a change at ``organization``: PERMISSION_DENIED unless ``permission`` reaches it, ARCHIVED if it
        is archived (nothing is recorded or changed at an archived organization, in any domain)."""
        if not self.can(permission, organization):
            raise permission_denied(field)
        _refuse_archived(organization, field)

    def require_subtree(self, permission: str, organization, field: str | None = None) -> None:
        """As ``require``, with ``permission`` over ``organization`` and everything below it."""
        if not self.scope.covers(permission, organization):
            raise permission_denied(field)
        _refuse_archived(organization, field)

    def organization(self, organization_id, permission: str | None = None, field: str = "organization_id"):
        """The organization where the actor would work: NOT_FOUND unless visible, then ARCHIVED if archived,
        then PERMISSION_DENIED unless ``permission`` (if given) reaches it. Every service asks this."""
        organization = self.get_visible(Organization.objects.all(), "orgs.view_organization", organization_id, field)
        if permission is None:
            _refuse_archived(organization, field)
        else:
            self.require(permission, organization, field)
        return organization


def _refuse_archived(organization, field: str | None) -> None:
    if organization.archived_at is not None:
        raise ServiceError(CommonErrorCode.ARCHIVED, field, name=organization.name)
