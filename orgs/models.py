from django.db import models
from django.db.models import F, Func, Q

from orgs import paths


class System(models.TextChoices):
    LEAGUE = "LEAGUE", "共青团"
    WOMENS_FEDERATION = "WOMENS_FEDERATION", "妇联"
    CARE_COMMITTEE = "CARE_COMMITTEE", "关工委"
    YOUNG_PIONEERS = "YOUNG_PIONEERS", "少工委"
    YOUTH_FEDERATION = "YOUTH_FEDERATION", "青联"
    UNIT = "UNIT", "单位"


class Kind(models.TextChoices):
    LEAGUE_COMMITTEE = "LEAGUE_COMMITTEE", "团委"
    LEAGUE_BRANCH = "LEAGUE_BRANCH", "团支部/团工委"
    WOMENS_FEDERATION = "WOMENS_FEDERATION", "妇联"
    VILLAGE_WOMENS_FEDERATION = "VILLAGE_WOMENS_FEDERATION", "村妇联"
    CARE_COMMITTEE = "CARE_COMMITTEE", "关工委"
    PIONEERS_COMMITTEE = "PIONEERS_COMMITTEE", "少工委"
    YOUTH_FEDERATION = "YOUTH_FEDERATION", "青联"
    GOVERNMENT_DEPARTMENT = "GOVERNMENT_DEPARTMENT", "县直单位"
    STATE_ENTERPRISE = "STATE_ENTERPRISE", "国有企业"
    COMPANY = "COMPANY", "企业"
    SCHOOL = "SCHOOL", "学校"
    UNIVERSITY = "UNIVERSITY", "高校"
    HOSPITAL = "HOSPITAL", "医院"
    SOCIAL_ORGANIZATION = "SOCIAL_ORGANIZATION", "社会组织"
    VOLUNTEER_ASSOCIATION = "VOLUNTEER_ASSOCIATION", "志愿者协会"


# Which kinds each system's organizations are, and under which systems' bodies they may sit (units under any).
KINDS = {
    System.LEAGUE: {Kind.LEAGUE_COMMITTEE, Kind.LEAGUE_BRANCH},
    System.WOMENS_FEDERATION: {Kind.WOMENS_FEDERATION, Kind.VILLAGE_WOMENS_FEDERATION},
    System.CARE_COMMITTEE: {Kind.CARE_COMMITTEE},
    System.YOUNG_PIONEERS: {Kind.PIONEERS_COMMITTEE},
    System.YOUTH_FEDERATION: {Kind.YOUTH_FEDERATION},
    System.UNIT: {Kind.GOVERNMENT_DEPARTMENT, Kind.STATE_ENTERPRISE, Kind.COMPANY, Kind.SCHOOL, Kind.UNIVERSITY,
                  Kind.HOSPITAL, Kind.SOCIAL_ORGANIZATION, Kind.VOLUNTEER_ASSOCIATION},
}
# 少工委 and 青联 work under the league (团委 leads them); every other system is its own tree.
PARENT_SYSTEMS = {
    System.LEAGUE: {System.LEAGUE},
    System.WOMENS_FEDERATION: {System.WOMENS_FEDERATION},
    System.CARE_COMMITTEE: {System.CARE_COMMITTEE},
    System.YOUNG_PIONEERS: {System.YOUNG_PIONEERS, System.LEAGUE},
    System.YOUTH_FEDERATION: {System.YOUTH_FEDERATION, System.LEAGUE},
    System.UNIT: set(System),
}


class Level(models.IntegerChoices):
    NATIONAL = 1, "全国"
    PROVINCE = 2, "省"
    CITY = 3, "市"
    COUNTY = 4, "县/区"
    TOWNSHIP = 5, "乡镇/街道"
    VILLAGE = 6, "村/社区"


