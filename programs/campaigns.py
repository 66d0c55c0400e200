"""Campaigns (行动) and activities (活动).

A campaign covers organizations, each with its subtree (by default the announcing body's own subtree). It is
visible to those who may see programs at the announcing body, and to those working anywhere in what it
covers: a township must read the county's notice. Activities, holiday projects and wishes may be attached
to it only by a body it covers, and activities only within its period.

Joint campaigns (联合发起, e.g. 保康: 团县委 with 县妇联, 县关工委 and 县工商联). The rule:
- the announcer names co-announcers among the active bodies of OTHER systems in ITS division (the same division
  code: a county league names the county's women's federation, care committee, 工商联 …; ``partner_bodies``);
- each co-announcer's staff (``programs.change_program`` there) confirm or decline; the invitation is visible to
  them (and above) from the start;
- a body that confirmed covers its own subtree, or the parts of it that its staff name, and alone sets that
  coverage (``set_coverage``); the announcer sets the rest of its own subtree. Where a co-announcer sits inside
  the announcer's tree (a 工商联 under the county league) its subtree is its own to set;
- figures: a campaign's wishes and activities count in each announcing body's figures (the records in its
  subtree: a record under a co-announcer nested in the announcer counts in both bodies' figures), and once only
  per division (``figures_by_division`` counts rows, each at the one organization that owns it). They are read
  with the rollups' permission at, or above, one of the announcing bodies."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from children.services import require_consent
from core import photos
from core.errors import NOTICE_MAX, TITLE_MAX, CommonErrorCode, ServiceError
from notifications import events
from orgs.divisions import BOUNDARIES, VALID_LENGTHS, region_prefix
from orgs.models import Organization
from permissions import audit
from permissions.actor import Actor
from programs import common
from programs.errors import ProgramErrorCode as E
from programs.models import (Activity, ActivityKind, ActivityPhoto, Campaign, CampaignAttachment, CampaignCoAnnouncer,
                             CampaignCoverage, CoAnnouncerState, HappyHome, ServicePoint, Volunteer)
from wishes.models import Wish

ATTACHMENTS = "campaign-attachments"
PHOTOS = "activity-photos"
FIGURES = "rollups.view_rollup"  # the rollups' permission (rollups.services.VIEW): figures, never rows


def visible(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    """Campaigns announced in the actor's program scope or covering any part of it."""
    queryset = Campaign.objects.all() if queryset is None else queryset
    if actor.scope.everything:
        return queryset
    covering = CampaignCoverage.objects.filter(actor.scope.touching(common.VIEW, "org_path")).values("campaign_id")
    invited = CampaignCoAnnouncer.objects.filter(actor.scope.q(CampaignCoAnnouncer, common.VIEW)).values("campaign_id")
    return queryset.filter(actor.scope.q(Campaign, common.VIEW) | Q(pk__in=covering) | Q(pk__in=invited))


def covers(campaign: Campaign, organization: Organization) -> bool:
    return any(organization.path.startswith(path) for path in campaign.coverage.values_list("org_path", flat=True))


def attachable(actor: Actor, campaign_id, organization: Organization, field: str = "campaign_id") -> Campaign | None:
    """The campaign named, if the actor can see it and it covers ``organization`` (None for no campaign)."""
    if campaign_id is None:
        return None
    campaign = visible(actor).filter(pk=campaign_id).first()
    if campaign is None:
        raise ServiceError(CommonErrorCode.NOT_FOUND, field)
    if not covers(campaign, organization):
        raise ServiceError(E.NOT_COVERED, field, organization=organization.name, campaign=campaign.title)
    return campaign


def _division(organization: Organization) -> str:
    return region_prefix(organization.division_code) if organization.division_code else ""


def partner_bodies(organization: Organization) -> QuerySet:
    """The bodies that may announce jointly with ``organization``: active, of another system, with the same
    division (a code padded with zeros to any valid length names the same region)."""
    division = _division(organization)
    if not division:
        return Organization.objects.none()
    codes = [division.ljust(n, "0") for n in VALID_LENGTHS if n >= len(division)]
    return (Organization.objects.active().filter(division_code__in=codes).exclude(system=organization.system)
            .order_by("path"))


