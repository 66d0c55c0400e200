"""The Scope of a request: what an actor may see and do, resolved once and applied as SQL.

A Scope holds, per permission, the merged path prefixes of the subtrees it covers and the ids of the
organizations covered "this organization only". ``scope.filter(queryset, permission)`` is the one place
that turns it into SQL (``org_path LIKE 'prefix%' OR organization_id IN (...)``); every list, related
field, ``node(id:)``, export and job reads through it. No prefixes and no ids: the condition is empty and
the query returns nothing (fail closed).

Record-level grants (one child's file shared with a user or a unit's group, with an expiry) add primary
keys per model. A user's scope also holds the units they act for (wishes.services.acting_units: a unit's claims
and dispatches are read by literal ids). The scope is cached under the scope version, which lives in the cache
too: a warm resolution costs no SQL (a cold one: the role grants, the units, one query per shareable model).
Any membership, grant, tree or account change bumps the version (``bump_version``): the database row changes at
once, the cached copy when the change commits; until then the changing connection itself uses the new
(uncommitted) value, so that what it caches meanwhile can never be served under a committed version.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import reduce

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from orgs.models import Organization
from orgs.paths import ancestor_paths, merge_prefixes
from permissions.catalog import PERMISSIONS, codename

CACHE_SECONDS = 3600
VERSION_KEY = "scope:version"
# The shape of a cached Scope, part of every key one is cached under (here, permissions.sessions' sign-ins,
# permissions.tokens): a Scope pickled by an older release (before ``units``) is never read back, it would act for
# no unit until its version changed.
SHAPE = "s2"
_BY_CODENAME = {codename(name): name for name in PERMISSIONS}


@dataclass(frozen=True)
class Scope:
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    organization_ids: dict[str, frozenset[int]] = field(default_factory=dict)
    # Record-level grants: permission -> model label -> primary keys shared with the actor.
    records: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)
    everything: bool = False
    # The units a user acts for (member of the unit's group): wishes.services.acting_units, as literal ids.
    units: frozenset[int] = frozenset()

    def q(self, model: type[Model], permission: str, fields: tuple[str, str] | None = None) -> Q:
        """The SQL condition for rows of ``model`` that ``permission`` reaches, through the model's
        ``scope_fields`` (path, organization key) or the ``fields`` given for a second owner."""
        if permission not in PERMISSIONS:
            raise KeyError(f"unknown permission {permission!r}")
        if self.everything:
            return Q()
        path_field, org_field = fields or model.scope_fields
        conditions = [Q(**{f"{path_field}__startswith": prefix}) for prefix in self.prefixes.get(permission, ())]
        ids = self.organization_ids.get(permission)
        if ids:
            conditions.append(Q(**{f"{org_field}__in": sorted(ids)}))
        shared = self.records.get(permission, {}).get(model._meta.label)
        if shared:
            conditions.append(Q(pk__in=sorted(shared)))
        # no term that matches nothing in the OR: Django would build and compile it on every page, only to drop it
        return reduce(operator.or_, conditions) if conditions else Q(pk__in=[])

    def touching(self, permission: str, path_field: str) -> Q:
        """Rows whose ``path_field`` names an organization on the way to or within what ``permission`` reaches:
        an ancestor of, the same as, or below an organization where it is held (a campaign covering the county
        concerns its townships' staff; one covering a village concerns the township's)."""
        if permission not in PERMISSIONS:
            raise KeyError(f"unknown permission {permission!r}")
        if self.everything:
            return Q()
        paths = set(self.prefixes.get(permission, ()))
        ids = self.organization_ids.get(permission)
        if ids:
            paths |= set(Organization.objects.filter(pk__in=ids).values_list("path", flat=True))
        condition = Q(**{f"{path_field}__in": sorted({a for p in paths for a in (*ancestor_paths(p), p)})})
        for path in merge_prefixes(paths):
            condition |= Q(**{f"{path_field}__startswith": path})
        return condition

    def filter(self, queryset: QuerySet, permission: str) -> QuerySet:
        shared = self.records.get(permission, {}).get(queryset.model._meta.label)
        if not (self.everything or self.prefixes.get(permission) or self.organization_ids.get(permission) or shared):
            return queryset.none()
        return queryset.filter(self.q(queryset.model, permission))

    def allows_at(self, permission: str, path: str, organization_id: int) -> bool:
        """Whether ``permission`` reaches the organization with this path and id: the one check in Python,
        for rows already read (``filter`` is the same rule in SQL)."""
        if self.everything:
            return permission in PERMISSIONS
        if organization_id in self.organization_ids.get(permission, ()):
            return True
        return any(path.startswith(p) for p in self.prefixes.get(permission, ()))

    def allows(self, permission: str, organization) -> bool:
        """Whether ``permission`` reaches ``organization`` (an Organization with path and id loaded)."""
        return self.allows_at(permission, organization.path, organization.id)

    def allows_row(self, permission: str, row) -> bool:
        """Whether ``permission`` reaches a tenant-owned ``row`` (through its model's ``scope_fields``), or a
        record-level grant shares that very row."""
        path_field, org_field = type(row).scope_fields
        return self.allows_at(permission, getattr(row, path_field), getattr(row, org_field)) or self.shares(permission, row)

    def shares(self, permission: str, row) -> bool:
        """Whether a record-level grant of ``permission`` shares that very ``row``."""
        return row.pk in self.records.get(permission, {}).get(row._meta.label, ())

    def covers(self, permission: str, organization) -> bool:
        """Whether ``permission`` reaches ``organization`` and everything below it (by a subtree grant)."""
        if self.everything:
            return permission in PERMISSIONS
        return any(organization.path.startswith(p) for p in self.prefixes.get(permission, ()))

    def permissions(self) -> set[str]:
        """The permissions held anywhere: by a role, or by a record-level grant on some record."""
        if self.everything:
            return set(PERMISSIONS)
        return ({p for p, v in self.prefixes.items() if v} | {p for p, v in self.organization_ids.items() if v}
                | {p for p, by_model in self.records.items() if any(by_model.values())})

    def restricted_to(self, permissions) -> Scope:
        """The same scope keeping only ``permissions`` (an API token's subset)."""
        keep = set(permissions)
        return Scope(
            prefixes={p: v for p, v in self.prefixes.items() if p in keep},
            organization_ids={p: v for p, v in self.organization_ids.items() if p in keep},
            records={p: v for p, v in self.records.items() if p in keep},
        )


EMPTY = Scope()
EVERYTHING = Scope(everything=True)


def build(rows, record_rows=(), units=()) -> tuple[Scope, timedelta]:
    """A Scope from (codename, path, organization id, subtree, expires_at) rows, record-grant
    (model label, app label, codename, pk, expires_at) rows and the ids of the units acted for, and how long it
    holds."""
    prefixes: dict[str, set[str]] = defaultdict(set)
    ids: dict[str, set[int]] = defaultdict(set)
    records: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    now = timezone.now()
    lifetime = timedelta(seconds=CACHE_SECONDS)
    for label, app_label, code, pk, expires_at in record_rows:
        permission = f"{app_label}.{code}"
        if permission in PERMISSIONS:
            records[permission][label].add(pk)
            if expires_at is not None:
                lifetime = min(lifetime, expires_at - now)
    for code, path, org_id, subtree, expires_at in rows:
        permission = _BY_CODENAME.get(code)
        if permission is None:
            continue
        if subtree:
            prefixes[permission].add(path)
        else:
            ids[permission].add(org_id)
        if expires_at is not None:
            lifetime = min(lifetime, expires_at - now)
    scope = Scope(
        prefixes={p: merge_prefixes(v) for p, v in prefixes.items()},
        organization_ids={p: frozenset(v) for p, v in ids.items()},
        records={p: {label: frozenset(pks) for label, pks in by_model.items()} for p, by_model in records.items()},
        units=frozenset(units),
    )
    return scope, lifetime


def _grant_rows(*, user=None, group_ids=None):
    from permissions.models import OrganizationGroupPermission, OrganizationUserPermission, unexpired

    live = unexpired("membership__") & Q(content_object__archived_at__isnull=True)
    fields = ("permission__codename", "content_object__path", "content_object_id", "membership__subtree", "membership__expires_at")
    if user is not None:
        mine = OrganizationUserPermission.objects.filter(live, user=user).values_list(*fields)
        via_groups = OrganizationGroupPermission.objects.filter(live, group__user=user).values_list(*fields)
        return mine.union(via_groups, all=True)
    return OrganizationGroupPermission.objects.filter(live, group_id__in=group_ids).values_list(*fields)


def _record_rows(*, user=None, group_ids=None) -> list:
    """Live record-level grants of a user (directly or through groups) or of groups, one query per model."""
    from permissions.models import RECORD_GRANTS, unexpired

    live = unexpired()
    fields = ("permission__content_type__app_label", "permission__codename", "content_object_id", "expires_at")
    rows = []
    for label, (user_model, group_model) in RECORD_GRANTS.items():
        groups = group_model.objects.filter(live, group__user=user) if user is not None else \
            group_model.objects.filter(live, group_id__in=group_ids)
        found = groups.values_list(*fields)
        if user is not None:
            found = user_model.objects.filter(live, user=user).values_list(*fields).union(found, all=True)
        rows += [(label, *row) for row in found]
    return rows


def units_of(user) -> list[int]:
    """The units whose group the user is in (permissions.services.add_unit_member bumps the version)."""
    from permissions.models import UnitGroup

    return list(UnitGroup.objects.filter(group__user=user).values_list("organization_id", flat=True))


def current_version(cached: int | None = None) -> int:
    """The scope version, without SQL: the one this connection wrote in a transaction still open, else the cached
    copy (``cached``: a value just read from it); the row only when the cache has none."""
    from permissions.models import ScopeVersion

    # the refreshes still waiting for this connection's commit (a rolled-back savepoint or transaction drops its own)
    for _, callback, _ in reversed(connection.run_on_commit):
        if hasattr(callback, "scope_version"):
            return callback.scope_version
    value = cache.get(VERSION_KEY) if cached is None else cached
    if value is None:
        value = ScopeVersion.current()
        cache.add(VERSION_KEY, value, CACHE_SECONDS)  # add: never overwrite a value a commit set meanwhile
    return value


def _cached(key: str, load, version: int | None = None) -> tuple[Scope, float]:
    """The scope under ``key`` and the time (epoch seconds) until which it holds."""
    full_key = f"scope-until:{SHAPE}:v{current_version() if version is None else version}:{key}"  # (scope, until)
    found = cache.get(full_key)
    if found is None:
        scope, lifetime = build(*load())
        found = (scope, timezone.now().timestamp() + lifetime.total_seconds())
        seconds = int(lifetime.total_seconds())
        if seconds > 0:
            cache.set(full_key, found, seconds)
    return found


def for_user_until(user, version: int | None = None) -> tuple[Scope, float]:
    """A user's scope and until when it holds (epoch seconds), under ``version`` if the caller read it already."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY, float("inf")
    if user.is_superuser:  # everything, and the units they act for like anyone else
        scope, until = _cached(f"superuser:{user.pk}", lambda: ((), (), units_of(user)), version)
        return replace(scope, everything=True), until
    return _cached(f"user:{user.pk}", lambda: (_grant_rows(user=user), _record_rows(user=user), units_of(user)),
                   version)


def for_user(user) -> Scope:
    return for_user_until(user)[0]


def for_token(token) -> Scope:
    return for_token_until(token)[0]


def for_token_until(token, version: int | None = None) -> tuple[Scope, float]:
    """A token acts with its organization's unit-group grants, narrowed to the token's permissions; and until when
    that holds (epoch seconds), under ``version`` if the caller read it already."""

    def load():
        group_id = getattr(getattr(token.organization, "unit_group", None), "group_id", None)
        group_ids = [group_id] if group_id else []
        return _grant_rows(group_ids=group_ids), _record_rows(group_ids=group_ids)

    scope, until = _cached(f"token:{token.pk}", load, version)
    return scope.restricted_to(token.permissions), until


def bump_version() -> None:
    """After a change that alters what someone may see or who they are: cached scopes and signed-in sessions
    (permissions.sessions) are resolved afresh on their next request."""
    from permissions.models import ScopeVersion

    value = ScopeVersion.bump()

    def committed():
        cache.set(VERSION_KEY, value, CACHE_SECONDS)

    committed.scope_version = value
    transaction.on_commit(committed)
