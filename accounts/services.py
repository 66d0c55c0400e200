"""Accounts: org admins create staff accounts at and below their node, deactivate and reactivate them, reset
their passwords and unlock them; everyone changes their own password and chooses their notification channels.

The rules, all here:

- Managing accounts needs ``permissions.manage_membership``. A person's *places* are their home organization
  (where the account was created, ``Profile.organization``), every organization where they hold a role, and
  every unit they act for. An account is *visible* to an admin when one of its places lies in the admin's
  scope, and *manageable* only when every place does (each role one the admin could revoke:
  ``permissions.services.may_manage``). So a person who also holds a role beside or above the admin's node is
  not that admin's to deactivate, reset or unlock (MANAGED_ELSEWHERE): their other organization's admin, or
  one above both, does it. An invisible account answers NOT_FOUND exactly like a missing one. Platform
  accounts (superusers, Django staff) are neither listed nor managed here.
- Nobody deactivates, reactivates, resets, unlocks or edits their own account through these (SELF_ACCOUNT);
  ``change_my_password`` and ``update_my_settings`` are for oneself.
- Creating grants the role through ``permissions.services.grant_role`` (one place for its rules: nothing above
  or beside one's node, no role with permissions one does not hold there). The initial password is random,
  passes Django's validators, is returned once and must be changed at the first sign-in; so must a reset one.
- Every step writes an audit entry; no password ever does.
"""

from __future__ import annotations

import re
import secrets

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.errors import AccountErrorCode as E
from accounts.models import Language, Profile
from core.errors import ServiceError, not_found, permission_denied
from orgs.models import Organization
from permissions import audit
from permissions import services as access
from permissions.actor import Actor
from permissions.models import Membership, UnitGroup
from permissions.scope import bump_version

MANAGE = access.MANAGE_MEMBERS
NAME_MAX = 30
USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{3,30}$")
MOBILE = re.compile(r"^1\d{10}$")
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I
PASSWORD_LENGTH = 12
UNIT_FIELDS = ("organization__path", "organization_id")
PLACES = (
    Prefetch("memberships", queryset=Membership.objects.select_related("organization"), to_attr="all_memberships"),
    Prefetch("groups", queryset=Group.objects.select_related("unit__organization"), to_attr="all_groups"),
)


def users() -> QuerySet:
    return get_user_model().objects.all()


# Reading ------------------------------------------------------------------------------------------------

