"""Donors: a person registers with a phone confirmed by an SMS code (and signs in the same way), claims from the
public board within the limits of donors/limits.py, follows and cancels their claims; an enterprise or unit applies
to the organization whose board it claims from, which approves it as a partner unit."""

from __future__ import annotations

import hmac
import logging
import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import ratelimit
from core.crypto import blind_index
from core.errors import CommonErrorCode, ServiceError, check_lengths, not_found
from core.numbers import CENTS, decimal_of
from donors import limits
from donors.errors import DonorErrorCode as E
from donors.models import ApplicationState, Donor, PhoneCode, UnitApplication
from notifications import events, sms
from orgs import services as org_services
from orgs.models import KINDS, Organization, System
from permissions import audit
from permissions import services as access_services
from permissions.actor import Actor
from permissions.catalog import Role
from wishes import services as wish_services
from wishes.models import Claim, DonorKind, State

logger = logging.getLogger("donors")
MOBILE = re.compile(r"1[3-9]\d{9}")
MANAGE_MEMBERS = access_services.MANAGE_MEMBERS
NAME_MAX = 30


def _phone(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "").removeprefix("+86")
    if not MOBILE.fullmatch(phone):
        raise ServiceError(E.PHONE_INVALID, "phone")
    return phone


def _code_hash(index: str, code: str) -> str:
    return blind_index(f"donor-code:{index}:{code}")


