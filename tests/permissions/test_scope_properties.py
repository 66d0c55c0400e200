"""Property: on random forests with random memberships, the Scope equals a brute-force walk of the tree.

Each example builds its forest through orgs.services, grants roles through permissions.services (to users
and to a unit's group), resolves every user's scope (warming the cache), then moves subtrees, archives
organizations and expires memberships, checking again after each step (so a step that forgets to bump the
scope version is caught even when a later step bumps it). The expectation is computed from the drawn
memberships and the parent links alone — never from paths or guardian rows. Organizations, memberships and
audit entries (which carry a copy of the owner's path) must all be filtered alike.
"""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import ServiceError
from orgs import services as org_services
from orgs.models import Kind, Level, Organization, System
from permissions import scope as scopes
from permissions import services
from permissions.catalog import ROLE_PERMISSIONS, Role
from permissions.models import AuditEntry, Membership
from tests.permissions.helpers import SYSTEM, ancestor_ids, subtree_ids

pytestmark = pytest.mark.django_db

PERMISSIONS = ("orgs.view_organization", "permissions.manage_membership", "rollups.view_rollup", "permissions.view_audit")
MAX_NODES = 18
MAX_USERS = 4

grants = st.tuples(
    st.integers(0, MAX_NODES - 1),                    # where (taken modulo the forest's size)
    st.sampled_from(list(Role)),
    st.booleans(),                                    # subtree
    st.sampled_from(["never", "later", "lapsed"]),    # expiry: none, in a day, set in the past afterwards
)


