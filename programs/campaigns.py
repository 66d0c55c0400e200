"""Campaigns (行动) and activities (活动).

A campaign covers organizations, each with its subtree (by default the announcing body's own subtree). It is
visible to those who may see programs at the announcing body, and to those working anywhere in what it
covers: a township must read the county's notice. Activities, holiday projects and wishes may be attached
to it only by a body it covers, and activities only within its period."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet

from children.services import require_consent
from core import photos
from core.errors import NOTICE_MAX, TITLE_MAX, CommonErrorCode, ServiceError
from orgs.models import Organization
from permissions import audit
from permissions.actor import Actor
from programs import common
from programs.errors import ProgramErrorCode as E
from programs.models import (Activity, ActivityKind, ActivityPhoto, Campaign, CampaignAttachment, CampaignCoverage,
                             HappyHome, ServicePoint, Volunteer)

ATTACHMENTS = "campaign-attachments"
PHOTOS = "activity-photos"


def visible(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    """Campaigns announced in the actor's program scope or covering any part of it."""
    queryset = Campaign.objects.all() if queryset is None else queryset
    if actor.scope.everything:
        return queryset
    covering = CampaignCoverage.objects.filter(actor.scope.touching(common.VIEW, "org_path")).values("campaign_id")
    return queryset.filter(actor.scope.q(Campaign, common.VIEW) | Q(pk__in=covering))


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


@transaction.atomic
def announce(actor: Actor, *, organization_id, title: str, notice_title: str, notice_text: str, starts_on, ends_on,
             report_deadline=None, covered_organization_ids=(), attachments=()) -> Campaign:
    """发布行动通知. ``covered_organization_ids`` empty: the announcing body's whole subtree."""
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
    photos.store_many(ATTACHMENTS, list(attachments), lambda name, content_type: CampaignAttachment(
        campaign=campaign, file_name=name, content_type=content_type, uploaded_by=actor.label), common.MAX_PHOTOS)
    audit.record(actor, "campaign.announce", campaign, organization,
                 {"title": title, "covers": [n.pk for n in covered]})
    return campaign


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
