from orgs.models import Organization


def org(name: str) -> Organization:
    return Organization.objects.get(name=name, archived_at__isnull=True)


def subtree_ids(root: Organization) -> set[int]:
    """Brute force: walk parent links from every organization (independent of paths)."""
    parents = dict(Organization.objects.values_list("id", "parent_id"))
    found = set()
    for node in parents:
        cursor = node
        while cursor is not None:
            if cursor == root.pk:
                found.add(node)
                break
            cursor = parents[cursor]
    return found