def send_code(*, phone: str, ip: str | None) -> None:
    """A fresh 6-digit code to ``phone`` by SMS (the SMS_BACKEND provider; in development it is only logged).
    One code a minute per phone, CODES_PER_ADDRESS_PER_HOUR per client address."""
    phone = _phone(phone)
    if ratelimit.over(f"donor-code:{ip}", limits.CODES_PER_ADDRESS_PER_HOUR, 3600):
        raise ServiceError(CommonErrorCode.RATE_LIMITED, "phone")
    index, now = blind_index(phone), timezone.now()
    last = PhoneCode.objects.filter(phone_index=index).values_list("created_at", flat=True).first()
    if last is not None and (now - last).total_seconds() < limits.CODE_RESEND_SECONDS:
        raise ServiceError(E.CODE_TOO_SOON, "phone", seconds=limits.CODE_RESEND_SECONDS - int((now - last).total_seconds()))
    code = f"{secrets.randbelow(10 ** limits.CODE_DIGITS):0{limits.CODE_DIGITS}d}"
    PhoneCode.objects.create(phone_index=index, code_hash=_code_hash(index, code), expires_at=now + limits.CODE_LIFETIME, ip=ip)
    minutes = int(limits.CODE_LIFETIME.total_seconds() // 60)
    text = f"【{settings.SMS_SIGNATURE}】您的验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。"

    def deliver():
        try:
            sms.backend().send(phone, text)
        except Exception:  # the person asks again in a minute; the provider's failure is for the operators
            logger.exception("sending a donor code failed")

    transaction.on_commit(deliver)


def _check_code(index: str, code: str) -> None:
    """Spends the newest open code of the phone if ``code`` matches; a wrong entry counts against it (committed
    even though the caller answers with an error), and CODE_ATTEMPTS wrong entries spend it."""
    with transaction.atomic():
        pending = PhoneCode.objects.select_for_update().filter(phone_index=index, used_at__isnull=True).first()
        if pending is None or pending.expires_at <= timezone.now() or pending.attempts >= limits.CODE_ATTEMPTS:
            raise ServiceError(E.CODE_EXPIRED, "code")
        right = hmac.compare_digest(pending.code_hash, _code_hash(index, (code or "").strip()))
        if right:
            pending.used_at = timezone.now()
        else:
            pending.attempts += 1
        pending.save(update_fields=["used_at", "attempts"])
    if not right:
        raise ServiceError(E.CODE_INVALID if pending.attempts < limits.CODE_ATTEMPTS else E.CODE_EXPIRED, "code")


def sign_in(*, phone: str, code: str, display_name: str = "", ip: str | None = None):
    """(user, created): the donor of ``phone`` once the code is right, registered now if new (the display name is
    then required). Called outside a transaction: a wrong code's attempt must stay counted."""
    phone = _phone(phone)
    index = blind_index(phone)
    display_name = (display_name or "").strip()
    donor = Donor.objects.select_related("user").filter(phone_index=index).first()
    if donor is None:
        if not display_name:
            raise ServiceError(E.DISPLAY_NAME_REQUIRED, "display_name")
        check_lengths([(display_name, "display_name", NAME_MAX)])
    _check_code(index, code)
    if donor is not None:
        if not donor.user.is_active:
            raise ServiceError(CommonErrorCode.PERMISSION_DENIED, "phone")
        return donor.user, False
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(f"donor-{secrets.token_hex(6)}", first_name=display_name)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            enrol(user, phone, ip)
    except IntegrityError:  # the same phone registered by a parallel request: that one is the donor
        return Donor.objects.select_related("user").get(phone_index=index).user, False
    return user, True


def enrol(user, phone: str, ip: str | None = None) -> Donor:
    """Makes ``user`` the donor of ``phone`` (a new sign-in's account; the demo loader's donor), audited."""
    phone = _phone(phone)
    donor = Donor.objects.create(user=user, phone=phone, phone_index=blind_index(phone))
    audit.record(Actor.for_user(user, ip), "donor.register", user, None, {"name": user.first_name})
    return donor


def donor_of(actor: Actor) -> Donor:
    donor = Donor.objects.select_for_update().filter(user=actor.user).first() if actor.user is not None else None
    if donor is None:
        raise ServiceError(E.NOT_A_DONOR, None)
    return donor


def _open_wishes(user) -> int:
    """Wishes a person's claims hold that are not delivered yet (the OPEN_WISHES limit)."""
    return (Claim.objects.filter(donor_user=user, donor_kind=DonorKind.PERSON, wish__state__in=[State.PUBLISHED, State.CLAIMED, State.PREPARED])
            .values("wish_id").distinct().count())


@transaction.atomic
def claim(actor: Actor, *, wish_ids: list, shares: list | None = None) -> list[Claim]:
    """A registered person claims from the public board: 1+1 (no share: all that remains), N+1 (a share of at
    least MIN_SHARE, or the rest), 1+N (at most WISHES_AT_ONCE wishes), holding at most OPEN_WISHES wishes until
    they are delivered. One donor's claims run one at a time (the donor's row is locked), so the limits hold
    under parallel requests; competing donors serialize on the wishes (wishes.services.claim_from)."""
    donor = donor_of(actor)
    if len(wish_ids) > limits.WISHES_AT_ONCE:
        raise ServiceError(E.TOO_MANY_AT_ONCE, "wish_ids", limit=limits.WISHES_AT_ONCE)
    held = _open_wishes(donor.user)
    new = [w for w in set(wish_ids) if not Claim.objects.filter(donor_user=donor.user, wish_id=w).exists()]
    if held + len(new) > limits.OPEN_WISHES:
        raise ServiceError(E.TOO_MANY_OPEN, "wish_ids", limit=limits.OPEN_WISHES)

    def check(wish, amount):
        share = None if amount is None else decimal_of(amount, CENTS)
        if share is not None and share < limits.MIN_SHARE and share != wish.remaining:
            raise ServiceError(E.SHARE_TOO_SMALL, "shares", minimum=limits.MIN_SHARE)

    person = {"donor_kind": DonorKind.PERSON, "donor_user": donor.user, "donor_label": actor.display_name}
    return wish_services.claim_from(actor, wish_services.public_board(been_on_it=True), wish_ids=wish_ids, shares=shares,
                                    donor=person, check=check)


def my_claims(actor: Actor, *, for_units: bool = False):
    return wish_services.claims_of(actor, for_units=for_units)


@transaction.atomic
def cancel_claim(actor: Actor, *, claim_id) -> Claim:
    """A person cancels their own claim, a unit's member or token one of the unit's (with ``wishes.claim_wish``
    where the wish is, as claiming for the unit needs), before the gift is prepared."""
    claim = Claim.objects.filter(wish_services.claimed_by(actor)).select_related("wish__organization").filter(pk=claim_id).first()
    if claim is None:
        raise not_found("id")
    if claim.donor_kind == DonorKind.UNIT:
        actor.require(wish_services.CLAIM, claim.wish.organization, "id")
    wish_services.cancel_claim(actor, claim)
    return claim


# Units (爱心单位) ---------------------------------------------------------------------------------------------

def board_bodies():
    """The bodies a unit may apply to (those whose board it will claim from): active, not units themselves."""
    return Organization.objects.active().exclude(system=System.UNIT)


@transaction.atomic
def apply_for_unit(actor: Actor, *, organization_id, name: str, kind: str, note: str = "") -> UnitApplication:
    """A registered donor applies, for their enterprise or unit, to claim from ``organization_id``'s board."""
    donor = donor_of(actor)
    organization = board_bodies().filter(pk=organization_id).first() if organization_id is not None else None
    if organization is None:
        raise not_found("organization_id")
    name = (name or "").strip()
    problems = []
    if not name:
        problems.append((CommonErrorCode.INVALID, "name", {"detail": "单位名称"}))
    if kind not in KINDS[System.UNIT]:
        problems.append((E.NOT_A_UNIT_KIND, "kind", {}))
    if problems:
        raise ServiceError.many(problems)
    check_lengths([(name, "name", 100), (note or "", "note", 200)])
    if UnitApplication.objects.filter(organization=organization, name=name, state=ApplicationState.PENDING).exists():
        raise ServiceError(E.APPLICATION_PENDING, "name")
    application = UnitApplication.objects.create(organization=organization, applicant=donor.user, name=name, kind=kind,
                                                 note=(note or "").strip())
    audit.record(actor, "unit_application.create", application, organization, {"name": name, "kind": kind})
    events.unit_application_made(application)
    return application


def visible_applications(actor: Actor, queryset=None):
    """Applications to the bodies where the actor manages members (who decides them)."""
    return actor.visible(UnitApplication.objects.all() if queryset is None else queryset, MANAGE_MEMBERS)


@transaction.atomic
def decide_unit_application(actor: Actor, *, application_id, approve: bool, reason: str = "") -> UnitApplication:
    """Approved, the unit is created below the organization (at its level), holds the partner role there (its board,
    claiming) and the applicant becomes its member; refused, the applicant reads the reason."""
    application = actor.get_visible(UnitApplication.objects.select_for_update(of=("self",)).select_related(
        "organization", "applicant"), MANAGE_MEMBERS, application_id)
    organization = application.organization
    actor.require(MANAGE_MEMBERS, organization)
    if application.state != ApplicationState.PENDING:
        raise ServiceError(E.APPLICATION_DECIDED, "id")
    check_lengths([(reason or "", "reason", 200)])
    if approve:
        unit = org_services.create_organization(actor, parent_id=organization.pk, name=application.name, system=System.UNIT,
                                                kind=application.kind, level=organization.level)
        access_services.grant_role(actor, organization_id=organization.pk, role=Role.PARTNER, unit_id=unit.pk)
        access_services.add_unit_member(actor, unit_id=unit.pk, username=application.applicant.username)
        application.unit = unit
    application.state = ApplicationState.APPROVED if approve else ApplicationState.REJECTED
    application.reason, application.decided_by, application.decided_at = (reason or "").strip(), actor.display_name, timezone.now()
    application.save()
    audit.record(actor, "unit_application." + ("approve" if approve else "reject"), application, organization,
                 {"name": application.name, "reason": application.reason})
    events.unit_application_decided(application, approve)
    return application


def applications_of(actor: Actor):
    """A donor's own applications (to follow them)."""
    return UnitApplication.objects.filter(applicant=actor.user) if actor.user is not None else UnitApplication.objects.none()
