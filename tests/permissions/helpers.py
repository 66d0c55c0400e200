"""Helpers shared by the permission tests: global IDs, tree walks from parent links, paging, grants."""

from django.contrib.auth import get_user_model
from strawberry.relay import from_base64, to_base64

from orgs.models import Organization
from permissions import services
from permissions.actor import Actor

SYSTEM = Actor.system("test")


def gid(type_name: str, pk) -> str:
    return to_base64(type_name, pk)


def pk_of(global_id: str) -> int:
    return int(from_base64(global_id)[1])


def org(name: str) -> Organization:
    return Organization.objects.get(name=name, archived_at__isnull=True)


def parent_links() -> dict[int, int | None]:
    return dict(Organization.objects.values_list("id", "parent_id"))


def subtree_ids(root_id: int, parents: dict[int, int | None] | None = None) -> set[int]:
    """Brute force, independent of paths: every organization whose chain of parent links reaches ``root_id``."""
    parents = parent_links() if parents is None else parents
    found = set()
    for node in parents:
        cursor = node
        while cursor is not None:
            if cursor == root_id:
                found.add(node)
                break
            cursor = parents[cursor]
    return found


def ancestor_ids(node_id: int, parents: dict[int, int | None] | None = None) -> list[int]:
    """Ancestors by parent links, root first (the node itself excluded)."""
    parents = parent_links() if parents is None else parents
    chain = []
    cursor = parents[node_id]
    while cursor is not None:
        chain.append(cursor)
        cursor = parents[cursor]
    return list(reversed(chain))


def collect(client, query: str, field: str, variables: dict | None = None, page: int = 100) -> list[dict]:
    """Every node of the root connection ``field``, paging through with ``after`` (the query takes $first, $after)."""
    nodes, after = [], None
    for _ in range(100):
        data = client(query, {**(variables or {}), "first": page, "after": after})[field]
        nodes += [edge["node"] for edge in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            assert len(nodes) == data["totalCount"]
            return nodes
        after = data["pageInfo"]["endCursor"]
    raise AssertionError("paging did not end")


def new_user(username: str, password: str | None = None):
    User = get_user_model()
    user = User(username=username, first_name=username)
    user.set_password(password or "x-test-pass")
    user.save()
    return user


def grant(username: str, organization: Organization, role: str, subtree: bool = True, expires_at=None):
    """A role granted by the platform itself (no scope in the way)."""
    return services.grant_role(SYSTEM, organization_id=organization.pk, role=role, username=username,
                               subtree=subtree, expires_at=expires_at)


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["errors"]]
