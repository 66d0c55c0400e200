"""Who holds a permission at an organization: the inverse of the Scope, for addressing people (notifications).

``holders(permission, organization)`` gives the active people whose live role reaches the organization with
that permission, at the *nearest* level: a role held at the organization itself (or at the closest ancestor
whose role covers its subtree) wins over those further up, so a township's report request reaches the
township's staff, not every county and city admin above it. One query, whatever the tree's size: the
ancestors come from the organization's path.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from orgs.paths import ancestor_paths
from permissions.catalog import codename
from permissions.models import OrganizationUserPermission, UnitGroup, unexpired


def holders(permission: str, organization, nearest: bool = True) -> list:
    """The users nearest to ``organization`` (an Organization with path and id) holding ``permission`` there
    (``nearest`` False: all of them, at any level)."""
    rows = list(OrganizationUserPermission.objects.filter(
        unexpired("membership__"),
        Q(content_object_id=organization.pk) | Q(membership__subtree=True),
        permission__codename=codename(permission),
        content_object__path__in=[*ancestor_paths(organization.path), organization.path],
        content_object__archived_at__isnull=True,
        user__is_active=True,
    ).values_list("user_id", "content_object__depth"))
    closest = max((depth for _user, depth in rows), default=None)
    return sorted({user for user, depth in rows if depth == closest or not nearest})


def unit_members(unit) -> list:
    """The active people who act for a unit (its group's members)."""
    return sorted(get_user_model().objects.filter(
        groups__in=UnitGroup.objects.filter(organization=unit).values("group_id"), is_active=True,
    ).values_list("pk", flat=True).distinct())
