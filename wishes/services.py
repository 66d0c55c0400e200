"""The micro-wish life cycle. Every transition is a service with its permission, its rules and an audit entry."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from children import privacy
from children.models import Child
from children.services import require_consent
from core import photos
from core.errors import TEXT_MAX, TITLE_MAX, CommonErrorCode, ServiceError, check_lengths, limited
from core.numbers import CENTS, decimal_of
from notifications import events
from orgs.models import Organization
from permissions import audit
from permissions.actor import Actor
from permissions.models import UnitGroup
from programs import campaigns
from wishes import machine
from wishes.errors import WishErrorCode as E
from wishes.models import Category, Claim, Dispatch, DispatchState, DonorKind, State, Wish, WishPhoto

VIEW = "wishes.view_wish"
BOARD = "wishes.view_published_wish"
CHANGE, CLAIM, DISPATCH = machine.CHANGE, machine.CLAIM, machine.DISPATCH
MAX_CLAIMS_AT_ONCE = 100
MAX_DELIVERY_PHOTOS = 9
PHOTOS = "wish-photos"


def photos_visible(scope, wish: Wish) -> bool:
    """Delivery photos show the child: the personal-data permission over the child (children/privacy.py); a
    household's wish, to whoever sees the wish."""
    return privacy.photos_visible(scope, wish.child) if wish.child_id else scope.allows_row(VIEW, wish)


def _handler(wish: Wish) -> Organization:
    return wish.handling_organization or wish.organization


def _for(actor: Actor, action: str, wish_id) -> Wish:
    """The wish, locked, if the actor sees it, its state allows ``action`` and the action's permission reaches
    its place (wishes/machine.py), with nothing blocking it."""
    wish = actor.get_visible(Wish.objects.select_for_update(of=("self",)).select_related(
        "organization__parent", "handling_organization__parent"), VIEW, wish_id)
    where = machine.place(action, wish)
    if where is None:
        raise machine.blocked(action, wish)
    actor.require(machine.TRANSITIONS[action].permission, where)
    machine.target(action, wish.state)
    problem = machine.blocked(action, wish)
    if problem is not None:
        raise problem
    return wish


@transaction.atomic
def collect_wish(actor: Actor, *, organization_id, title: str, category: str, estimated_value, child_id=None,
                 household: str = "", text: str = "", quantity: int = 1, claim_deadline=None, campaign_id=None) -> Wish:
    organization = actor.organization(organization_id, CHANGE)
    problems = []
    if not (title or "").strip():
        problems.append((E.TITLE_REQUIRED, "title", {}))
    limited(title, "title", TITLE_MAX, problems)
    limited(text, "text", TEXT_MAX, problems)
    limited(household, "household", TITLE_MAX, problems)
    if (child_id is None) == (not (household or "").strip()):
        problems.append((E.CHILD_OR_HOUSEHOLD, "child_id", {}))
    value = decimal_of(estimated_value, CENTS)
    if value is None or value <= 0:
        problems.append((E.INVALID_VALUE, "estimated_value", {}))
    if problems:
        raise ServiceError.many(problems)
    child = actor.get_visible(Child.objects.all(), "children.view_child", child_id, "child_id") if child_id else None
    campaign = campaigns.attachable(actor, campaign_id, organization)
    wish = Wish.objects.create(
        organization=organization, child=child, household=(household or "").strip(), title=title.strip(),
        text=(text or "").strip(), category=Category(category), estimated_value=value, quantity=max(1, quantity),
        claim_deadline=claim_deadline, campaign=campaign,
    )
    audit.record(actor, "wish.collect", wish, organization, {"title": wish.title, "value": str(value)})
    events.wish_reached(wish)
    return wish


# A wish's estimated value may change until the gift is prepared; never below what donors have claimed.
VALUE_EDITABLE = frozenset({State.COLLECTED, State.RETURNED, State.REVIEWED, State.PUBLISHED, State.ESCALATED})


@transaction.atomic
def update_value(actor: Actor, *, wish_id, estimated_value) -> Wish:
    """Staff correct the estimated value (元) of a wish they handle: before any donor has covered it in full, and never
    below the amount already claimed (down to it, the wish is claimed in full)."""
    wish = actor.get_visible(Wish.objects.select_for_update(of=("self",)).select_related("organization", "handling_organization"),
                             VIEW, wish_id)
    actor.require(CHANGE, _handler(wish))
    value = decimal_of(estimated_value, CENTS)
    if value is None or value <= 0:
        raise ServiceError(E.INVALID_VALUE, "estimated_value")
    if wish.state not in VALUE_EDITABLE:
        raise ServiceError(E.ILLEGAL_TRANSITION, "state", state=State(wish.state).label, action=machine.A.revalue)
    if value < wish.covered_amount:
        raise ServiceError(E.VALUE_BELOW_CLAIMED, "estimated_value", claimed=wish.covered_amount)
    before, wish.estimated_value = wish.estimated_value, value
    if wish.covered_amount == value:  # the claims made already cover it in full: the claim step of the machine
        wish.state, wish.claimed_at = machine.target("claim", wish.state), timezone.now()
    wish.save(update_fields=["estimated_value", "state", "claimed_at", "updated_at"])
    audit.record(actor, "wish.revalue", wish, _handler(wish), {"value": [str(before), str(value)]})
    return wish


