"""load_demo: the places from the glossary, the contract accounts, idempotent."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from demo import data
from orgs.models import Organization
from permissions.models import ApiToken, AuditEntry, Membership
from permissions.tokens import digest

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Organization.objects.values_list("path", "name", "division_code", "archived_at")),
        list(Membership.objects.values_list("organization_id", "user_id", "group_id", "role", "subtree")),
        list(ApiToken.objects.values_list("key_hash", "revoked_at")),
        AuditEntry.objects.count(),
        list(get_user_model().objects.values_list("username", "password")),
    )


def test_second_load_changes_nothing():
    before = snapshot()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert snapshot() == before


def test_the_glossary_places_and_chains_exist():
    def chain(name):
        node, names = Organization.objects.get(name=name), []
        while node:
            names.append(node.name)
            node = node.parent
        return list(reversed(names))

    assert chain("马良坪村团支部") == ["共青团襄阳市委", "共青团保康县委", "马良镇团委", "马良坪村团支部"]
    assert chain("颜容村妇联") == ["怀化市妇联", "洪江市妇联", "茅渡乡妇联", "颜容村妇联"]
    assert chain("石村村妇联")[-2:] == ["石桥镇妇联", "石村村妇联"]
    assert Organization.objects.get(name="共青团保康县委").division_code == "420626"
    assert Organization.objects.get(name="洪江市妇联").division_code == "431281"


def test_contract_accounts_and_partner_token_exist():
    for account in data.DEMO_ACCOUNTS:
        membership = Membership.objects.get(user__username=account.username)
        assert (membership.organization.name, membership.role) == (account.organization, account.role)
    token_file = Path(settings.VAR_DIR) / "demo_partner_token"
    token = ApiToken.objects.get(key_hash=digest(token_file.read_text().strip()))
    assert token.organization.name == data.PARTNER_UNIT
    assert sorted(token.permissions) == sorted(data.PARTNER_TOKEN_PERMISSIONS)


def test_the_demo_follows_the_sources():
    """石村村 as the 石桥镇 report has it; 河池's 暖冬行动 as its notice has it, with a report request under way; wishes
    in every state of the life cycle, so the dashboard shows a real 圆梦率."""
    from datetime import date

    from programs import sites
    from programs.models import Campaign, HappyHome
    from rollups import services as rollups
    from rollups.models import Report, ReportState
    from wishes.models import State, Wish

    shicun = sites.with_counts(HappyHome.objects.all()).get(name="石村村儿童快乐家园")
    assert (shicun.children_count, shicun.volunteers_count, shicun.opened_on) == (142, 43, date(2024, 11, 1))
    assert not sites.below_standard(shicun) and shicun.groups.count() == 7
    winter = Campaign.objects.get(title__endswith="关爱留守儿童暖冬行动")
    assert winter.organization.name == "共青团河池市委"
    assert ((winter.starts_on.month, winter.starts_on.day), (winter.ends_on.month, winter.ends_on.day),
            (winter.report_deadline.month, winter.report_deadline.day)) == ((1, 28), (2, 28), (4, 10))
    states = {r.state for r in Report.objects.filter(request__campaign=winter)}
    assert states == {ReportState.SUBMITTED, ReportState.DRAFT}
    assert set(Wish.objects.values_list("state", flat=True)) >= {State.COLLECTED, State.RETURNED, State.REVIEWED, State.PUBLISHED,
                                                                 State.CLAIMED, State.PREPARED, State.DELIVERED, State.FULFILLED,
                                                                 State.ESCALATED, State.CLOSED}
    rollups.refresh()
    from permissions.actor import Actor

    county = Organization.objects.get(name="共青团保康县委")
    _, figures = rollups.rollup(Actor.system("test"), organization_id=county.pk, period_=rollups.period("YEAR", year=date.today().year))
    assert figures["wishes.fulfilled"] == 2 and figures["wishes.collected"] > 2
