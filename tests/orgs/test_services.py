"""orgs.services: the forest's rules, each failing with its typed error and changing nothing."""

import pytest

from core.errors import ServiceError
from orgs import services
from orgs.models import Kind, Level, Organization, System
from permissions import scope as scopes
from permissions.actor import Actor
from permissions.models import AuditEntry, Membership
from tests.conftest import user
from tests.permissions.helpers import org, subtree_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def system():
    return Actor.system("test")


def village(parent, name="新村团支部", code="", **extra):
    fields = dict(name=name, system=System.LEAGUE, kind=Kind.LEAGUE_BRANCH, level=Level.VILLAGE, division_code=code)
    fields.update(extra)
    return dict(parent_id=parent.pk, **fields)


def codes(error: ServiceError) -> list[str]:
    return [code for _field, code, _message in error.rendered()]


def test_create_places_the_child_under_its_parent_and_audits(system):
    maliang = org("马良镇团委")
    child = services.create_organization(system, **village(maliang, code="420626105299"))
    assert child.path.startswith(maliang.path) and child.depth == maliang.depth + 1
    assert child.parent == maliang
    assert AuditEntry.objects.filter(action="organization.create", target_id=str(child.pk)).exists()


@pytest.mark.parametrize(
    "changes, code, field",
    [
        ({"division_code": "4206261052011"}, "INVALID_DIVISION_CODE", "division_code"),  # 13 digits
        ({"division_code": "431281201001"}, "DIVISION_OUTSIDE_PARENT", "division_code"),  # a 怀化 village
        ({"level": Level.TOWNSHIP}, "LEVEL_NOT_BELOW_PARENT", "level"),
        ({"name": "马良坪村团支部"}, "DUPLICATE_NAME", "name"),
        ({"name": "   "}, "NAME_REQUIRED", "name"),
    ],
)
def test_create_refuses_bad_input_with_a_typed_error(system, changes, code, field):
    maliang = org("马良镇团委")
    before = Organization.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.create_organization(system, **{**village(maliang), **changes})
    assert (caught.value.rendered()[0][0], codes(caught.value)[0]) == (field, code)
    assert Organization.objects.count() == before


def test_every_problem_is_reported_at_once(system):
    with pytest.raises(ServiceError) as caught:
        services.create_organization(system, **village(org("马良镇团委"), name="", code="12345", level=Level.COUNTY))
    assert set(codes(caught.value)) == {"NAME_REQUIRED", "INVALID_DIVISION_CODE", "LEVEL_NOT_BELOW_PARENT"}


def test_a_unit_may_sit_at_its_bodys_level_but_a_body_may_not(system):
    county = org("共青团保康县委")
    unit = services.create_organization(system, parent_id=county.pk, name="保康县人民医院", system=System.UNIT,
                                        kind=Kind.HOSPITAL, level=Level.COUNTY, division_code="420626")
    assert unit.level == county.level
    with pytest.raises(ServiceError) as caught:
        services.create_organization(system, parent_id=county.pk, name="另一个团委", system=System.LEAGUE,
                                     kind=Kind.LEAGUE_COMMITTEE, level=Level.COUNTY)
    assert codes(caught.value) == ["LEVEL_NOT_BELOW_PARENT"]


def test_unknown_parent_is_not_found(system):
    with pytest.raises(ServiceError) as caught:
        services.create_organization(system, **{**village(org("马良镇团委")), "parent_id": 999_999})
    assert codes(caught.value) == ["NOT_FOUND"]


def test_only_a_superuser_creates_roots():
    admin = Actor.for_user(user("baokang_league_admin"))
    with pytest.raises(ServiceError) as caught:
        services.create_organization(admin, parent_id=None, name="新的团省委", system=System.LEAGUE,
                                     kind=Kind.LEAGUE_COMMITTEE, level=Level.PROVINCE)
    assert codes(caught.value) == ["ROOT_NEEDS_SUPERUSER"]
    root = services.create_organization(Actor.for_user(user("platform_admin")), parent_id=None, name="共青团湖北省委",
                                        system=System.LEAGUE, kind=Kind.LEAGUE_COMMITTEE, level=Level.PROVINCE,
                                        division_code="420000")
    assert root.depth == 1 and root.parent is None


