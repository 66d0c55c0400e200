"""The children's registry: every rule about a child's record lives here."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from children import idcard
from children.errors import ChildErrorCode as E
from children.models import (
    Category, Child, ChildPhoto, Consent, FollowUp, FollowUpKind, GrowthEntry, Guardian, GuardianArrangement, Need, Sex, Status, Transfer,
    TransferState,
)
from core.crypto import blind_index
from core import bulk, photos
from core.errors import NAME_MAX, TEXT_MAX, TITLE_MAX, CommonErrorCode, ServiceError, Texts, limited
from notifications import events
from orgs.models import Level, Organization
from orgs.paths import ancestor_paths
from permissions import audit
from permissions import services as access
from permissions.actor import Actor

VIEW = "children.view_child"
CHANGE = "children.change_child"
TRANSFER = "children.transfer_child"
SHARE = "permissions.manage_membership"  # sharing a file is granting access, like a role
PHOTOS = "child-photos"
ID_PROBLEMS = {
    "LENGTH": E.INVALID_ID_LENGTH,
    "REGION": E.INVALID_ID_REGION,
    "BIRTH_DATE": E.INVALID_ID_BIRTH_DATE,
    "CHECK_DIGIT": E.INVALID_ID_CHECK_DIGIT,
}
AUDITED = ("name", "sex", "birth_date", "categories", "school", "grade", "home_division_code",
           "guardian_arrangement", "parents_work_place", "needs", "status")


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def index_of(id_number: str) -> str:
    return blind_index(idcard.normalize(id_number))


# ``Choices.values`` builds a new list on every access; validate runs once per row of a 10⁵-row roster.
_VALUES = {choices: frozenset(choices.values) for choices in (Category, Need, GuardianArrangement, Sex)}


def _choice_problems(values, choices, field) -> list:
    return [(E.INVALID_CHOICE, field, {"value": v}) for v in values if v not in _VALUES[choices]]


def validate(child: Child, today: date | None = None) -> None:
    """Every problem of the record at once; normalizes the ID number in place."""
    today = today or timezone.localdate()
    problems = []
    child.name = limited(child.name, "name", NAME_MAX, problems)
    if not child.name:
        problems.append((E.NAME_REQUIRED, "name", {}))
    for field in ("school", "grade", "parents_work_place"):
        setattr(child, field, limited(getattr(child, field), field, TITLE_MAX, problems))
    number = child.id_number = idcard.normalize(child.id_number)
    wrong = idcard.problem(number, today)
    if wrong:
        problems.append((ID_PROBLEMS[wrong], "id_number", {}))
    else:
        if child.birth_date and child.birth_date != idcard.birth_date(number):
            problems.append((E.ID_BIRTH_DATE_MISMATCH, "birth_date", {}))
        if child.sex and (child.sex == Sex.MALE) != idcard.is_male(number):
            problems.append((E.ID_SEX_MISMATCH, "sex", {}))
    problems += _choice_problems(child.categories, Category, "categories")
    problems += _choice_problems(child.needs, Need, "needs")
    problems += _choice_problems([child.guardian_arrangement], GuardianArrangement, "guardian_arrangement")
    problems += _choice_problems([child.sex], Sex, "sex")
    if problems:
        raise ServiceError.many(problems)
    child.birth_date = idcard.birth_date(number)


def _county_anchor(organization: Organization, ancestors: dict[str, Organization]) -> Organization:
    """The county-level body whose tree ``organization`` lies in (itself at county level or above)."""
    if organization.level <= Level.COUNTY:
        return organization
    return next((ancestors[p] for p in ancestor_paths(organization.path)[::-1]
                 if p in ancestors and ancestors[p].level == Level.COUNTY), organization)


def disclosed_keepers(keepers: dict, asking: Organization) -> dict:
    """{key: (named, name)}: what staff of ``asking`` may learn of where a child's record is kept.

    Inside the same county tree the keeping organization is named (they work together): (True, its name).
    Elsewhere only that it is registered elsewhere and the keeper's county-level body to ask: (False, that
    body's name), so that an ID number does not reveal the village where a child lives in another city or
    system. Nothing of the record itself is ever told."""
    wanted = {p for o in (*keepers.values(), asking) for p in ancestor_paths(o.path)}
    ancestors = {o.path: o for o in Organization.objects.filter(path__in=wanted)}
    home = _county_anchor(asking, ancestors)
    return {key: (True, keeper.name) if keeper.path.startswith(home.path) else (False, _county_anchor(keeper, ancestors).name)
            for key, keeper in keepers.items()}


def duplicate_errors(keepers: dict, registering: Organization) -> dict[str, ServiceError]:
    """{id_index: ALREADY_REGISTERED or REGISTERED_ELSEWHERE} for ID numbers kept by ``keepers``."""
    return {index: ServiceError(E.ALREADY_REGISTERED, "id_number", organization=name) if named
            else ServiceError(E.REGISTERED_ELSEWHERE, "id_number", contact=name)
            for index, (named, name) in disclosed_keepers(keepers, registering).items()}


def _refuse_duplicate(child: Child) -> None:
    """Registered already: say where as far as the registering staff may know (duplicate_errors)."""
    other = Child.objects.filter(id_index=child.id_index).exclude(pk=child.pk).select_related("organization").first()
    if other is not None:
        raise duplicate_errors({child.id_index: other.organization}, child.organization)[child.id_index]


def _snapshot(child: Child) -> dict:
    return {f: getattr(child, f) if not isinstance(getattr(child, f), date) else getattr(child, f).isoformat() for f in AUDITED}


@transaction.atomic
def create_child(actor: Actor, *, organization_id, guardians: list[dict] = (), **fields) -> Child:
    organization = actor.organization(organization_id, CHANGE)
    child = Child(organization=organization, **fields)
    validate(child)
    child.id_index = index_of(child.id_number)
    _refuse_duplicate(child)
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError:  # registered concurrently
        _refuse_duplicate(child)
        raise
    Guardian.objects.bulk_create([Guardian(child=child, **g) for g in guardians])
    audit.record(actor, "child.create", child, organization, _snapshot(child))
    return child


def _registered(indexes: list[str]) -> dict[str, Organization]:
    """{id_index: keeping organization} of the children already registered anywhere."""
    rows = Child.objects.filter(id_index__in=indexes).select_related("organization").only("id_index", "organization")
    return {child.id_index: child.organization for child in rows}


def register_many(actor: Actor, organization: Organization, rows: list[tuple]) -> dict:
    """Bulk registration for roster imports: ``rows`` are (key, validated unsaved Child, guardians).

    The same rules as ``create_child`` — permission, de-duplication across every tenant — checked for the
    whole batch in a few queries; rows that fail are returned as {key: ServiceError} and the rest are
    inserted with their guardians and audit entries in one transaction. A concurrent registration of the
    same ID number falls back to ``create_child`` row by row so that each row still gets its own answer.
    """
    actor.require(CHANGE, organization, "organization_id")
    for _key, child, _guardians in rows:
        child.id_index = index_of(child.id_number)
        child.organization, child.org_path = organization, organization.path
    taken = duplicate_errors(_registered([c.id_index for _k, c, _g in rows]), organization)
    errors = {key: taken[child.id_index] for key, child, _g in rows if child.id_index in taken}
    fresh = [(key, child, guardians) for key, child, guardians in rows if key not in errors]
    try:
        with transaction.atomic():
            created = bulk.insert(Child, [child for _k, child, _g in fresh], with_pk=True)
            bulk.insert(Guardian, [Guardian(child=child, **g) for (_k, _c, guardians), child in zip(fresh, created)
                                   for g in guardians])
            audit.record_many(actor, "child.create", created, organization, _snapshot)
    except IntegrityError:
        for key, child, guardians in fresh:
            fields = {f: getattr(child, f) for f in (*AUDITED, "id_number", "address")}
            try:
                with transaction.atomic():
                    create_child(actor, organization_id=organization.pk, guardians=guardians, **fields)
            except ServiceError as error:
                errors[key] = error
    return errors


@transaction.atomic
def update_child(actor: Actor, *, child_id, guardians: list[dict] | None = None, **fields) -> Child:
    child = _changeable(actor, child_id)
    before = _snapshot(child)
    for name, value in fields.items():
        if value is not None:
            setattr(child, name, value)
    validate(child)
    child.id_index = index_of(child.id_number)
    _refuse_duplicate(child)
    child.save()
    if guardians is not None:
        child.guardians.all().delete()
        Guardian.objects.bulk_create([Guardian(child=child, **g) for g in guardians])
    after = _snapshot(child)
    audit.record(actor, "child.update", child, child.organization, {k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return child


@transaction.atomic
def close_child(actor: Actor, *, child_id, status: str, reason: str = "") -> Child:
    child = _changeable(actor, child_id)
    if status not in Status.values or status == Status.ACTIVE:
        raise ServiceError(E.INVALID_CHOICE, "status", value=status)
    child.status, child.closed_reason, child.status_changed_at = status, reason.strip(), timezone.now()
    child.save(update_fields=["status", "closed_reason", "status_changed_at", "updated_at"])
    audit.record(actor, "child.close", child, child.organization, {"status": status, "reason": child.closed_reason})
    return child


def _changeable(actor: Actor, child_id, permission: str = CHANGE) -> Child:
    child = actor.get_visible(Child.objects.select_for_update().select_related("organization"), VIEW, child_id)
    actor.require(permission, child.organization)
    if child.anonymized_at is not None:
        raise ServiceError(E.ANONYMIZED, "id")
    return child


def _dated_text(text: str, day: date, date_field: str, title: str = "") -> None:
    problems = []
    if not (text or "").strip():
        problems.append((E.TEXT_REQUIRED, "text", {}))
    limited(text, "text", TEXT_MAX, problems)
    limited(title, "title", TITLE_MAX, problems)
    if day > timezone.localdate():
        problems.append((E.DATE_IN_FUTURE, date_field, {}))
    if problems:
        raise ServiceError.many(problems)


@transaction.atomic
def record_follow_up(actor: Actor, *, child_id, visited_on: date, note: str, kind: str = FollowUpKind.HOME_VISIT) -> FollowUp:
    child = _changeable(actor, child_id)
    _dated_text(note, visited_on, "visited_on")
    entry = FollowUp.objects.create(child=child, visited_on=visited_on, kind=kind, note=note.strip(), author_label=actor.display_name)
    audit.record(actor, "child.follow_up", child, child.organization, {"visitedOn": visited_on.isoformat(), "kind": kind})
    return entry


@transaction.atomic
def add_growth_entry(actor: Actor, *, child_id, recorded_on: date, title: str, text: str) -> GrowthEntry:
    child = _changeable(actor, child_id)
    _dated_text(text, recorded_on, "recorded_on", title)
    entry = GrowthEntry.objects.create(child=child, recorded_on=recorded_on, title=(title or "").strip(),
                                       text=text.strip(), author_label=actor.display_name)
    audit.record(actor, "child.growth_entry", child, child.organization, {"recordedOn": recorded_on.isoformat()})
    return entry


@transaction.atomic
def record_consent(actor: Actor, *, child_id, given_by: str, relation: str, given_on: date,
                   registry: bool = True, photos: bool = False, partner_sharing: bool = False) -> Consent:
    """A new consent replaces the previous one (which is kept, marked withdrawn, for the history)."""
    child = _changeable(actor, child_id)
    _dated_text(given_by, given_on, "given_on")
    child.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
    consent = Consent.objects.create(child=child, given_by=given_by.strip(), relation=relation.strip(), given_on=given_on,
                                     registry=registry, photos=photos, partner_sharing=partner_sharing, recorded_by=actor.display_name)
    audit.record(actor, "child.consent", child, child.organization,
                 {"registry": registry, "photos": photos, "partnerSharing": partner_sharing})
    return consent


class ConsentScope(Texts):
    """What a consent covers, as the CONSENT_REQUIRED message names it."""

    photos = ("照片", "photos")
    partner_sharing = ("与合作单位共享", "sharing with partner units")


class ChildText(Texts):
    RETENTION_OVER = ("保存期满", "retention period over")  # the reason written when a record is anonymized by age
    HIDDEN = ("（需个人信息权限）", "(needs the personal-data permission)")  # in place of a withheld text


def require_consent(child: Child, scope: str) -> None:
    """CONSENT_REQUIRED unless the child's current consent covers ``scope`` (photos, partner_sharing)."""
    if not child.consents.filter(withdrawn_at__isnull=True, **{scope: True}).exists():
        raise ServiceError(E.CONSENT_REQUIRED, None, scope=ConsentScope[scope])


