"""Helpers for the programs tests: rows made through the services (or in bulk), actors by name, mutations."""

from datetime import date, timedelta
from itertools import count

from django.utils import timezone

from children.models import Child
from permissions.actor import Actor
from programs import campaigns, holidays, pairings, sites, volunteers
from programs.models import HappyHome, HomeChild, Volunteer
from tests.conftest import user
from tests.permissions.helpers import SYSTEM, gid, grant, new_user, org, pk_of  # noqa: F401 (re-exported)

_serial = count(1)


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def actor(username: str) -> Actor:
    return Actor.for_user(user(username))


def bulk_children(organization: str, n: int) -> list[Child]:
    """``n`` plain registry children of ``organization`` (no ID number), written in one statement."""
    owner = org(organization)
    rows = [Child(organization=owner, org_path=owner.path, name=f"儿童{next(_serial)}", sex="FEMALE",
                  birth_date=date(2015, 1, 1), id_number="", guardian_arrangement="GRANDPARENTS") for _ in range(n)]
    return Child.objects.bulk_create(rows)


def bulk_volunteers(organization: str, n: int) -> list[Volunteer]:
    owner = org(organization)
    return Volunteer.objects.bulk_create([Volunteer(organization=owner, org_path=owner.path, name=f"志愿者{next(_serial)}",
                                                    origin="YOUTH") for _ in range(n)])


FULL_STAFF = (("DIRECTOR", "王主任"), ("SOCIAL_WORKER", "李社工"), ("HELPER", "赵辅助"))


def home(organization: str = "马良镇团委", *, name: str | None = None, children: int = 0, volunteers: int = 0,
         staff=FULL_STAFF, open_all: bool = True, actor_=SYSTEM) -> HappyHome:
    """A site made by the service, then ``children`` children served and ``volunteers`` volunteers in bulk."""
    site = sites.create_home(actor_, organization_id=org(organization).pk, name=name or f"快乐家园{next(_serial)}",
                             staff=list(staff), open_after_school=open_all, open_weekends=open_all,
                             open_holidays=open_all)
    if children:
        HomeChild.objects.bulk_create([HomeChild(home=site, child=c) for c in bulk_children(organization, children)])
    if volunteers:
        site.volunteers.add(*bulk_volunteers(organization, volunteers))
    return site


def volunteer(organization: str = "马良镇团委", *, name: str | None = None, phone: str = "13912345678",
              actor_=SYSTEM) -> Volunteer:
    return volunteers.create_volunteer(actor_, organization_id=org(organization).pk, name=name or f"志愿者{next(_serial)}",
                                       phone=phone, origin="UNIVERSITY", origin_name="湖北文理学院")


def project(organization: str = "共青团保康县委", *, starts_on: date | None = None, ends_on: date | None = None,
            campaign_id=None, actor_=SYSTEM):
    starts_on = starts_on or days_ago(60)
    return holidays.create_project(actor_, organization_id=org(organization).pk, name=f"七彩假期{next(_serial)}",
                                   year=starts_on.year, season="SUMMER", starts_on=starts_on,
                                   ends_on=ends_on or days_ago(10), campaign_id=campaign_id)


def point(project_, host: str = "马良镇团委", *, actor_=SYSTEM):
    return holidays.create_point(actor_, project_id=project_.pk, organization_id=org(host).pk, name=f"服务点{next(_serial)}",
                                 kind="VILLAGE", starts_on=project_.starts_on, ends_on=project_.ends_on)


def record(place, volunteer_, hours="3", *, served_on: date | None = None, confirm: bool = False, actor_=SYSTEM):
    """Hours of a volunteer assigned to ``place`` (a HappyHome or a ServicePoint), optionally confirmed."""
    place.volunteers.add(volunteer_)
    key = "happy_home_id" if isinstance(place, HappyHome) else "service_point_id"
    row = volunteers.record_hours(actor_, volunteer_id=volunteer_.pk, served_on=served_on or days_ago(3), hours=hours,
                                  **{key: place.pk})
    if confirm:
        volunteers.confirm_hours(SYSTEM, record_ids=[row.pk])
        row.refresh_from_db()
    return row


def big_hand(organization: str = "马良坪村团支部", *, child: str = "张小明", started_on: date | None = None,
             actor_=SYSTEM):
    return pairings.create_pairing(actor_, organization_id=org(organization).pk, kind="BIG_HAND",
                                   started_on=started_on or days_ago(7), volunteer_id=volunteer(organization).pk,
                                   child_id=Child.objects.get(name=child).pk)


def org_pairing(organization: str = "共青团保康县委", *, kind: str = "UNIT_COUNTY", started_on: date | None = None,
                actor_=SYSTEM):
    return pairings.create_pairing(actor_, organization_id=org(organization).pk, kind=kind,
                                   started_on=started_on or days_ago(7), partner_name="湖北文理学院团委")


def campaign(organization: str = "共青团保康县委", *, covered: tuple[str, ...] = (), starts_on: date | None = None,
             ends_on: date | None = None, actor_=SYSTEM, attachments=(), co_announcers: tuple[str, ...] = ()):
    return campaigns.announce(actor_, organization_id=org(organization).pk, title=f"暖冬行动{next(_serial)}",
                              notice_title="关于开展暖冬行动的通知", notice_text="各乡镇团委：……",
                              starts_on=starts_on or days_ago(30), ends_on=ends_on or today() + timedelta(days=30),
                              report_deadline=None, covered_organization_ids=[org(n).pk for n in covered],
                              attachments=list(attachments), co_announcer_ids=[org(n).pk for n in co_announcers])


def activity(organization: str = "马良镇团委", *, campaign_id=None, held_on: date | None = None, actor_=SYSTEM, **kwargs):
    return campaigns.record_activity(actor_, organization_id=org(organization).pk, title=f"四点半课堂{next(_serial)}",
                                     kind="AFTER_SCHOOL", held_on=held_on or days_ago(2), campaign_id=campaign_id,
                                     **kwargs)


def viewer(username: str, at: str = "马良镇团委", role: str = "VIEWER"):
    new_user(username)
    grant(username, org(at), role)
    return user(username)


def mutate(client, query: str, variables: dict, field: str, **extra) -> dict:
    """A mutation's payload; a top-level GraphQL error fails the test (typed errors live in the payload)."""
    response = client.post(query, variables, **extra)
    assert response.status_code == 200, response.content
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"][field]


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]
