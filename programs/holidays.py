"""七彩假期: a league committee's holiday project and its service points (服务点) at villages or schools.

The organizer creates the project and its points, each hosted by a body in its subtree; the host's staff
assign volunteers and report the children served and the money and goods raised. Service hours are the
confirmed ServiceRecords at the point (programs.volunteers)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from core.errors import TITLE_MAX
from permissions import audit
from permissions.actor import Actor
from programs import campaigns, common
from programs.errors import ProgramErrorCode as E
from programs.models import HolidayProject, PointKind, Season, ServicePoint, ServiceRecord, Volunteer


@transaction.atomic
def create_project(actor: Actor, *, organization_id, name: str, year: int, season: str, starts_on, ends_on,
                   campaign_id=None) -> HolidayProject:
    organization = actor.organization(organization_id, common.CHANGE)
    problems: list = []
    name = common.required(name, "name", problems)
    common.period(starts_on, ends_on, problems)
    common.raise_any(problems)
    campaign = campaigns.attachable(actor, campaign_id, organization)
    project = HolidayProject.objects.create(organization=organization, name=name, year=year, season=Season(season),
                                            starts_on=starts_on, ends_on=ends_on, campaign=campaign)
    audit.record(actor, "holiday_project.create", project, organization, {"name": name})
    return project


@transaction.atomic
def create_point(actor: Actor, *, project_id, organization_id, name: str, kind: str, starts_on, ends_on,
                 division_code: str = "", team: str = "") -> ServicePoint:
    """A service point hosted by ``organization_id`` (the organizer or a body below it)."""
    project = common.for_change(actor, HolidayProject.objects.all(), project_id, "project_id")
    host = actor.organization(organization_id, common.VIEW)
    common.under(host, project.organization, "organization_id")
    problems: list = []
    name = common.required(name, "name", problems)
    division_code = common.text(division_code, "division_code", problems, 12)
    team = common.text(team, "team", problems, TITLE_MAX)
    common.period(starts_on, ends_on, problems)
    if starts_on < project.starts_on or ends_on > project.ends_on:
        problems.append((E.OUTSIDE_PROJECT, "starts_on", {"starts_on": project.starts_on, "ends_on": project.ends_on}))
    common.raise_any(problems)
    point = ServicePoint.objects.create(project=project, organization=host, name=name, kind=PointKind(kind),
                                        starts_on=starts_on, ends_on=ends_on, division_code=division_code, team=team)
    audit.record(actor, "service_point.create", point, host, {"project": project.pk, "name": name})
    return point


@transaction.atomic
def report_point(actor: Actor, *, point_id, children_served: int | None = None, money_raised=None, goods_value=None,
                 team: str | None = None, add_volunteer_ids=(), remove_volunteer_ids=()) -> ServicePoint:
    """The host's figures and volunteers; ``None`` keeps a figure as it is."""
    point = common.for_change(actor, ServicePoint.objects.all(), point_id)
    problems: list = []
    changes = {}
    if children_served is not None:
        if children_served < 0:
            problems.append((E.INVALID_AMOUNT, "children_served", {}))
        changes["children_served"] = children_served
    for field, value in (("money_raised", money_raised), ("goods_value", goods_value)):
        if value is not None:
            changes[field] = common.amount(value, field, problems)
    if team is not None:
        changes["team"] = common.text(team, "team", problems, TITLE_MAX)
    common.raise_any(problems)
    volunteers = common.visible_all(actor, Volunteer.objects.all(), common.VIEW, add_volunteer_ids, "add_volunteer_ids")
    for field, value in changes.items():
        setattr(point, field, value)
    point.save()
    point.volunteers.add(*volunteers)
    point.volunteers.remove(*list(remove_volunteer_ids))
    audit.record(actor, "service_point.report", point, point.organization,
                 {**{k: str(v) for k, v in changes.items()}, "volunteers_added": [v.pk for v in volunteers]})
    return point


@dataclass(frozen=True)
class Figures:
    """The figures the 2017 national 七彩假期 summary reports."""

    service_points: int
    children_served: int
    volunteers: int
    service_hours: Decimal
    money_raised: Decimal
    goods_value: Decimal


def _exact(value, places: str) -> Decimal:
    return (value or Decimal(0)).quantize(Decimal(places))


def figures(points) -> Figures:
    """Sums over a queryset of service points: volunteers counted once however many points they served."""
    points = points.order_by()
    sums = points.aggregate(n=Count("pk"), children=Sum("children_served"), money=Sum("money_raised"),
                            goods=Sum("goods_value"))
    volunteers = Volunteer.objects.filter(service_points__in=points.values("pk")).distinct().count()
    hours = ServiceRecord.objects.confirmed().filter(service_point__in=points.values("pk")).aggregate(
        h=Sum("hours"))["h"]
    return Figures(service_points=sums["n"], children_served=sums["children"] or 0, volunteers=volunteers,
                   service_hours=_exact(hours, "0.1"), money_raised=_exact(sums["money"], "0.01"),
                   goods_value=_exact(sums["goods"], "0.01"))


def with_point_figures(queryset):
    """Service points annotated with what their own figures need (one subquery each, for a whole page)."""
    assigned = (ServicePoint.volunteers.through.objects.filter(servicepoint=OuterRef("pk")).order_by()
                .values("servicepoint").annotate(n=Count("pk")).values("n"))
    hours = (ServiceRecord.objects.confirmed().filter(service_point=OuterRef("pk")).order_by()
             .values("service_point").annotate(h=Sum("hours")).values("h"))
    return queryset.annotate(volunteer_count=Coalesce(Subquery(assigned, output_field=IntegerField()), 0),
                             confirmed_hours=Subquery(hours, output_field=DecimalField()))


def point_figures(point: ServicePoint) -> Figures:
    """One point's figures, from a row loaded through ``with_point_figures`` (or queried if it was not)."""
    if not hasattr(point, "volunteer_count"):
        return figures(ServicePoint.objects.filter(pk=point.pk))
    return Figures(service_points=1, children_served=point.children_served, volunteers=point.volunteer_count,
                   service_hours=_exact(point.confirmed_hours, "0.1"), money_raised=_exact(point.money_raised, "0.01"),
                   goods_value=_exact(point.goods_value, "0.01"))


def project_figures(actor: Actor, project: HolidayProject) -> Figures:
    """A project's figures over the points the actor may see (the organizer sees them all)."""
    return figures(actor.visible(ServicePoint.objects.filter(project=project), common.VIEW))