@transaction.atomic
def share_child(actor: Actor, *, child_id, username: str | None = None, unit_id=None, expires_at=None):
    """Share one child's file (masked view) with a user or a partner unit until ``expires_at``: by those who
    manage members where the child is kept, and with a unit only with the guardian's sharing consent."""
    child = actor.get_visible(Child.objects.select_related("organization"), VIEW, child_id, "child_id")
    actor.require(SHARE, child.organization, "child_id")
    unit = None
    if unit_id is not None and username is None:
        require_consent(child, "partner_sharing")
        unit = actor.organization(unit_id, field="unit_id")
    grant = access.share_record(actor, child, username=username, unit=unit, expires_at=expires_at)
    audit.record(actor, "child.share", child, child.organization,
                 {"with": username or f"unit:{unit_id}", "expiresAt": expires_at.isoformat() if expires_at else None})
    return grant


def _pending(child: Child) -> None:
    if child.transfers.filter(state=TransferState.REQUESTED).exists():
        raise ServiceError(E.TRANSFER_PENDING, "id")


def _receiver(to_organization_id) -> Organization:
    """Any active organization may receive a record: a child moves wherever the family goes.

    unscoped(): the receiver need not be in the sender's scope; only its name is ever shown.
    """
    receiver = Organization.objects.active().filter(pk=to_organization_id).first()
    if receiver is None:
        raise ServiceError(CommonErrorCode.NOT_FOUND, "to_organization_id")
    return receiver