@st.composite
def worlds(draw):
    size = draw(st.integers(1, MAX_NODES))
    parents = [None] + [draw(st.none() | st.integers(0, i - 1)) for i in range(1, size)]
    users = draw(st.integers(1, MAX_USERS))
    return {
        "parents": parents,
        "memberships": [
            [(g[0] % size, *g[1:]) for g in draw(st.lists(grants, max_size=3, unique_by=lambda g: g[0] % size))]
            for _ in range(users)
        ],
        "unit": draw(st.none() | st.tuples(st.integers(0, size - 1), grants.map(lambda g: (g[0] % size, *g[1:])),
                                           st.sets(st.integers(0, users - 1), max_size=users))),
        "moves": draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)), max_size=3)),
        "archived": draw(st.sets(st.integers(0, size - 1), max_size=max(1, size // 3))),
    }


def build_forest(parents: list) -> list[Organization]:
    tag = uuid.uuid4().hex[:8]
    nodes: list[Organization] = []
    for i, parent in enumerate(parents):
        nodes.append(org_services.create_organization(
            SYSTEM, parent_id=None if parent is None else nodes[parent].pk, name=f"p{tag}-{i}",
            system=System.UNIT, kind=Kind.COMPANY, level=Level.COUNTY,
        ))
    return nodes


def expected_scope(holdings, permission: str, archived: set[int]) -> set[int]:
    """Brute force: the organizations a list of (org id, role, subtree, lapsed) holdings reaches."""
    parents = dict(Organization.objects.values_list("id", "parent_id"))
    reached: set[int] = set()
    for org_id, role, subtree, lapsed in holdings:
        if lapsed or org_id in archived or permission not in ROLE_PERMISSIONS[role]:
            continue
        reached |= subtree_ids(org_id, parents) if subtree else {org_id}
    return reached


def expected_touching(holdings, permission: str, archived: set[int]) -> set[int]:
    """Brute force for Scope.touching: every ancestor, the organization itself and everything below it, for
    each organization where a live role grants ``permission``."""
    parents = dict(Organization.objects.values_list("id", "parent_id"))
    found: set[int] = set()
    for org_id, role, _subtree, lapsed in holdings:
        if lapsed or org_id in archived or permission not in ROLE_PERMISSIONS[role]:
            continue
        found |= subtree_ids(org_id, parents) | set(ancestor_ids(org_id, parents))
    return found


def check(users, holdings, archived: set[int]) -> None:
    memberships_by_org = dict(Membership.objects.values_list("id", "organization_id"))
    entries_by_org = dict(AuditEntry.objects.values_list("id", "organization_id"))
    for user in users:
        scope = scopes.for_user(user)
        for permission in PERMISSIONS:
            # nested prefixes are merged: a grant below another grant adds nothing to the SQL condition
            prefixes = scope.prefixes.get(permission, ())
            assert list(prefixes) == sorted(set(prefixes))
            assert not any(b.startswith(a) for a in prefixes for b in prefixes if a != b), prefixes
            expected = expected_scope(holdings[user.pk], permission, archived)
            got = set(scope.filter(Organization.objects.all(), permission).values_list("id", flat=True))
            assert got == expected, (user.username, permission)
            entries = set(scope.filter(AuditEntry.objects.all(), permission).values_list("id", flat=True))
            assert entries == {e for e, o in entries_by_org.items() if o in expected}, (user.username, permission)
            rows = set(scope.filter(Membership.objects.all(), permission).values_list("id", flat=True))
            assert rows == {m for m, o in memberships_by_org.items() if o in expected}, (user.username, permission)
            touched = set(Organization.objects.filter(scope.touching(permission, "path")).values_list("id", flat=True))
            assert touched == expected_touching(holdings[user.pk], permission, archived), (user.username, permission)


def grant(nodes, *, where, role, subtree, expiry, username=None, unit=None) -> Membership:
    return services.grant_role(
        SYSTEM, organization_id=nodes[where].pk, role=role, subtree=subtree, username=username,
        unit_id=None if unit is None else unit.pk,
        expires_at=timezone.now() + timedelta(days=1) if expiry == "later" else None,
    )


def play(world) -> tuple[list[Organization], list]:
    nodes = build_forest(world["parents"])
    User = get_user_model()
    tag = nodes[0].name.split("-")[0]
    users = [User.objects.create(username=f"{tag}-u{i}") for i in range(len(world["memberships"]))]
    holdings: dict[int, list] = {u.pk: [] for u in users}
    lapsing: list[tuple[Membership, list, int]] = []

    # given: roles held by the users directly ...
    for user, drawn in zip(users, world["memberships"]):
        for where, role, subtree, expiry in drawn:
            membership = grant(nodes, where=where, role=role, subtree=subtree, expiry=expiry, username=user.username)
            holdings[user.pk].append([nodes[where].pk, role, subtree, False])
            if expiry == "lapsed":
                lapsing.append((membership, holdings[user.pk], len(holdings[user.pk]) - 1))
    # ... and through a unit's group that some of them belong to
    if world["unit"] is not None:
        unit_index, (where, role, subtree, expiry), members = world["unit"]
        unit = nodes[unit_index]
        membership = grant(nodes, where=where, role=role, subtree=subtree, expiry=expiry, unit=unit)
        group = services.unit_group(unit)
        for i in sorted(members):
            users[i].groups.add(group)
            holdings[users[i].pk].append([nodes[where].pk, role, subtree, False])
            if expiry == "lapsed":
                lapsing.append((membership, holdings[users[i].pk], len(holdings[users[i].pk]) - 1))
        scopes.bump_version()  # group membership is not a service operation yet: bump by hand

    # then each user's scope is the walk (this also warms the cache)
    check(users, holdings, archived=set())

    # when subtrees move, then the scopes follow on the next resolution
    for source, target in world["moves"]:
        try:
            org_services.move_organization(SYSTEM, organization_id=nodes[source].pk, new_parent_id=nodes[target].pk)
        except ServiceError as error:
            assert error.code.name == "CYCLE"
    check(users, holdings, archived=set())

    # when organizations are archived, then roles held there end (roles above still reach them)
    depth = dict(Organization.objects.filter(pk__in=[n.pk for n in nodes]).values_list("id", "depth"))
    archived = set()
    for index in sorted(world["archived"], key=lambda i: -depth[nodes[i].pk]):
        try:
            org_services.archive_organization(SYSTEM, organization_id=nodes[index].pk)
            archived.add(nodes[index].pk)
        except ServiceError as error:
            assert error.code.name == "HAS_ACTIVE_CHILDREN"
    check(users, holdings, archived)

    # when memberships lapse, then they grant nothing
    if lapsing:
        Membership.objects.filter(pk__in=[m.pk for m, _, _ in lapsing]).update(
            expires_at=timezone.now() - timedelta(minutes=1))
        for _, held, index in lapsing:
            held[index][3] = True
        scopes.bump_version()
        check(users, holdings, archived)
    return nodes, users


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds())
def test_scope_equals_a_walk_of_the_tree(world):
    # Each example runs in a savepoint rolled back at its end, in a cache namespace of its own (the scope
    # version rolls back with the savepoint; scopes cached under it must not outlive it).
    cache.key_prefix = f"hypothesis-{uuid.uuid4().hex}"
    with transaction.atomic():
        play(world)
        transaction.set_rollback(True)


def test_a_worked_example():
    # given a world worked out by hand: user 0 views node 1's subtree and administers node 4 alone,
    # user 1's auditor role lapses, user 1 rolls up node 3's subtree through unit 5's group;
    # then node 3 moves under node 4 and node 2 is archived
    world = {
        "parents": [None, 0, 1, 1, None, 4],
        "memberships": [[(1, Role.VIEWER, True, "never"), (4, Role.ORG_ADMIN, False, "later")],
                        [(0, Role.AUDITOR, True, "lapsed")]],
        "unit": (5, (3, Role.ROLLUP_VIEWER, True, "never"), {1}),
        "moves": [(3, 4)],
        "archived": {2},
    }
    with transaction.atomic():
        # when it is played (the property's checks run inside)
        nodes, users = play(world)

        # then user 0 sees node 1, archived node 2 below it and node 4 — not node 3, moved out from under 1
        def names(user, permission):
            return set(scopes.for_user(user).filter(Organization.objects.all(), permission).values_list("name", flat=True))

        assert names(users[0], "orgs.view_organization") == {nodes[i].name for i in (1, 2, 4)}
        assert names(users[0], "permissions.manage_membership") == {nodes[4].name}
        # and user 1 rolls up node 3 wherever it went, and audits nothing any more
        assert names(users[1], "rollups.view_rollup") == {nodes[3].name}
        assert names(users[1], "permissions.view_audit") == set()
        transaction.set_rollback(True)
