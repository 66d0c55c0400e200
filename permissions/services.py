"""Grants, revocations and API tokens. The only module that writes guardian permission rows."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import ServiceError, permission_denied
from orgs.models import Organization
from permissions import audit, tokens
from permissions.actor import Actor
from permissions.catalog import PERMISSIONS, ROLE_PERMISSIONS, Role, codename
from permissions.errors import PermissionsErrorCode as E
from permissions.models import (
    RECORD_GRANTS, ApiToken, Membership, OrganizationGroupPermission, OrganizationUserPermission, UnitGroup,
)
from permissions.scope import bump_version

VIEW_ORG = "orgs.view_organization"
MANAGE_MEMBERS = "permissions.manage_membership"
MANAGE_TOKENS = "permissions.manage_token"


def _check_expiry(expires_at, field="expires_at"):
    if expires_at is not None and expires_at <= timezone.now():
        raise ServiceError(E.EXPIRY_IN_PAST, field)


def _active_user(username: str):
    found = get_user_model().objects.filter(username=username, is_active=True).first()
    if found is None:
        raise ServiceError(E.USER_NOT_FOUND, "username", username=username)
    return found


def unit_group(organization: Organization) -> Group:
    """The group that stands for ``organization`` as a member elsewhere; created on first use."""
    link = UnitGroup.objects.filter(organization=organization).select_related("group").first()
    if link is None:
        group = Group.objects.create(name=f"unit:{organization.pk}")
        link = UnitGroup.objects.create(organization=organization, group=group)
    return link.group


def _materialise(membership: Membership) -> None:
    """Store the role's permissions as guardian object permissions on the membership's organization."""
    membership.user_permissions.all().delete()
    membership.group_permissions.all().delete()
    wanted = [codename(p) for p in ROLE_PERMISSIONS[Role(membership.role)]]
    perms = Permission.objects.filter(content_type=ContentType.objects.get_for_model(Organization), codename__in=wanted)
    if membership.user_id:
        rows = [OrganizationUserPermission(user_id=membership.user_id, permission=p, content_object_id=membership.organization_id, membership=membership) for p in perms]
        OrganizationUserPermission.objects.bulk_create(rows)
    else:
        rows = [OrganizationGroupPermission(group_id=membership.group_id, permission=p, content_object_id=membership.organization_id, membership=membership) for p in perms]
        OrganizationGroupPermission.objects.bulk_create(rows)


def _grantable(actor: Actor, role: str, organization: Organization, subtree: bool) -> None:
    """No escalation: the granter holds every permission of the role there (and below it, for a subtree role)."""
    reaches = actor.scope.covers if subtree else actor.can
    if not all(reaches(permission, organization) for permission in ROLE_PERMISSIONS[Role(role)]):
        raise ServiceError(E.ROLE_NOT_GRANTABLE, "role")


def _membership_changes(m: Membership) -> dict:
    return {"role": m.role, "subtree": m.subtree, "expiresAt": m.expires_at.isoformat() if m.expires_at else None,
            "member": m.user.get_username() if m.user_id else f"unit:{m.group.unit.organization_id}"}


@transaction.atomic
def grant_role(actor: Actor, *, organization_id, role: str, username: str | None = None, unit_id=None,
               subtree: bool = True, expires_at=None) -> Membership:
    organization = actor.organization(organization_id, MANAGE_MEMBERS)
    if subtree:  # the grantee would reach every organization below: so must the granter
        actor.require_subtree(MANAGE_MEMBERS, organization, "subtree")
    if (username is None) == (unit_id is None):
        raise ServiceError(E.ONE_GRANTEE, "username")
    _grantable(actor, role, organization, subtree)
    _check_expiry(expires_at)
    membership = Membership(organization=organization, role=Role(role), subtree=subtree, expires_at=expires_at,
                            granted_by=actor.user)
    if username is not None:
        user = _active_user(username)
        if user == actor.user:
            raise ServiceError(E.SELF_MEMBERSHIP, "username")
        membership.user = user
        exists = Membership.objects.filter(user=user, organization=organization).exists()
    else:
        unit = actor.organization(unit_id, field="unit_id")
        membership.group = unit_group(unit)
        exists = Membership.objects.filter(group=membership.group, organization=organization).exists()
    if exists:
        raise ServiceError(E.ALREADY_MEMBER, "username" if username else "unit_id")
    membership.save()
    _materialise(membership)
    bump_version()
    audit.record(actor, "membership.grant", membership, organization, _membership_changes(membership))
    return membership


def may_manage(actor: Actor, membership: Membership) -> bool:
    """Whether the actor manages this membership: its organization, and all below it for a subtree role."""
    reaches = actor.scope.covers if membership.subtree else actor.can
    return reaches(MANAGE_MEMBERS, membership.organization)


def _managed_membership(actor: Actor, membership_id) -> Membership:
    # Memberships are visible only to those who may manage them (as in the Membership type): NOT_FOUND otherwise.
    membership = actor.get_visible(
        Membership.objects.select_related("organization", "user", "group__unit"), MANAGE_MEMBERS, membership_id
    )
    if not may_manage(actor, membership):  # a role reaching below its organization: only one who reaches there too
        raise permission_denied("id")
    if actor.user is not None and membership.user_id == actor.user.pk:
        raise ServiceError(E.SELF_MEMBERSHIP, "id")
    return membership


@transaction.atomic
def change_role(actor: Actor, *, membership_id, role: str | None = None, subtree: bool | None = None,
                expires_at=None, clear_expiry: bool = False) -> Membership:
    membership = _managed_membership(actor, membership_id)
    _check_expiry(expires_at)
    if role is not None:
        membership.role = Role(role)
    if subtree is not None:
        membership.subtree = subtree
        if subtree:
            actor.require_subtree(MANAGE_MEMBERS, membership.organization, "subtree")
    _grantable(actor, membership.role, membership.organization, membership.subtree)
    if expires_at is not None or clear_expiry:
        membership.expires_at = expires_at
    membership.save()
    _materialise(membership)
    bump_version()
    audit.record(actor, "membership.change", membership, membership.organization, _membership_changes(membership))
    return membership


@transaction.atomic
def revoke_role(actor: Actor, *, membership_id) -> None:
    membership = _managed_membership(actor, membership_id)
    changes = _membership_changes(membership)
    audit.record(actor, "membership.revoke", membership, membership.organization, changes)
    membership.delete()
    bump_version()


def carry_roles(source: Organization, target: Organization) -> None:
    """Merging ``source`` into ``target``: the roles held at the source are held at the target from now on (a
    member holding one at both keeps the target's), with their guardian rows."""
    held = Membership.objects.filter(organization=target)
    twice = Membership.objects.filter(organization=source).filter(Q(user__in=held.values("user")) | Q(group__in=held.values("group")))
    Membership.objects.filter(pk__in=list(twice.values_list("pk", flat=True))).delete()
    Membership.objects.filter(organization=source).update(organization=target, org_path=target.path)
    for grant_model in (OrganizationUserPermission, OrganizationGroupPermission):
        grant_model.objects.filter(content_object=source).update(content_object=target)
    bump_version()


def unit_permissions(organization: Organization) -> set[str]:
    """Every permission the unit's group holds anywhere (what its tokens may be given)."""
    by_codename = {codename(p): p for p in PERMISSIONS}
    codes = OrganizationGroupPermission.objects.filter(group__unit__organization=organization).values_list(
        "permission__codename", flat=True
    )
    return {by_codename[c] for c in codes if c in by_codename}


def _require_over_unit_roles(actor: Actor, unit: Organization, permissions, field: str) -> None:
    """The actor must itself hold ``permissions`` (a set, or a function of a role's permissions) wherever the
    unit holds a role granting them, over the role's whole reach: managing a unit's members or tokens hands on
    what the unit holds there, so nobody may do it beyond their own scope (UNIT_BEYOND_YOU)."""
    for membership in Membership.objects.filter(group__unit__organization=unit).select_related("organization"):
        wanted = permissions(ROLE_PERMISSIONS[Role(membership.role)]) if callable(permissions) else permissions
        check = actor.scope.covers if membership.subtree else actor.scope.allows
        if not all(check(p, membership.organization) for p in wanted):
            raise ServiceError(E.UNIT_BEYOND_YOU, field, organization=membership.organization.name)


@transaction.atomic
def create_token(actor: Actor, *, organization_id, name: str, permissions: list[str], expires_at=None) -> tuple[ApiToken, str]:
    """A new token for a unit and its secret, which is returned here once and never stored. The token acts with
    the unit's roles narrowed to ``permissions``; its creator must hold those permissions wherever it will use them."""
    organization = actor.organization(organization_id, MANAGE_TOKENS)
    unknown = sorted(set(permissions) - set(PERMISSIONS))
    if unknown:
        raise ServiceError(E.UNKNOWN_PERMISSION, "permissions", names=", ".join(unknown))
    missing = sorted(set(permissions) - unit_permissions(organization))
    if missing:
        raise ServiceError(E.PERMISSION_NOT_HELD, "permissions", names=", ".join(missing))
    _require_over_unit_roles(actor, organization, lambda held: held & set(permissions), "permissions")
    _check_expiry(expires_at)
    secret, prefix, key_hash = tokens.new_secret()
    token = ApiToken.objects.create(organization=organization, name=name, permissions=sorted(set(permissions)),
                                    expires_at=expires_at, key_prefix=prefix, key_hash=key_hash, created_by=actor.user)
    audit.record(actor, "token.create", token, organization, {"name": name, "permissions": token.permissions})
    return token, secret


@transaction.atomic
def revoke_token(actor: Actor, *, token_id) -> ApiToken:
    token = actor.get_visible(ApiToken.objects.select_related("organization"), MANAGE_TOKENS, token_id)
    if token.revoked_at is not None:
        raise ServiceError(E.TOKEN_REVOKED, "id")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    bump_version()  # a token's row is kept under the scope version (permissions/tokens.py): refused on its next use
    audit.record(actor, "token.revoke", token, token.organization, {"name": token.name})
    return token


def share_record(actor: Actor, record, *, username: str | None = None, unit: Organization | None = None,
                 expires_at=None):
    """Grant ``<app>.view_<model>`` on one record (a model registered in RECORD_GRANTS) to a user or a unit's
    group until ``expires_at``; the domain decides first who may share what (children.services.share_child)."""
    if (username is None) == (unit is None):
        raise ServiceError(E.ONE_GRANTEE, "username")
    _check_expiry(expires_at)
    user_model, group_model = RECORD_GRANTS[record._meta.label]
    permission = Permission.objects.get(content_type=ContentType.objects.get_for_model(record),
                                        codename=f"view_{record._meta.model_name}")
    grantee = {"user": _active_user(username)} if username is not None else {"group": unit_group(unit)}
    grant, _ = (user_model if username is not None else group_model).objects.update_or_create(
        permission=permission, content_object=record, **grantee,
        defaults={"expires_at": expires_at, "granted_by": actor.user})
    bump_version()
    return grant


def unshare_record(record, *, unit: Organization | None = None) -> None:
    """End what ``share_record`` gave on ``record``: the unit's grant, or (no unit) every grant on it."""
    user_model, group_model = RECORD_GRANTS[record._meta.label]
    grants = [group_model.objects.filter(content_object=record, group__unit__organization=unit)] if unit is not None \
        else [user_model.objects.filter(content_object=record), group_model.objects.filter(content_object=record)]
    for rows in grants:
        rows.delete()
    bump_version()


def _unit_member(actor: Actor, unit_id, username: str):
    """(unit, user) if the actor may manage the unit's members: members act with every role the unit holds, so
    the actor must manage memberships wherever the unit holds one; nobody adds or removes themselves."""
    unit = actor.organization(unit_id, MANAGE_MEMBERS, "unit_id")
    _require_over_unit_roles(actor, unit, {MANAGE_MEMBERS}, "unit_id")
    user = _active_user(username)
    if user == actor.user:
        raise ServiceError(E.SELF_MEMBERSHIP, "username")
    return unit, user


@transaction.atomic
def add_unit_member(actor: Actor, *, unit_id, username: str) -> None:
    """The user acts for the unit: the roles granted to the unit's group reach them too."""
    unit, user = _unit_member(actor, unit_id, username)
    unit_group(unit).user_set.add(user)
    bump_version()
    audit.record(actor, "unit.member_add", unit, unit, {"username": username})


@transaction.atomic
def remove_unit_member(actor: Actor, *, unit_id, username: str) -> None:
    unit, user = _unit_member(actor, unit_id, username)
    unit_group(unit).user_set.remove(user)
    bump_version()
    audit.record(actor, "unit.member_remove", unit, unit, {"username": username})