@transaction.atomic
def request_transfer(actor: Actor, *, child_id, to_organization_id, reason: str) -> Transfer:
    """The keeping organization offers the record to another one, whose staff accept or decline it."""
    child = _changeable(actor, child_id, TRANSFER)
    receiver = _receiver(to_organization_id)
    if receiver.pk == child.organization_id:
        raise ServiceError(E.TRANSFER_SAME_ORGANIZATION, "to_organization_id")
    _pending(child)
    transfer = Transfer.objects.create(child=child, from_organization=child.organization, to_organization=receiver,
                                       reason=reason.strip(), requested_by=actor.display_name)
    audit.record(actor, "child.transfer_request", child, child.organization, {"to": receiver.name, "reason": transfer.reason})
    events.transfer_requested(transfer)
    return transfer


@transaction.atomic
def request_transfer_in(actor: Actor, *, to_organization_id, id_number: str, reason: str) -> Transfer:
    """After ALREADY_REGISTERED: the new organization asks the keeping one for the record, by ID number.

    Nothing of the record is revealed to the requester; the keeping organization decides.
    """
    receiver = actor.organization(to_organization_id, TRANSFER, "to_organization_id")
    child = Child.objects.select_for_update().select_related("organization").filter(id_index=index_of(id_number)).first()
    if child is None or child.anonymized_at is not None:
        raise ServiceError(CommonErrorCode.NOT_FOUND, "id_number")
    if receiver.pk == child.organization_id:
        raise ServiceError(E.TRANSFER_SAME_ORGANIZATION, "to_organization_id")
    _pending(child)
    transfer = Transfer.objects.create(child=child, from_organization=child.organization, to_organization=receiver,
                                       requested_by_receiver=True, reason=reason.strip(), requested_by=actor.display_name)
    audit.record(actor, "child.transfer_request_in", child, receiver, {"from": child.organization.name, "reason": transfer.reason})
    events.transfer_requested(transfer)
    return transfer