def partner_options(actor: Actor, organization_id) -> list[Organization]:
    """Whom the actor may invite to announce with ``organization_id`` (names only: they may lie outside its scope)."""
    return list(partner_bodies(actor.organization(organization_id, common.CHANGE)))


def _invite(actor: Actor, campaign: Campaign, organization: Organization, ids) -> list[Organization]:
    ids = sorted({int(pk) for pk in ids})
    bodies = list(partner_bodies(organization).filter(pk__in=ids))
    if len(bodies) != len(ids):
        raise ServiceError(E.NOT_A_PARTNER_SYSTEM, "co_announcer_ids", division=organization.division_code or "—")
    CampaignCoAnnouncer.objects.bulk_create([
        CampaignCoAnnouncer(campaign=campaign, organization=b, org_path=b.path, invited_by=actor.display_name)
        for b in bodies])
    events.campaign_invitations(campaign, bodies)
    return bodies


def announcers(campaign: Campaign) -> list[Organization]:
    """The announcing body, then the co-announcers that confirmed."""
    joined = [c.organization for c in campaign.co_announcers.all() if c.state == CoAnnouncerState.ACCEPTED]
    return [campaign.organization, *joined]


def _cover(actor: Actor, campaign: Campaign, body: Organization, ids, field: str) -> list[Organization]:
    """Sets ``body``'s part of the coverage: the organizations named (all under it; none: its whole subtree),
    replacing what it covered before. Subtrees of co-announcers nested inside ``body`` are theirs to set."""
    covered = common.visible_all(actor, Organization.objects.active(), "orgs.view_organization", ids, field) or [body]
    nested = [a for a in announcers(campaign) if a.pk != body.pk and a.path.startswith(body.path)
              and len(a.path) > len(body.path)]
    for node in covered:
        common.under(node, body, field)
        owner = next((a for a in nested if node.path.startswith(a.path)), None)
        if owner is not None:
            raise ServiceError(E.COVERED_BY_OTHER, field, organization=node.name, announcer=owner.name)
    mine = campaign.coverage.filter(org_path__startswith=body.path)
    for other in nested:
        mine = mine.exclude(org_path__startswith=other.path)
    keep = {n.pk for n in covered}
    mine.exclude(organization_id__in=keep).delete()
    held = set(campaign.coverage.filter(organization_id__in=keep).values_list("organization_id", flat=True))
    CampaignCoverage.objects.bulk_create([CampaignCoverage(campaign=campaign, organization=n, org_path=n.path)
                                          for n in covered if n.pk not in held])
    return covered


@transaction.atomic
def announce(actor: Actor, *, organization_id, title: str, notice_title: str, notice_text: str, starts_on, ends_on,
             report_deadline=None, covered_organization_ids=(), attachments=(), co_announcer_ids=()) -> Campaign:
    """发布行动通知. ``covered_organization_ids`` empty: the announcing body's whole subtree. ``co_announcer_ids``:
    bodies of other systems in its division invited to announce jointly (each confirms, then covers its own)."""
    organization = actor.organization(organization_id, common.CHANGE)
    problems: list = []
    title = common.required(title, "title", problems)
    notice_title = common.required(notice_title, "notice_title", problems, TITLE_MAX * 2)
    notice_text = common.required(notice_text, "notice_text", problems, NOTICE_MAX)
    common.period(starts_on, ends_on, problems)
    if report_deadline and report_deadline < starts_on:
        problems.append((E.DEADLINE_BEFORE_START, "report_deadline", {}))
    common.raise_any(problems)
    covered = common.visible_all(actor, Organization.objects.active(), "orgs.view_organization",
                                 covered_organization_ids, "covered_organization_ids") or [organization]
    for node in covered:
        common.under(node, organization, "covered_organization_ids")
    campaign = Campaign.objects.create(organization=organization, title=title, notice_title=notice_title,
                                       notice_text=notice_text, starts_on=starts_on, ends_on=ends_on,
                                       report_deadline=report_deadline, announced_by=actor.display_name)
    CampaignCoverage.objects.bulk_create([CampaignCoverage(campaign=campaign, organization=n, org_path=n.path) for n in covered])
    partners = _invite(actor, campaign, organization, co_announcer_ids)
    photos.store_many(ATTACHMENTS, list(attachments), lambda name, content_type: CampaignAttachment(
        campaign=campaign, file_name=name, content_type=content_type, uploaded_by=actor.label), common.MAX_PHOTOS)
    audit.record(actor, "campaign.announce", campaign, organization,
                 {"title": title, "covers": [n.pk for n in covered], "co_announcers": [p.pk for p in partners]})
    return campaign