def visible_accounts(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    """People with at least one place in the actor's ``manage_membership`` scope (three subqueries, one statement)."""
    people = (users() if queryset is None else queryset).filter(is_superuser=False, is_staff=False)
    if actor.scope.everything:
        return people
    by_role = actor.visible(Membership.objects.filter(user__isnull=False), MANAGE).values("user_id")
    by_home = actor.visible(Profile.objects.all(), MANAGE).values("user_id")
    units = UnitGroup.objects.filter(actor.scope.q(UnitGroup, MANAGE, UNIT_FIELDS)).values("group_id")
    by_unit = get_user_model().groups.through.objects.filter(group_id__in=units).values("user_id")
    return people.filter(Q(pk__in=by_role) | Q(pk__in=by_home) | Q(pk__in=by_unit))


def with_places(queryset: QuerySet) -> QuerySet:
    """Users with every place loaded (two prefetches, whatever their number), for ``manageable``."""
    return queryset.select_related("profile__organization").prefetch_related(*PLACES)


def home_of(user) -> Organization | None:
    return user.profile.organization if hasattr(user, "profile") else None


def units_of(user) -> list[Organization]:
    """The units a user (loaded ``with_places``) acts for."""
    return [group.unit.organization for group in user.all_groups if hasattr(group, "unit")]


def manageable(actor: Actor, user) -> bool:
    """Whether every place of ``user`` (loaded ``with_places``) lies within what the actor manages."""
    organizations = [o for o in (home_of(user), *units_of(user)) if o is not None]
    return all(access.may_manage(actor, m) for m in user.all_memberships) and \
        all(actor.can(MANAGE, o) for o in organizations)


def lockouts() -> QuerySet:
    """django-axes' attempts that lock a username now (from some address)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since)


def must_change_password(user) -> bool:
    return Profile.objects.filter(user=user, must_change_password=True).exists()


# Checks -------------------------------------------------------------------------------------------------

def initial_password(user) -> str:
    """A random password that Django's validators accept for ``user``, shown once."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def _save_user(user, fields: list[str]) -> None:
    """Every change to an existing account: signed-in sessions carry the user row (permissions.sessions), so the
    change bumps the scope version and shows on the person's very next request."""
    user.save(update_fields=fields)
    bump_version()


def _contact_problems(display_name: str | None, phone: str | None, email: str | None) -> list:
    problems = []
    if display_name is not None and not 0 < len(display_name) <= NAME_MAX:
        problems.append((E.DISPLAY_NAME_REQUIRED, "display_name", {"limit": NAME_MAX}))
    if phone and not MOBILE.match(phone):
        problems.append((E.PHONE_INVALID, "phone", {}))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append((E.EMAIL_INVALID, "email", {}))
    return problems


def _managed(actor: Actor, user_id):
    """The account if the actor manages it: NOT_FOUND if invisible, SELF_ACCOUNT, MANAGED_ELSEWHERE."""
    user = with_places(visible_accounts(actor)).filter(pk=user_id).first() if user_id is not None else None
    if user is None:
        raise not_found("id")
    if actor.user is not None and user.pk == actor.user.pk:
        raise ServiceError(E.SELF_ACCOUNT, "id")
    if not manageable(actor, user):
        raise ServiceError(E.MANAGED_ELSEWHERE, "id")
    return user


def _where(user) -> Organization | None:
    """The organization an account's audit entries belong to: its home, else its first role's organization."""
    places = sorted((m.organization for m in user.all_memberships), key=lambda o: o.path)
    return home_of(user) or next(iter(places + units_of(user)), None)


def ensure_profile(user, organization) -> Profile:
    """The profile of an account made outside ``create_account`` (the demo accounts), at ``organization``."""
    return Profile.objects.get_or_create(user=user, defaults={"organization": organization})[0]


def _profile(user) -> Profile:
    """The account's profile; one made at its first place for an account created before profiles existed."""
    if hasattr(user, "profile"):
        return user.profile
    if not hasattr(user, "all_memberships"):
        user = with_places(users()).get(pk=user.pk)
    organization = _where(user)
    if organization is None:  # a platform account with no place: nothing to keep
        raise permission_denied()
    return ensure_profile(user, organization)


# Changes by an admin ------------------------------------------------------------------------------------

@transaction.atomic
def create_account(actor: Actor, *, username: str, display_name: str, organization_id, role: str, phone: str = "",
                   email: str = "", subtree: bool = True, expires_at=None, import_job=None) -> tuple[object, str]:
    """A staff account at ``organization_id`` with ``role`` there; returns it with its initial password.

    From a bulk-creation job (``import_job``), a username that the same job created in an earlier run gets a
    fresh initial password instead of USERNAME_TAKEN: that run's report, with the first password, was never
    written.
    """
    organization = actor.get_visible(Organization.objects.all(), access.VIEW_ORG, organization_id, "organization_id")
    actor.require(MANAGE, organization, "organization_id")
    username, display_name = (username or "").strip(), (display_name or "").strip()
    phone, email = (phone or "").strip(), (email or "").strip()
    problems = _contact_problems(display_name, phone, email)
    if not USERNAME.match(username):
        problems.insert(0, (E.USERNAME_INVALID, "username", {}))
    else:
        taken = users().filter(username__iexact=username).first()
        if taken is not None and import_job is not None and \
                Profile.objects.filter(user=taken, import_job=import_job).exists():
            return taken, _set_initial_password(actor, taken, "account.password_reissue", organization)
        if taken is not None:
            problems.insert(0, (E.USERNAME_TAKEN, "username", {"username": username}))
    if problems:
        raise ServiceError.many(problems)
    user = get_user_model()(username=username, first_name=display_name, email=email)
    password = initial_password(user)
    user.set_password(password)
    user.save()
    Profile.objects.create(user=user, organization=organization, phone=phone, must_change_password=True,
                           created_by=actor.user, import_job=import_job)
    audit.record(actor, "account.create", user, organization,
                 {"username": username, "displayName": display_name, "role": role, "job": getattr(import_job, "pk", None)})
    access.grant_role(actor, organization_id=organization.pk, role=role, username=username, subtree=subtree,
                      expires_at=expires_at)
    return user, password


def _set_initial_password(actor: Actor, user, action: str, organization) -> str:
    password = initial_password(user)
    user.set_password(password)  # also signs the account out everywhere (the session hash changes)
    _save_user(user, ["password"])
    profile = _profile(user)
    profile.must_change_password = True
    profile.save(update_fields=["must_change_password"])
    audit.record(actor, action, user, organization, {"username": user.username})
    return password


@transaction.atomic
def update_account(actor: Actor, *, user_id, display_name: str | None = None, phone: str | None = None,
                   email: str | None = None):
    user = _managed(actor, user_id)
    fields = {key: value.strip() for key, value in
              (("display_name", display_name), ("phone", phone), ("email", email)) if value is not None}
    problems = _contact_problems(fields.get("display_name"), fields.get("phone"), fields.get("email"))
    if problems:
        raise ServiceError.many(problems)
    if "display_name" in fields:
        user.first_name = fields["display_name"]
    if "email" in fields:
        user.email = fields["email"]
    _save_user(user, ["first_name", "email"])
    if "phone" in fields:
        profile = _profile(user)
        profile.phone = fields["phone"]
        profile.save(update_fields=["phone"])
    audit.record(actor, "account.update", user, _where(user), {"username": user.username, "fields": sorted(fields)})
    return user


@transaction.atomic
def set_active(actor: Actor, *, user_id, active: bool):
    """Deactivate (the person can no longer sign in and any session ends; roles are kept) or reactivate."""
    user = _managed(actor, user_id)
    if user.is_active == active:
        raise ServiceError(E.ALREADY_ACTIVE if active else E.ALREADY_INACTIVE, "id")
    user.is_active = active
    _save_user(user, ["is_active"])
    audit.record(actor, "account.reactivate" if active else "account.deactivate", user, _where(user),
                 {"username": user.username})
    return user


@transaction.atomic
def reset_password(actor: Actor, *, user_id) -> tuple[object, str]:
    """A new random password, shown once, to be changed at the next sign-in; open sessions end."""
    user = _managed(actor, user_id)
    return user, _set_initial_password(actor, user, "account.password_reset", _where(user))


@transaction.atomic
def unlock_account(actor: Actor, *, user_id):
    """Clears django-axes' failed attempts for the username (from every address)."""
    user = _managed(actor, user_id)
    cleared = axes_reset(username=user.username)
    audit.record(actor, "account.unlock", user, _where(user), {"username": user.username, "attempts": cleared})
    return user


# Changes by the person themselves -----------------------------------------------------------------------

def _person(actor: Actor):
    if actor.user is None:
        raise ServiceError(E.NOT_A_PERSON)
    return actor.user


@transaction.atomic
def change_my_password(actor: Actor, *, old_password: str, new_password: str):
    user = _person(actor)
    if not user.check_password(old_password):
        raise ServiceError(E.WRONG_PASSWORD, "old_password")
    if new_password == old_password:
        raise ServiceError(E.PASSWORD_UNCHANGED, "new_password")
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ServiceError(E.PASSWORD_INVALID, "new_password", detail="".join(error.messages)) from None
    user.set_password(new_password)
    _save_user(user, ["password"])
    Profile.objects.filter(user=user).update(must_change_password=False, password_changed_at=timezone.now())
    home = Profile.objects.filter(user=user).select_related("organization").first()
    audit.record(actor, "account.password_change", user, home.organization if home else None, {"username": user.username})
    return user


@transaction.atomic
def update_my_settings(actor: Actor, *, phone: str | None = None, email: str | None = None,
                       notify_by_email: bool | None = None, notify_by_sms: bool | None = None,
                       language: str | None = None) -> Profile:
    """One's own contact details and notification channels (in-app is always on)."""
    user = _person(actor)
    profile = _profile(user)
    problems = _contact_problems(None, (phone or "").strip(), (email or "").strip())
    if problems:
        raise ServiceError.many(problems)
    if phone is not None:
        profile.phone = phone.strip()
    if email is not None:
        user.email = email.strip()
        _save_user(user, ["email"])
    for field, value in (("notify_by_email", notify_by_email), ("notify_by_sms", notify_by_sms), ("language", language)):
        if value is not None:
            setattr(profile, field, value)
    profile.language = Language(profile.language)
    if profile.notify_by_email and not user.email:
        raise ServiceError(E.EMAIL_REQUIRED, "notify_by_email")
    if profile.notify_by_sms and not profile.phone:
        raise ServiceError(E.PHONE_REQUIRED, "notify_by_sms")
    profile.save()
    changed = [name for name, value in (("phone", phone), ("email", email), ("notify_by_email", notify_by_email),
                                        ("notify_by_sms", notify_by_sms), ("language", language)) if value is not None]
    audit.record(actor, "account.settings", user, profile.organization, {"fields": changed})
    return profile