@transaction.atomic
def transition(actor: Actor, *, wish_id, action: str, reason: str = "", note: str = "") -> Wish:
    """Any step of wishes/machine.py that changes the wish's state, as the table says: its permission at its place,
    a required reason, a note, a time stamp; taken over by the superior, the wish is handled there from now on."""
    step = machine.TRANSITIONS[action]
    wish = _for(actor, action, wish_id)
    reason = (reason or "").strip()
    if step.reason:
        if not reason:
            raise ServiceError(E.REASON_REQUIRED, "reason")
        check_lengths([(reason, "reason", 200)])
        setattr(wish, step.reason, reason)
    if step.note:
        setattr(wish, step.note, (note or "").strip())
    if step.stamp:
        setattr(wish, step.stamp, timezone.now())
    if step.at == machine.SUPERIOR:
        wish.handling_organization = machine.place(action, wish)
    before, wish.state = wish.state, step.target
    wish.save()
    audit.record(actor, f"wish.{action}", wish, _handler(wish), {"from": before, "to": step.target, "reason": reason})
    events.wish_reached(wish)
    return wish


@transaction.atomic
def record_delivery(actor: Actor, *, wish_id, note: str = "", uploads=()) -> Wish:
    """发放: the wish is delivered, with photos of the scene (the child's photo consent is needed for them)."""
    wish = transition(actor, wish_id=wish_id, action="deliver", note=note)
    if uploads and wish.child_id:
        require_consent(wish.child, "photos")
    photos.store_many(PHOTOS, uploads, lambda name, content_type: WishPhoto(
        wish=wish, file_name=name, content_type=content_type, uploaded_by=actor.label), MAX_DELIVERY_PHOTOS)
    return wish


def _donor(actor: Actor, unit_id=None) -> dict:
    """Who claims: a partner token's unit, a unit the signed-in user acts for, or the person."""
    if actor.token is not None:
        unit = actor.token.organization
        return {"donor_kind": DonorKind.UNIT, "donor_unit": unit, "donor_label": unit.name}
    if unit_id is not None:
        link = UnitGroup.objects.select_related("organization").filter(organization_id=unit_id, group__user=actor.user).first()
        if link is None:
            raise ServiceError(E.NOT_A_UNIT_MEMBER, "unit_id")
        return {"donor_kind": DonorKind.UNIT, "donor_unit": link.organization, "donor_label": link.organization.name}
    return {"donor_kind": DonorKind.PERSON, "donor_user": actor.user, "donor_label": actor.display_name}


def _claim_one(actor: Actor, wish: Wish, amount, donor: dict, via_dispatch: bool = False) -> Claim:
    if wish.state not in machine.TRANSITIONS["claim"].sources:
        raise ServiceError(E.ALREADY_CLAIMED if wish.state in {State.CLAIMED, State.PREPARED, State.DELIVERED, State.FULFILLED}
                           else E.NOT_CLAIMABLE, "wish_ids")
    wanted = wish.remaining if amount is None else decimal_of(amount, CENTS)
    if wanted is None or wanted <= 0:
        raise ServiceError(E.INVALID_AMOUNT, "shares")
    if wanted > wish.remaining:
        raise ServiceError(E.OVER_COVER, "shares", remaining=wish.remaining)
    claim = Claim.objects.create(wish=wish, amount=wanted, via_dispatch=via_dispatch, **donor)
    wish.covered_amount += wanted
    if wish.covered_amount == wish.estimated_value:  # fully covered: the claim step of the machine
        wish.state, wish.claimed_at = machine.target("claim", wish.state), timezone.now()
    wish.save(update_fields=["covered_amount", "state", "claimed_at", "updated_at"])
    audit.record(actor, "wish.claim", wish, _handler(wish), {"donor": donor["donor_label"], "amount": str(wanted)})
    events.wish_reached(wish)
    return claim


def public_board(*, been_on_it: bool = False):
    """The public board (公示): published wishes of active organizations. Anyone reads them (the child masked:
    graphql_api/donors); a registered donor claims from them (donors.services). ``been_on_it``: every wish that has
    been published there, so that a claim that comes too late is told the wish is taken (ALREADY_CLAIMED), not
    that it does not exist."""
    active = Wish.objects.filter(organization__archived_at__isnull=True)
    return active.filter(published_at__isnull=False) if been_on_it else active.filter(state=State.PUBLISHED)


