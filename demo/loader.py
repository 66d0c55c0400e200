"""Writes the demo data through the services, idempotently: a second run changes nothing."""

import json
import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.services import ensure_profile
from children import services as child_services
from children.models import Child
from demo import data
from demo import programs as demo_programs
from donors import services as donor_services
from donors.models import Donor
from orgs import services as org_services
from orgs.models import Organization
from permissions import services as access_services
from permissions.actor import Actor
from permissions.models import ApiToken, Membership
from permissions.tokens import digest
from wishes import services as wish_services
from wishes.models import Claim, Wish

TOKEN_FILE = "demo_partner_token"
# Written once the demo is loaded: GraphiQL lists these accounts only then (graphql_api/views.py reads it
# without importing demo code).
ACCOUNTS_FILE = "demo_accounts.json"


def password() -> str:
    return os.environ.get("DEMO_PASSWORD") or data.DEFAULT_PASSWORD


def _ensure_node(actor: Actor, node: data.Node, parent: Organization | None, created: list) -> None:
    org = Organization.objects.active().filter(parent=parent, name=node.name).first()
    if org is None:
        org = org_services.create_organization(
            actor, parent_id=parent.pk if parent else None, name=node.name, short_name=node.short_name,
            system=node.system, kind=node.kind, level=node.level, division_code=node.division_code,
        )
        created.append(org.name)
    for child in node.children:
        _ensure_node(actor, child, org, created)


def _ensure_user(username: str, display_name: str = "", superuser: bool = False):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=display_name, is_superuser=superuser, is_staff=superuser)
        user.set_password(password())
        user.save()
    return user


def _org(name: str) -> Organization:
    return Organization.objects.active().get(name=name)


def _ensure_partner_token(actor: Actor) -> str:
    """The partner unit's token: reused from var/ while it is live, else issued anew (old ones revoked)."""
    path = Path(settings.VAR_DIR) / TOKEN_FILE
    unit = _org(data.PARTNER_UNIT)
    live = ApiToken.objects.filter(organization=unit, name=data.PARTNER_TOKEN_NAME, revoked_at__isnull=True)
    if path.exists() and live.filter(key_hash=digest(path.read_text().strip())).exists():
        return path.read_text().strip()
    for stale in live:
        access_services.revoke_token(actor, token_id=stale.pk)
    _, secret = access_services.create_token(
        actor, organization_id=unit.pk, name=data.PARTNER_TOKEN_NAME, permissions=list(data.PARTNER_TOKEN_PERMISSIONS)
    )
    path.write_text(secret + "\n")
    path.chmod(0o600)
    return secret


def _act(actor: Actor, wish: Wish, action, token: str) -> None:
    """One step of a demo wish's life: claimed by the partner unit with its token, delivered, or a transition."""
    name, reason = (action, "") if isinstance(action, str) else action
    if name == "claim":
        partner = Actor.for_token(ApiToken.objects.get(key_hash=digest(token)))
        wish_services.claim_wishes(partner, wish_ids=[wish.pk])
    elif name == "deliver":
        wish_services.record_delivery(actor, wish_id=wish.pk, note="在村委会举行发放仪式，礼物贴上孩子的名字。")
    else:
        wish_services.transition(actor, wish_id=wish.pk, action=name, reason=reason)


def _ensure_donor() -> None:
    """The demo donor, registered, with a share of a published wish (claimed as the donor would)."""
    donor = data.DEMO_DONOR
    user = _ensure_user(donor.username, donor.display_name)
    if not Donor.objects.filter(user=user).exists():
        donor_services.enrol(user, donor.phone)
    if not Claim.objects.filter(donor_user=user).exists():
        wish = Wish.objects.get(organization=_org(donor.wish_organization), title=donor.wish_title)
        donor_services.claim(Actor.for_user(user), wish_ids=[wish.pk], shares=[donor.share])


@transaction.atomic
def load() -> dict:
    actor = Actor.system("load_demo")
    created: list[str] = []
    for root in data.FOREST:
        _ensure_node(actor, root, None, created)
    _ensure_user(data.SUPERUSER, "平台管理员", superuser=True)
    granted = []
    for account in data.DEMO_ACCOUNTS:
        user = _ensure_user(account.username, account.display_name)
        org = _org(account.organization)
        ensure_profile(user, org)
        if not Membership.objects.filter(user=user, organization=org).exists():
            access_services.grant_role(actor, organization_id=org.pk, role=account.role, username=user.username)
            granted.append(account.username)
    partner_at = _org(data.PARTNER_GRANTED_AT)
    unit = _org(data.PARTNER_UNIT)
    if not Membership.objects.filter(group__unit__organization=unit, organization=partner_at).exists():
        access_services.grant_role(actor, organization_id=partner_at.pk, role="PARTNER", unit_id=unit.pk)
    token = _ensure_partner_token(actor)
    children = 0
    for child in data.DEMO_CHILDREN:
        if not Child.objects.filter(id_index=child_services.index_of(child.id_number)).exists():
            child_services.create_child(
                actor, organization_id=_org(child.organization).pk, name=child.name, sex=child.sex,
                id_number=child.id_number, categories=list(child.categories), guardian_arrangement=child.arrangement,
                school=child.school, grade=child.grade, parents_work_place=child.parents_work_place,
                guardians=[{"name": n, "relation": r, "phone": p} for n, r, p in child.guardians],
            )
            children += 1
    wishes = 0
    for wish in data.DEMO_WISHES:
        owner = _org(wish.organization)
        if Wish.objects.filter(organization=owner, title=wish.title).exists():
            continue
        child = data.demo_child(wish.child) if wish.child else None
        made = wish_services.collect_wish(actor, organization_id=owner.pk, title=wish.title, text=wish.text,
                                          category=wish.category, estimated_value=wish.value,
                                          child_id=child.pk if child else None, household=wish.household)
        for action in wish.actions:
            _act(actor, made, action, token)
        wishes += 1
    _ensure_donor()
    demo_programs.load(actor)
    (Path(settings.VAR_DIR) / ACCOUNTS_FILE).write_text(json.dumps([*(a.username for a in data.DEMO_ACCOUNTS), data.DEMO_DONOR.username]))
    return {"organizations_created": created, "roles_granted": granted, "children_created": children, "wishes_created": wishes, "partner_token": token}