class Bytewise(Func):
    """A path column compared byte by byte: ``COLLATE "C"`` on PostgreSQL, whose default collation here (C.UTF-8)
    an index in path order does not serve; as is elsewhere. The same order either way (paths are ASCII)."""

    arity = 1

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template='%(expressions)s COLLATE "C"', **extra)

    def as_sql(self, compiler, connection, template="%(expressions)s", **extra):
        return super().as_sql(compiler, connection, template=template, **extra)


def page_index(model: str, *columns: str, path: str = "org_path", include: tuple[str, ...] = (),
               condition: Q | None = None) -> models.Index:
    """The index a connection's page reads in one order: the ``path`` the scope's range condition reads (the owner's
    path, in byte order) and then the order's columns, so that ``id IN (SELECT id ... ORDER BY ... LIMIT n)`` reads
    the scope's range from the index alone and sorts only ids (graphql_api/connection.py). ``include``: the columns of
    the list's other conditions, which the index must hold for that read to stay index-only; ``condition``: a list
    that always has one (the published board's state) gets an index of just those rows. ``model`` names the index.
    A page of rows owned by a person or a unit rather than a subtree: ``models.Index(fields=[owner, *columns])``."""
    return models.Index(Bytewise(path), *map(F, columns), name=f"{model}_page_{'_'.join(columns)}"[:30],
                        include=include, condition=condition)


class OrganizationQuerySet(models.QuerySet):
    def active(self):
        """Organizations where work can be done: not archived (nor merged away, which archives)."""
        return self.filter(archived_at__isnull=True)


class Organization(models.Model):
    """A tenant. The forest is kept as a materialized path (see orgs/paths.py) plus a parent key."""

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    system = models.CharField("系统", max_length=32, choices=System.choices)
    kind = models.CharField("类型", max_length=32, choices=Kind.choices)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    division_code = models.CharField("行政区划代码", max_length=12, blank=True, db_index=True)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级")
    path = models.CharField(max_length=paths.MAX_LENGTH, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True, editable=False)
    merged_into = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    # How permissions/ scopes this model: (path field, organization key field).
    scope_fields = ("path", "id")

    class Meta:
        ordering = ["path"]
        # The orders of the organizations list within the scope's range (the default, by path, and totalCount read
        # any of them). Each holds archived_at, the list's condition, so that the page and its count read the index
        # alone (issue 15); migration 0004 also puts every path into the statistics (see there).
        indexes = [page_index("organization", column, "id", path="path", include=("archived_at",))
                   for column in ("name", "level", "division_code", "created_at")]
        verbose_name = verbose_name_plural = "组织"
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], condition=Q(archived_at__isnull=True), name="org_unique_active_sibling_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class TenantOwned(models.Model):
    """Base for every tenant-owned row: the owning organization and a copy of its path for scoping.

    ``org_path`` is kept right by orgs.services when a subtree moves or merges; rows written in bulk
    must set it themselves.
    """

    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+", verbose_name="所属组织")
    org_path = models.CharField(max_length=paths.MAX_LENGTH, db_index=True, editable=False)

    scope_fields = ("org_path", "organization_id")
    # Whether PostgreSQL keeps this table's rows counted by path (PathCount, orgs/counts.py), so that a page's
    # totalCount over a scope sums the scope's paths instead of reading its rows: the big lists' tables.
    path_counted = False

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.org_path = self.organization.path
        super().save(*args, **kwargs)


class PathCount(models.Model):
    """How many rows of ``table`` carry ``org_path``, kept by PostgreSQL's triggers as deltas, one row per path a
    statement changed (``rows`` negative for rows removed), folded now and then (orgs/counts.py)."""

    table = models.CharField(max_length=63)
    org_path = models.CharField(max_length=paths.MAX_LENGTH)
    rows = models.BigIntegerField()

    class Meta:
        # the table's paths in pattern order, with their counts: a scope's sum reads the index alone
        indexes = [models.Index(fields=["table", "org_path"], name="orgs_pathcount_table_path",
                                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"], include=["rows"])]
