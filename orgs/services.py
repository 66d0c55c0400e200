"""Changes to the organization forest. Every rule lives here; GraphQL, the admin and commands call these."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from core import sql
from core.errors import ServiceError, permission_denied
from orgs import divisions, paths
from orgs.errors import OrgErrorCode as E
from orgs.models import KINDS, PARENT_SYSTEMS, Kind, Level, Organization, System, TenantOwned
from permissions import audit
from permissions.actor import Actor
from permissions import services as access
from permissions.scope import bump_version

VIEW = "orgs.view_organization"
MANAGE = "orgs.manage_organization"
EDITABLE = ("name", "short_name", "system", "kind", "level", "division_code")


def _managed(actor: Actor, organization_id, field: str = "id", *, lock: bool = False, whole_subtree: bool = False) -> Organization:
    """The organization if the actor may manage it; ``whole_subtree`` when the change carries its subtree along."""
    queryset = Organization.objects.select_for_update() if lock else Organization.objects.all()
    organization = actor.get_visible(queryset, VIEW, organization_id, field)
    (actor.require_subtree if whole_subtree else actor.require)(MANAGE, organization, field)
    return organization


def _level_fits(level: int, system: str, parent: Organization) -> bool:
    return level >= parent.level if system == System.UNIT else level > parent.level


def _system_fits(system: str, parent: Organization) -> bool:
    return parent.system in PARENT_SYSTEMS.get(system, ())


def validate(org: Organization, parent: Organization | None, *, check_children: bool, check_region: bool = True) -> None:
    problems = []
    org.name = (org.name or "").strip()
    if not org.name:
        problems.append((E.NAME_REQUIRED, "name", {}))
    code = org.division_code = (org.division_code or "").strip()
    if code and not divisions.is_well_formed(code):
        problems.append((E.INVALID_DIVISION_CODE, "division_code", {"code": code}))
    elif check_region and code and parent and parent.division_code and not divisions.is_within(code, parent.division_code):
        problems.append((E.DIVISION_OUTSIDE_PARENT, "division_code", {"code": code, "parent_code": parent.division_code}))
    if org.system in KINDS and org.kind not in KINDS[org.system]:
        problems.append((E.KIND_NOT_OF_SYSTEM, "kind", {"kind": Kind(org.kind).label if org.kind in Kind.values else org.kind,
                                                        "system": System(org.system).label}))
    if parent is not None and org.system in KINDS and not _system_fits(org.system, parent):
        problems.append((E.SYSTEM_NOT_UNDER_PARENT, "system", {"system": System(org.system).label,
                                                               "parent_system": System(parent.system).label}))
    if parent is not None and not _level_fits(org.level, org.system, parent):
        problems.append((E.LEVEL_NOT_BELOW_PARENT, "level",
                         {"level": Level(org.level).label, "parent_level": Level(parent.level).label}))
    if parent is not None and org.name:
        siblings = Organization.objects.active().filter(parent=parent, name=org.name).exclude(pk=org.pk)
        if siblings.exists():
            problems.append((E.DUPLICATE_NAME, "name", {"name": org.name}))
    if check_children and org.pk:
        for child in Organization.objects.active().filter(parent=org):
            if not _level_fits(child.level, child.system, org):
                problems.append((E.LEVEL_NOT_ABOVE_CHILDREN, "level", {"level": Level(org.level).label, "child": child.name}))
                break
        for child in Organization.objects.active().filter(parent=org):
            if not _system_fits(child.system, org):
                problems.append((E.SYSTEM_EXCLUDES_CHILDREN, "system", {"system": System(org.system).label, "child": child.name}))
                break
        for child in Organization.objects.active().filter(parent=org).exclude(division_code=""):
            if code and not divisions.is_within(child.division_code, code):
                problems.append((E.DIVISION_EXCLUDES_CHILDREN, "division_code", {"code": code, "child": child.name}))
                break
    if problems:
        raise ServiceError.many(problems)


def _next_path(parent: Organization | None) -> str:
    siblings = Organization.objects.filter(parent=parent) if parent else Organization.objects.filter(depth=1)
    last = siblings.order_by("-path").values_list("path", flat=True).first()
    return paths.next_child_path(parent.path if parent else "", last)


def _changes(org: Organization) -> dict:
    return {f: getattr(org, f) for f in EDITABLE}


@transaction.atomic
def create_organization(actor: Actor, *, parent_id=None, **fields) -> Organization:
    if parent_id is None:
        if not actor.scope.everything:
            raise ServiceError(E.ROOT_NEEDS_SUPERUSER, "parent_id")
        parent = None
    else:
        parent = _managed(actor, parent_id, "parent_id", lock=True)
    org = Organization(parent=parent, **{f: fields.get(f) or "" for f in EDITABLE if f != "level"}, level=fields["level"])
    validate(org, parent, check_children=False)
    org.path = _next_path(parent)
    org.depth = paths.depth_of(org.path)
    org.save()
    audit.record(actor, "organization.create", org, org, _changes(org))
    return org


@transaction.atomic
def update_organization(actor: Actor, *, organization_id, **fields) -> Organization:
    org = _managed(actor, organization_id, lock=True)
    before = _changes(org)
    for name in EDITABLE:
        if fields.get(name) is not None:
            setattr(org, name, fields[name])
    validate(org, org.parent, check_children=True)
    org.save()
    after = _changes(org)
    audit.record(actor, "organization.update", org, org, {k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return org


def _tenant_models():
    return [m for m in apps.get_models() if issubclass(m, TenantOwned)]


# What moves with an organization, for the confirmation before a move, merge or archive: rows that only link
# others (a campaign's coverage, a request's addressees) are not listed; labels where the model has none.
NOT_LISTED = {"programs.CampaignCoverage", "rollups.ReportAddressee"}
LABELS = {"programs.ServiceRecord": "服务时长记录", "accounts.Profile": "账号"}


def contents(actor: Actor, *, organization_id) -> list[tuple[str, str, int]]:
    """(key, label, count) of the active sub-organizations and of each kind of record owned in the subtree, in
    one statement; kinds with none are left out. Needs the right to manage the whole subtree."""
    org = _managed(actor, organization_id, whole_subtree=True)
    kinds = [("orgs.Organization", "下级组织",
              Organization.objects.filter(path__startswith=org.path, archived_at__isnull=True).exclude(pk=org.pk))]
    kinds += [(model._meta.label, LABELS.get(model._meta.label, str(model._meta.verbose_name)),
               model._base_manager.filter(org_path__startswith=org.path))
              for model in _tenant_models() if model._meta.label not in NOT_LISTED]
    counts = sql.select([sql.aggregate(rows) for _key, _label, rows in kinds])
    return [(key, label, count) for (key, label, _rows), count in zip(kinds, counts) if count]


def _path_owning_models():
    """Every model that copies an organization path for scoping, besides Organization itself."""
    return [m for m in apps.get_models() if getattr(m, "scope_fields", ("path",))[0] != "path"]


def _settle_duplicates(model, source: Organization, target: Organization) -> None:
    """Rows that exist once per organization and matter (a campaign's coverage, a report per request) would
    collide when the source's rows move to the target. Where the model says a second copy says nothing new
    (``merge_drops_duplicates``) the source's copy goes; anything else is a MERGE_CONFLICT to settle first."""
    for constraint in model._meta.constraints:
        fields = list(getattr(constraint, "fields", ()))
        if "organization" not in fields or len(fields) != 2:
            continue
        other = next(f for f in fields if f != "organization")
        held = model._base_manager.filter(organization=target).values(other)
        clashing = model._base_manager.filter(organization=source, **{f"{other}__in": held})
        if not clashing.exists():
            continue
        if not getattr(model, "merge_drops_duplicates", False):
            raise ServiceError(E.MERGE_CONFLICT, "source_id", what=model._meta.verbose_name)
        clashing.delete()


def _rewrite_paths(old: str, new: str) -> None:
    """Re-root every path under ``old`` to ``new``, in the forest and in every copied org_path."""
    tail = Substr("path", len(old) + 1)
    Organization.objects.filter(path__startswith=old).update(
        path=Concat(Value(new), tail), depth=F("depth") + (paths.depth_of(new) - paths.depth_of(old))
    )
    for model in _path_owning_models():
        field = model.scope_fields[0]
        model._base_manager.filter(**{f"{field}__startswith": old}).update(
            **{field: Concat(Value(new), Substr(field, len(old) + 1))}
        )


def _reparent(org: Organization, new_parent: Organization, *, check_region: bool = True) -> None:
    if new_parent.path.startswith(org.path):
        raise ServiceError(E.CYCLE, "new_parent_id")
    validate(org, new_parent, check_children=False, check_region=check_region)
    old_path = org.path
    new_path = _next_path(new_parent)
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    _rewrite_paths(old_path, new_path)
    org.parent, org.path, org.depth = new_parent, new_path, paths.depth_of(new_path)


@transaction.atomic
def move_organization(actor: Actor, *, organization_id, new_parent_id) -> Organization:
    org = _managed(actor, organization_id, lock=True, whole_subtree=True)
    new_parent = _managed(actor, new_parent_id, "new_parent_id", lock=True)
    if org.parent_id == new_parent.pk:
        return org
    old_parent = org.parent
    _reparent(org, new_parent)
    bump_version()
    audit.record(actor, "organization.move", org, org, {"from": old_parent.name if old_parent else None, "to": new_parent.name})
    return org


@transaction.atomic
def merge_organizations(actor: Actor, *, source_id, target_id) -> Organization:
    """Merge ``source`` into ``target``: sub-organizations and every owned record move, source is archived."""
    source = _managed(actor, source_id, "source_id", lock=True, whole_subtree=True)
    target = _managed(actor, target_id, "target_id", lock=True)
    if source.pk == target.pk:
        raise ServiceError(E.MERGE_SAME, "target_id")
    if (source.system, source.level) != (target.system, target.level):
        raise ServiceError(E.MERGE_MISMATCH, "target_id")
    if target.path.startswith(source.path):
        raise ServiceError(E.CYCLE, "target_id")
    # The survivor's region absorbs the source's: the children keep their own division codes.
    for child in Organization.objects.active().filter(parent=source).order_by("path"):
        _reparent(child, target, check_region=False)
    access.carry_roles(source, target)
    for model in _tenant_models():
        _settle_duplicates(model, source, target)
        model._base_manager.filter(organization=source).update(organization=target, org_path=target.path)
    source.archived_at = timezone.now()
    source.merged_into = target
    source.save(update_fields=["archived_at", "merged_into", "updated_at"])
    bump_version()
    audit.record(actor, "organization.merge", target, target, {"merged": source.name, "mergedId": source.pk})
    return target


@transaction.atomic
def archive_organization(actor: Actor, *, organization_id) -> Organization:
    org = _managed(actor, organization_id, lock=True)
    if org.parent_id is None and not actor.scope.everything:
        raise permission_denied("id")
    if Organization.objects.active().filter(parent=org).exists():
        raise ServiceError(E.HAS_ACTIVE_CHILDREN, "id", name=org.name)
    org.archived_at = timezone.now()
    org.save(update_fields=["archived_at", "updated_at"])
    bump_version()
    audit.record(actor, "organization.archive", org, org, {})
    return org