@transaction.atomic
def respond_to_invitation(actor: Actor, *, campaign_id, organization_id, accept: bool,
                          covered_organization_ids=()) -> Campaign:
    """A co-announcer's staff confirm (covering their whole subtree, or the organizations named in it) or decline."""
    invitation = (CampaignCoAnnouncer.objects.select_for_update(of=("self",)).select_related("organization", "campaign")
                  .filter(actor.scope.q(CampaignCoAnnouncer, common.VIEW))
                  .filter(campaign_id=campaign_id, organization_id=organization_id).first())
    if invitation is None:
        raise ServiceError(CommonErrorCode.NOT_FOUND, "campaign_id")
    body = actor.organization(organization_id, common.CHANGE)
    if invitation.state != CoAnnouncerState.INVITED:
        raise ServiceError(E.ALREADY_ANSWERED, "campaign_id")
    invitation.state = CoAnnouncerState.ACCEPTED if accept else CoAnnouncerState.DECLINED
    invitation.responded_by, invitation.responded_at = actor.display_name, timezone.now()
    invitation.save(update_fields=["state", "responded_by", "responded_at"])
    campaign = invitation.campaign
    if accept:
        covered = _cover(actor, campaign, body, covered_organization_ids, "covered_organization_ids")
        audit.record(actor, "campaign.co_announce_accept", campaign, body, {"covers": [n.pk for n in covered]})
    else:
        audit.record(actor, "campaign.co_announce_decline", campaign, body, {})
    return campaign


@transaction.atomic
def set_coverage(actor: Actor, *, campaign_id, organization_id, covered_organization_ids=()) -> Campaign:
    """The announcing body or a co-announcer that confirmed changes its own part of the coverage."""
    campaign = visible(actor, Campaign.objects.select_for_update()).filter(pk=campaign_id).first()
    if campaign is None:
        raise ServiceError(CommonErrorCode.NOT_FOUND, "campaign_id")
    body = actor.organization(organization_id, common.CHANGE)
    if body.pk not in {a.pk for a in announcers(campaign)}:
        raise ServiceError(E.NOT_AN_ANNOUNCER, "organization_id", organization=body.name)
    covered = _cover(actor, campaign, body, covered_organization_ids, "covered_organization_ids")
    audit.record(actor, "campaign.cover", campaign, body, {"covers": [n.pk for n in covered]})
    return campaign


# Figures -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    wishes: int = 0
    wishes_fulfilled: int = 0
    activities: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.wishes + other.wishes, self.wishes_fulfilled + other.wishes_fulfilled,
                       self.activities + other.activities)


def _owners(campaign: Campaign, where: Callable[[type], Q]) -> dict[int, Figures]:
    """The campaign's figures per owning organization, among the rows ``where(model)`` selects: every row once."""
    found: dict[int, Figures] = defaultdict(Figures)
    wishes = (Wish.objects.filter(where(Wish), campaign=campaign).order_by().values("organization_id")
              .annotate(n=Count("pk"), f=Count("pk", filter=Q(fulfilled_at__isnull=False))))
    for row in wishes:
        found[row["organization_id"]] += Figures(row["n"], row["f"])
    activities = (Activity.objects.filter(where(Activity), campaign=campaign).order_by().values("organization_id")
                  .annotate(n=Count("pk")))
    for row in activities:
        found[row["organization_id"]] += Figures(activities=row["n"])
    return found


def figures_readable(actor: Actor, campaign: Campaign) -> bool:
    return any(actor.scope.allows(FIGURES, body) for body in announcers(campaign))


