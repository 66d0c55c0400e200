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
