"""The dirty marks: database triggers, generated from the metric catalogue (rollups.metrics), that write a
DirtyMark for the owning organization in the same transaction as any write that can change a figure: inserts,
deletes, and updates that change a watched column, whether by a service, a bulk update or a migration.

A change of owner marks both organizations. On the forest, a changed parent (move, merge) or archive marks the
old and the new parent's subtree (DirtyMark.subtree), and so all their ancestors. Installed after every
``migrate`` (post_migrate, rollups.apps), so adding a metric needs no migration of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection as default_connection

from orgs.models import Organization
from rollups import metrics
from rollups.models import DirtyMark

PREFIX = "rollups_mark"


@dataclass(frozen=True)
class Trigger:
    table: str
    columns: tuple[str, ...]  # updates of these mark
    organization: str  # SQL of the organization id, with {row} for NEW or OLD
    subtree: bool = False  # a new organization has no figures: only deletes and updates mark its parent


def _organization(model, owner: str) -> str:
    """SQL of the organization id of a row of ``model`` ({row}: NEW or OLD), following the foreign keys of
    ``owner`` ("case__child": an incident's case's child) to the row that holds it."""
    if not owner:
        return "{row}.organization_id"
    key = None
    for name in owner.split("__"):
        field = model._meta.get_field(name)
        key = (f"{{row}}.{field.column}" if key is None else
               f"(SELECT {field.column} FROM {model._meta.db_table} WHERE {model._meta.pk.column} = {key})")
        model = field.related_model
    return f"(SELECT organization_id FROM {model._meta.db_table} WHERE {model._meta.pk.column} = {key})"


def _triggers() -> list[Trigger]:
    found: dict[type, tuple[str, set[str]]] = {}
    for metric in metrics.METRICS:
        for watch in metric.watches():
            owner, columns = found.setdefault(watch.model, (watch.owner, set()))
            assert owner == watch.owner, f"{watch.model}: one owner per table"
            columns.update(watch.columns)
    out = []
    for model, (owner, columns) in found.items():
        out.append(Trigger(model._meta.db_table, tuple(sorted(columns)), _organization(model, owner)))
    out.append(Trigger(Organization._meta.db_table, ("archived_at", "parent_id"), "{row}.parent_id", subtree=True))
    return out


def _insert(trigger: Trigger, row: str, unless: str | None = None) -> str:
    """INSERT of the mark for the NEW or OLD row (none when its organization is unknown, or is ``unless``)."""
    value = trigger.organization.format(row=row)
    condition = "o IS NOT NULL" + (f" AND o <> ({unless.format(row='NEW')})" if unless else "")
    return (f"INSERT INTO {DirtyMark._meta.db_table} (organization_id, subtree) "
            f"SELECT o, {'TRUE' if trigger.subtree else 'FALSE'} FROM (SELECT {value} AS o) AS mark WHERE {condition};")


def _changed(trigger: Trigger, different: str) -> str:
    return " OR ".join(f"OLD.{c} {different} NEW.{c}" for c in trigger.columns)


def _postgresql(trigger: Trigger) -> list[str]:
    t = trigger.table
    name = f"{PREFIX}_{t}"
    return [
        f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN {_insert(trigger, 'NEW')}
  ELSIF TG_OP = 'DELETE' THEN {_insert(trigger, 'OLD')}
  ELSE {_insert(trigger, 'NEW')} {_insert(trigger, 'OLD', unless=trigger.organization)}
  END IF;
  RETURN NULL;
END $$""",
        f"DROP TRIGGER IF EXISTS {PREFIX}_row ON {t}",
        f"DROP TRIGGER IF EXISTS {PREFIX}_update ON {t}",
        f"CREATE TRIGGER {PREFIX}_row AFTER {'' if trigger.subtree else 'INSERT OR '}DELETE ON {t} FOR EACH ROW "
        f"EXECUTE FUNCTION {name}()",
        f"CREATE TRIGGER {PREFIX}_update AFTER UPDATE OF {', '.join(trigger.columns)} ON {t} FOR EACH ROW "
        f"WHEN ({_changed(trigger, 'IS DISTINCT FROM')}) EXECUTE FUNCTION {name}()",
    ]


def _sqlite(trigger: Trigger) -> list[str]:
    t = trigger.table
    name = f"{PREFIX}_{t}"
    statements = [f"DROP TRIGGER IF EXISTS {name}_{event}" for event in ("insert", "delete", "update")]
    return statements + [
        *([] if trigger.subtree else [f"CREATE TRIGGER {name}_insert AFTER INSERT ON {t} BEGIN {_insert(trigger, 'NEW')} END"]),
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {t} BEGIN {_insert(trigger, 'OLD')} END",
        f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(trigger.columns)} ON {t} "
        f"WHEN {_changed(trigger, 'IS NOT')} BEGIN {_insert(trigger, 'NEW')} "
        f"{_insert(trigger, 'OLD', unless=trigger.organization)} END",
    ]


def install(connection=None) -> int:
    """(Re)create every trigger; returns how many tables are watched."""
    connection = connection or default_connection
    write = {"postgresql": _postgresql, "sqlite": _sqlite}[connection.vendor]
    triggers = _triggers()
    with connection.cursor() as cursor:
        for trigger in triggers:
            for statement in write(trigger):
                cursor.execute(statement)
    return len(triggers)