def figures(actor: Actor, campaign: Campaign) -> list[tuple[Organization, Figures]]:
    """Each announcing body's figures: the campaign's records in its subtree (empty without the permission)."""
    if not figures_readable(actor, campaign):
        return []
    return [(body, sum(_owners(campaign, lambda model: Q(org_path__startswith=body.path)).values(), Figures()))
            for body in announcers(campaign)]


def figures_by_division(actor: Actor, campaign: Campaign, organization_id) -> list[tuple[str, list[str], Figures]]:
    """The campaign's figures for each division one level below ``organization_id``'s, across systems: the rows
    the actor may count there, each counted once at the organization owning it (the records of a body whose own
    code stops above that level are shown under its code). With the bodies whose records are counted (the
    topmost of each system)."""
    organization = actor.get_visible(Organization.objects.all(), FIGURES, organization_id, "organization_id")
    prefix = _division(organization)
    if not prefix:
        raise ServiceError(E.NO_DIVISION, "organization_id")
    if not figures_readable(actor, campaign):
        return []
    length = next((n for n in BOUNDARIES if n > len(prefix)), len(prefix))
    counted = _owners(campaign, lambda model: actor.scope.q(model, FIGURES)
                      & Q(organization__division_code__startswith=prefix))
    groups: dict[str, tuple[list[Organization], Figures]] = {}
    for node in Organization.objects.filter(pk__in=list(counted)).order_by("path"):
        key = region_prefix(node.division_code)[:length]
        tops, total = groups.get(key, ([], Figures()))
        if not any(node.path.startswith(top.path) for top in tops):
            tops.append(node)
        groups[key] = (tops, total + counted[node.pk])
    return [(key, [t.name for t in groups[key][0]], groups[key][1]) for key in sorted(groups)]


def _place(actor: Actor, model, pk, organization: Organization, field: str):
    """A site or service point of ``organization`` or below it, visible to the actor."""
    if pk is None:
        return None
    place = actor.get_visible(model.objects.all(), common.VIEW, pk, field)
    if not place.org_path.startswith(organization.path):
        raise ServiceError(E.PLACE_ELSEWHERE, field, organization=organization.name)
    return place


@transaction.atomic
def record_activity(actor: Actor, *, organization_id, title: str, kind: str, held_on, place: str = "",
                    narrative: str = "", campaign_id=None, happy_home_id=None, service_point_id=None, child_ids=(),
                    volunteer_ids=(), uploads=()) -> Activity:
    """An activity with the children and volunteers taking part and its photos (EXIF stripped). Photos
    need the photo consent of every child named."""
    organization = actor.organization(organization_id, common.CHANGE)
    problems: list = []
    title = common.required(title, "title", problems)
    place = common.text(place, "place", problems, TITLE_MAX)
    narrative = common.text(narrative, "narrative", problems)
    common.not_future(held_on, "held_on", problems)
    common.raise_any(problems)
    campaign = attachable(actor, campaign_id, organization)
    if campaign is not None and not campaign.starts_on <= held_on <= campaign.ends_on:
        raise ServiceError(E.OUTSIDE_CAMPAIGN, "held_on", starts_on=campaign.starts_on, ends_on=campaign.ends_on)
    home = _place(actor, HappyHome, happy_home_id, organization, "happy_home_id")
    point = _place(actor, ServicePoint, service_point_id, organization, "service_point_id")
    children = common.children(actor, child_ids)
    volunteers = common.visible_all(actor, Volunteer.objects.all(), common.VIEW, volunteer_ids, "volunteer_ids")
    if uploads:
        for child in children:
            require_consent(child, "photos")
    activity = Activity.objects.create(
        organization=organization, campaign=campaign, happy_home=home, service_point=point, title=title,
        kind=ActivityKind(kind), held_on=held_on, place=place, narrative=narrative,
        recorded_by=actor.display_name)
    activity.children.set(children)
    activity.volunteers.set(volunteers)
    photos.store_many(PHOTOS, list(uploads), lambda name, content_type: ActivityPhoto(
        activity=activity, file_name=name, content_type=content_type, uploaded_by=actor.label), common.MAX_PHOTOS)
    audit.record(actor, "activity.record", activity, organization,
                 {"title": title, "campaign": getattr(campaign, "pk", None), "children": len(children)})
    return activity