def claim_from(actor: Actor, board, *, wish_ids: list, shares: list | None, donor: dict, check=None) -> list[Claim]:
    """1+1, N+1 and 1+N: each wish of ``board`` gets its share (None: all that remains). All or nothing.
    ``check(wish, amount)`` may refuse a claim (a permission, a donor's limits) before it is made.

    The wishes are locked in primary-key order (no deadlock between two 1+N donors), so concurrent claims
    serialize on the rows: exactly one donor wins a 1+1 wish, and N+1 never covers more than the value.
    """
    if not wish_ids or len(wish_ids) > MAX_CLAIMS_AT_ONCE:
        raise ServiceError(E.TOO_MANY, "wish_ids", limit=MAX_CLAIMS_AT_ONCE)
    shares = list(shares) if shares else [None] * len(wish_ids)
    if len(shares) != len(wish_ids) or len(set(wish_ids)) != len(wish_ids):
        raise ServiceError(CommonErrorCode.INVALID, "shares", detail="shares/wishIds")
    wanted = dict(zip(wish_ids, shares))
    locked = {w.pk: w for w in Wish.objects.select_for_update(of=("self",)).select_related("organization", "handling_organization")
              .filter(pk__in=board.filter(pk__in=wanted).values("pk")).order_by("pk")}
    claims = []
    for wish_id in wish_ids:
        wish = locked.get(wish_id)
        if wish is None:
            raise ServiceError(CommonErrorCode.NOT_FOUND, "wish_ids")
        if check is not None:
            check(wish, wanted[wish_id])
        claims.append(_claim_one(actor, wish, wanted[wish_id], donor))
    return claims


@transaction.atomic
def claim_wishes(actor: Actor, *, wish_ids: list, shares: list | None = None, unit_id=None) -> list[Claim]:
    """Claims by those the board's permission reaches (staff, partner units' members and tokens), where
    ``wishes.claim_wish`` reaches the collecting body."""
    def check(wish, amount):
        if wish.published_at is None and not actor.can(VIEW, wish.organization):
            # a donor who sees only the board cannot tell a wish never published from one that does not exist
            raise ServiceError(CommonErrorCode.NOT_FOUND, "wish_ids")
        actor.require(machine.TRANSITIONS["claim"].permission, machine.place("claim", wish), "wish_ids")

    return claim_from(actor, actor.visible(Wish.objects.all(), BOARD), wish_ids=wish_ids, shares=shares,
                      donor=_donor(actor, unit_id), check=check)


@transaction.atomic
def cancel_claim(actor: Actor, claim: Claim) -> Wish:
    """The claimant takes a claim back before the gift is prepared (the caller found the claim among the actor's
    own): the wish is uncovered by that much and, if it was fully covered, back on the board."""
    wish = Wish.objects.select_for_update(of=("self",)).select_related("organization", "handling_organization").get(pk=claim.wish_id)
    if wish.state not in machine.CLAIM_CANCELLABLE:
        raise ServiceError(E.NOT_CANCELLABLE, "id", state=State(wish.state).label)
    wish.covered_amount -= claim.amount
    if wish.state == State.CLAIMED:
        wish.state, wish.claimed_at = State.PUBLISHED, None
    wish.save(update_fields=["covered_amount", "state", "claimed_at", "updated_at"])
    if claim.via_dispatch:  # the unit no longer holds what it accepted: its dispatch is not 已接单 any more
        Dispatch.objects.filter(wish=wish, unit_id=claim.donor_unit_id, state=DispatchState.ACCEPTED) \
            .update(state=DispatchState.WITHDRAWN)
    audit.record(actor, "wish.claim_cancel", wish, _handler(wish), {"donor": claim.donor_label, "amount": str(claim.amount)})
    claim.delete()
    return wish


def claims_of(actor: Actor, *, for_units: bool):
    """The actor's own claims as a person, or (``for_units``) the claims of the units the actor acts for."""
    return Claim.objects.filter(_claimed_by(actor, for_units))


def claimed_by(actor: Actor) -> Q:
    """The actor's claims, as a person and for the units they act for: each part reads its own index (a
    BitmapOr), the units being literal ids."""
    return _claimed_by(actor, for_units=False) | _claimed_by(actor, for_units=True)


def _claimed_by(actor: Actor, for_units: bool) -> Q:
    if for_units:
        return Q(donor_unit_id__in=acting_units(actor))
    return Q(donor_user=actor.user, donor_kind=DonorKind.PERSON) if actor.user else Q(pk__in=[])