def test_update_keeps_children_consistent(system):
    maliang = org("马良镇团委")
    with pytest.raises(ServiceError) as caught:
        services.update_organization(system, organization_id=maliang.pk, level=Level.VILLAGE)
    assert codes(caught.value) == ["LEVEL_NOT_ABOVE_CHILDREN"]
    with pytest.raises(ServiceError) as caught:
        services.update_organization(system, organization_id=maliang.pk, division_code="420626104")
    assert codes(caught.value) == ["DIVISION_EXCLUDES_CHILDREN"]
    updated = services.update_organization(system, organization_id=maliang.pk, short_name="马良团委")
    assert updated.short_name == "马良团委"
    entry = AuditEntry.objects.filter(action="organization.update", target_id=str(maliang.pk)).first()
    assert entry.changes == {"short_name": ["", "马良团委"]}


def test_move_rewrites_the_subtree_and_every_owned_path(system):
    maliang, huangbao = org("马良镇团委"), org("黄堡镇团委")
    village_branch = org("三岔村团支部")
    staff = user("maliang_league_staff")
    with pytest.raises(ServiceError) as caught:  # its 马良镇 village code is outside 黄堡镇's region
        services.move_organization(system, organization_id=village_branch.pk, new_parent_id=huangbao.pk)
    assert codes(caught.value) == ["DIVISION_OUTSIDE_PARENT"]
    services.update_organization(system, organization_id=village_branch.pk, division_code="")
    services.move_organization(system, organization_id=village_branch.pk, new_parent_id=huangbao.pk)
    village_branch.refresh_from_db()
    assert village_branch.parent == huangbao and village_branch.path.startswith(huangbao.path)
    assert village_branch.pk not in subtree_ids(maliang.pk)
    assert village_branch.pk in {o.pk for o in scopes.for_user(user("huangbao_league_staff")).filter(Organization.objects.all(), "orgs.view_organization")}
    assert village_branch.pk not in {o.pk for o in scopes.for_user(staff).filter(Organization.objects.all(), "orgs.view_organization")}
    assert AuditEntry.objects.filter(action="organization.move", target_id=str(village_branch.pk)).exists()


def test_moving_a_whole_township_carries_its_villages_and_memberships(system):
    maliang, xiema = org("马良镇团委"), org("歇马镇团委")
    services.move_organization(system, organization_id=maliang.pk, new_parent_id=org("共青团襄阳市委").pk)
    # moving it back under the county gives it a new path; villages and the staff membership follow
    services.move_organization(system, organization_id=maliang.pk, new_parent_id=org("共青团保康县委").pk)
    maliang.refresh_from_db()
    for child in Organization.objects.filter(parent=maliang):
        assert child.path.startswith(maliang.path) and child.depth == maliang.depth + 1
    membership = Membership.objects.get(user__username="maliang_league_staff")
    assert membership.org_path == maliang.path
    assert not xiema.path.startswith(maliang.path)


def test_move_under_itself_or_a_descendant_is_a_cycle(system):
    maliang = org("马良镇团委")
    for target in (maliang, org("马良坪村团支部")):
        with pytest.raises(ServiceError) as caught:
            services.move_organization(system, organization_id=maliang.pk, new_parent_id=target.pk)
        assert codes(caught.value) == ["CYCLE"]


def test_move_checks_names_and_levels_at_the_destination(system):
    with pytest.raises(ServiceError) as caught:
        services.move_organization(system, organization_id=org("马良镇团委").pk, new_parent_id=org("黄堡镇团委").pk)
    assert "LEVEL_NOT_BELOW_PARENT" in codes(caught.value)


def test_merge_moves_children_records_and_archives_the_source(system):
    source, target = org("后坪镇团委"), org("歇马镇团委")
    children = set(Organization.objects.filter(parent=source).values_list("pk", flat=True))
    Membership.objects.create(organization=source, user=user("huangbao_league_staff"), role="VIEWER")
    merged = services.merge_organizations(system, source_id=source.pk, target_id=target.pk)
    source.refresh_from_db()
    assert merged == target and source.is_archived and source.merged_into == target
    assert set(Organization.objects.filter(parent=target).values_list("pk", flat=True)) >= children
    assert Membership.objects.get(user__username="huangbao_league_staff", role="VIEWER").organization == target
    assert not Organization.objects.filter(parent=source, archived_at__isnull=True).exists()