def hidden_from_requester(actor: Actor, transfer: Transfer) -> bool:
    """A request-in shows the requesting side nothing of the child, nor where it is kept beyond what
    disclosed_keepers allows, until the keeper accepts it."""
    return (transfer.requested_by_receiver and transfer.state != TransferState.ACCEPTED
            and not actor.can(TRANSFER, transfer.from_organization))


def transfers_q(actor: Actor) -> Q:
    """Transfers seen from either side by holders of children.transfer_child."""
    sending, receiving = (actor.scope.q(Transfer, TRANSFER, fields) for fields in Transfer.SIDES)
    return sending | receiving


def visible_transfers(actor: Actor):
    return Transfer.objects.filter(transfers_q(actor))


@transaction.atomic
def decide_transfer(actor: Actor, *, transfer_id, accept: bool) -> Transfer:
    """The deciding side (receiver of an offer, keeper of a request) accepts or declines; the other may cancel."""
    transfer = visible_transfers(actor).select_for_update().select_related(
        "child", "from_organization", "to_organization").filter(pk=transfer_id).first()
    if transfer is None:
        raise ServiceError(CommonErrorCode.NOT_FOUND, "id")
    if transfer.state != TransferState.REQUESTED:
        raise ServiceError(E.TRANSFER_NOT_PENDING, "id")
    decider = transfer.from_organization if transfer.requested_by_receiver else transfer.to_organization
    actor.require(TRANSFER, decider, "id")
    transfer.state = TransferState.ACCEPTED if accept else TransferState.DECLINED
    transfer.decided_by, transfer.decided_at = actor.display_name, timezone.now()
    transfer.save(update_fields=["state", "decided_by", "decided_at"])
    child = transfer.child
    if accept:
        child.organization = transfer.to_organization
        child.save(update_fields=["organization", "org_path", "updated_at"])
    action = "child.transfer_accept" if accept else "child.transfer_decline"
    for side in (transfer.from_organization, transfer.to_organization):
        audit.record(actor, action, child, side, {"from": transfer.from_organization.name, "to": transfer.to_organization.name})
    return transfer