def photos_shown_to_claimant(actor: Actor, wish: Wish) -> bool:
    """A donor (a person, or a unit's member or token) who claimed the wish sees its delivery photos only where the
    child's guardian consented to photos and still does; a household's wish shows no child."""
    claimed = Claim.objects.filter(claimed_by(actor), wish_id=wish.pk).exists()
    return claimed and photos_consented(wish)


def photos_consented(wish: Wish) -> bool:
    """Whether the guardian's current consent covers photos (reads ``child.consents.all()``: prefetch it for lists)."""
    return wish.child_id is None or consents_cover_photos((c.photos, c.withdrawn_at) for c in wish.child.consents.all())


def consents_cover_photos(consents) -> bool:
    """Whether a child's consents, as (photos, withdrawn_at) pairs, include one for photos not withdrawn."""
    return any(photos and withdrawn_at is None for photos, withdrawn_at in consents)


@transaction.atomic
def dispatch_wish(actor: Actor, *, wish_id, unit_id, deadline) -> Dispatch:
    """组织派单: assign a published wish to a unit, which must answer by ``deadline``."""
    wish = _for(actor, "dispatch", wish_id)
    if deadline <= timezone.now():
        raise ServiceError(E.DEADLINE_IN_PAST, "deadline")
    unit = actor.organization(unit_id, field="unit_id")
    dispatch = Dispatch.objects.create(wish=wish, unit=unit, deadline=deadline, dispatched_by=actor.display_name)
    audit.record(actor, "wish.dispatch", wish, _handler(wish), {"unit": unit.name, "deadline": deadline.isoformat()})
    events.dispatch_created(dispatch)
    return dispatch


def acting_units(actor: Actor) -> list[int]:
    """The units the actor acts for (a token's unit, a person's unit groups as the scope holds them): literal ids,
    so that a unit's claims and dispatches are read by their (unit, ...) indexes."""
    if actor.token is not None:
        return [actor.token.organization_id]
    if actor.user is None:
        return []
    return sorted(actor.scope.units)


def visible_dispatches(actor: Actor, queryset=None):
    """Dispatches addressed to the units the actor acts for: what a unit answers (respond_to_dispatch)."""
    return (Dispatch.objects.all() if queryset is None else queryset).filter(unit_id__in=acting_units(actor))


@transaction.atomic
def respond_to_dispatch(actor: Actor, *, dispatch_id, accept: bool) -> Dispatch:
    """The unit accepts (it claims what remains of the wish) or declines (the wish stays on the board)."""
    dispatch = visible_dispatches(actor, Dispatch.objects.select_for_update().select_related("unit", "wish")) \
        .filter(pk=dispatch_id).first()
    if dispatch is None:
        raise ServiceError(CommonErrorCode.NOT_FOUND, "id")
    actor.require(CLAIM, dispatch.wish.organization, "id")  # answering for the unit is claiming (or not) for it
    if dispatch.state != DispatchState.PENDING:
        raise ServiceError(E.DISPATCH_NOT_PENDING, "id")
    now = timezone.now()
    if dispatch.deadline <= now:  # marked EXPIRED by expire_dispatches; the answer comes too late either way
        raise ServiceError(E.DISPATCH_EXPIRED, "id")
    if accept:
        wish = Wish.objects.select_for_update(of=("self",)).select_related("organization", "handling_organization").get(pk=dispatch.wish_id)
        unit = dispatch.unit
        _claim_one(actor, wish, None, {"donor_kind": DonorKind.UNIT, "donor_unit": unit, "donor_label": unit.name}, via_dispatch=True)
    dispatch.state = DispatchState.ACCEPTED if accept else DispatchState.DECLINED
    dispatch.responded_by, dispatch.responded_at = actor.display_name, now
    dispatch.save(update_fields=["state", "responded_by", "responded_at"])
    audit.record(actor, "wish.dispatch_" + ("accept" if accept else "decline"), dispatch.wish, dispatch.unit, {"unit": dispatch.unit.name})
    return dispatch


def expire_dispatches(now=None) -> int:
    """Periodic: pending dispatches past their deadline expire; the wish stays published for others."""
    return Dispatch.objects.filter(state=DispatchState.PENDING, deadline__lte=now or timezone.now()).update(state=DispatchState.EXPIRED)


def escalate_overdue(actor: Actor, today=None) -> int:
    """Periodic: published wishes nobody claimed by their claim deadline go up to the superior body."""
    today = today or timezone.localdate()
    overdue = Wish.objects.filter(state=State.PUBLISHED, covered_amount=0, claim_deadline__lt=today)
    count = 0
    for pk in overdue.values_list("pk", flat=True):
        try:
            transition(actor, wish_id=pk, action="escalate")
            count += 1
        except ServiceError:
            continue  # a top-level body has no superior: it stays on its board
    return count