@pytest.mark.parametrize("target_name, code", [("后坪镇团委", "MERGE_SAME"), ("保康县妇联", "MERGE_MISMATCH")])
def test_merge_refusals(system, target_name, code):
    with pytest.raises(ServiceError) as caught:
        services.merge_organizations(system, source_id=org("后坪镇团委").pk, target_id=org(target_name).pk)
    assert codes(caught.value) == [code]


def test_archive_needs_no_active_children_and_keeps_the_row(system):
    with pytest.raises(ServiceError) as caught:
        services.archive_organization(system, organization_id=org("马良镇团委").pk)
    assert codes(caught.value) == ["HAS_ACTIVE_CHILDREN"]
    leaf = org("三岔村团支部")
    services.archive_organization(system, organization_id=leaf.pk)
    leaf.refresh_from_db()
    assert leaf.is_archived
    with pytest.raises(ServiceError) as caught:
        services.update_organization(system, organization_id=leaf.pk, short_name="x")
    assert codes(caught.value) == ["ARCHIVED"]


def test_archived_name_can_be_reused_by_a_new_sibling(system):
    leaf = org("三岔村团支部")
    services.archive_organization(system, organization_id=leaf.pk)
    again = services.create_organization(system, **village(org("马良镇团委"), name="三岔村团支部"))
    assert again.pk != leaf.pk


def test_a_single_organization_role_cannot_move_or_merge_the_subtree_below_it(system):
    from django.contrib.auth import get_user_model

    from permissions import services as access_services

    get_user_model().objects.create_user("maliang_only_admin", password="x")
    maliang = org("马良镇团委")
    access_services.grant_role(system, organization_id=maliang.pk, role="ORG_ADMIN", username="maliang_only_admin", subtree=False)
    narrow = Actor.for_user(user("maliang_only_admin"))
    with pytest.raises(ServiceError) as caught:
        services.move_organization(narrow, organization_id=maliang.pk, new_parent_id=maliang.pk)
    assert codes(caught.value) == ["PERMISSION_DENIED"]
    with pytest.raises(ServiceError) as caught:
        services.merge_organizations(narrow, source_id=maliang.pk, target_id=org("黄堡镇团委").pk)
    assert codes(caught.value) == ["PERMISSION_DENIED"]
    assert services.update_organization(narrow, organization_id=maliang.pk, short_name="马良").short_name == "马良"


def test_merging_settles_once_per_organization_rows_and_refuses_real_conflicts(system):
    """Coverage and addressing rows say the same thing twice and are folded; two reports on one request are a
    conflict a person must settle, and nothing changes."""
    from datetime import date, timedelta

    from django.utils import timezone

    from programs import campaigns
    from programs.models import CampaignCoverage
    from rollups import reports, services as rollups
    from rollups.models import Report

    county, source, target = org("共青团保康县委"), org("过渡湾镇团委"), org("后坪镇团委")
    campaign = campaigns.announce(system, organization_id=county.pk, title="合并测试", notice_title="通知", notice_text="正文",
                                  starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
                                  covered_organization_ids=[source.pk, target.pk])
    request = reports.open_request(system, organization_id=county.pk, title="季度报送",
                                   deadline=timezone.localdate() + timedelta(days=30),
                                   period_=rollups.period("QUARTER", year=2026, number=4), addressee_ids=[source.pk, target.pk])
    rollups.refresh()
    for body in (source, target):
        reports.save_report(system, request_id=request.pk, organization_id=body.pk, narrative="材料")
    with pytest.raises(ServiceError) as conflict:
        services.merge_organizations(system, source_id=source.pk, target_id=target.pk)
    assert conflict.value.code.name == "MERGE_CONFLICT"
    assert org("过渡湾镇团委").archived_at is None and CampaignCoverage.objects.filter(campaign=campaign).count() == 2

    Report.objects.filter(organization=source).delete()
    services.merge_organizations(system, source_id=source.pk, target_id=target.pk)
    assert list(CampaignCoverage.objects.filter(campaign=campaign).values_list("organization__name", flat=True)) == ["后坪镇团委"]
    assert list(request.recipients.values_list("organization__name", flat=True)) == ["后坪镇团委"]