ANONYMOUS_NAME = "（已匿名）"
_ANONYMIZERS: list = []


def register_anonymizer(erase) -> None:
    """A domain that keeps texts about a child outside the registry (cases) registers ``erase(child)`` in its
    AppConfig.ready: anonymizing the child runs it, in the same transaction."""
    _ANONYMIZERS.append(erase)


def anonymize(child: Child, actor: Actor, reason: str) -> Child:
    """Keep only what the rollups count (categories, organization, year of birth); erase the rest."""
    child.name, child.id_number, child.id_index, child.address = ANONYMOUS_NAME, "", None, ""
    child.birth_date = child.birth_date.replace(month=1, day=1)
    child.school = child.grade = child.home_division_code = child.parents_work_place = child.closed_reason = ""
    child.needs = []
    child.anonymized_at = timezone.now()
    child.save()
    for photo in child.photos.all():
        photos.discard(PHOTOS, photo.file_name)
    for related in (child.guardians, child.follow_ups, child.growth_entries, child.consents, child.photos):
        related.all().delete()
    for erase in _ANONYMIZERS:
        erase(child)
    audit.record(actor, "child.anonymize", child, child.organization, {"reason": reason})
    return child


@transaction.atomic
def anonymize_on_request(actor: Actor, *, child_id, reason: str) -> Child:
    """A guardian's request for deletion: anonymized at once."""
    return anonymize(_changeable(actor, child_id), actor, reason.strip() or "监护人申请删除")


def anonymize_expired(actor: Actor, *, now=None) -> int:
    """Retention: children moved out or aged out longer than CHILD_RETENTION_DAYS ago are anonymized.

    Run periodically (``manage.py anonymize_expired``; the job scheduler will call it). Also marks active
    children past CHILD_AGE_OUT_YEARS as aged out.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    limit = years_before(today, settings.CHILD_AGE_OUT_YEARS)
    Child.objects.filter(status=Status.ACTIVE, birth_date__lte=limit).update(
        status=Status.AGED_OUT, status_changed_at=now, updated_at=now)
    expired = Child.objects.filter(status__in=[Status.MOVED_OUT, Status.AGED_OUT], anonymized_at__isnull=True,
                                   status_changed_at__lte=now - timedelta(days=settings.CHILD_RETENTION_DAYS))
    count = 0
    for pk in expired.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            anonymize(Child.objects.select_for_update().select_related("organization").get(pk=pk), actor, ChildText.RETENTION_OVER.render())
        count += 1
    return count


@transaction.atomic
def add_photo(actor: Actor, *, child_id, upload, caption: str = "") -> ChildPhoto:
    """Needs the guardian's photo consent; the stored file has no EXIF/GPS; a failed write undoes the row."""
    child = _changeable(actor, child_id)
    require_consent(child, "photos")
    data, content_type, name = photos.clean(upload)
    photo = ChildPhoto.objects.create(child=child, file_name=name, content_type=content_type, caption=caption.strip()[:200],
                                      uploaded_by=actor.label)
    audit.record(actor, "child.photo", child, child.organization, {"photo": photo.pk})
    photos.write(PHOTOS, name, data)
    return photo
