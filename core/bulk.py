"""Many new rows at once: ``insert`` is bulk_create, with COPY underneath on PostgreSQL.

At 10⁵ rows Django's bulk_create spends most of its time compiling the INSERT (a per-field, per-row
``prepare_value``) and psycopg most of the rest adapting the huge parameter lists; PostgreSQL's COPY takes the
same values as a stream. The values are prepared by the model's own fields as ``save()`` prepares them
(``pre_save`` then ``get_db_prep_save``): an ``EncryptedTextField`` encrypts, ``auto_now_add`` stamps, a
``JSONField`` dumps, with no second copy of those rules here. The one shortcut: values that a stock Django
field passes to PostgreSQL unchanged (a ``str`` for a CharField, an ``int`` key, a ``date``, an aware
``datetime``, ``None``) skip the field's call chain, which costs more than the rest of the row together;
tests/children/test_bulk_insert.py pins that the shortcut gives what the fields give. Other databases take bulk_create,
so there is one code path above this function and the backend switch sits here, at the lowest level.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import connections, models, router

# Stock field classes (exactly these: a subclass may prepare values its own way, as EncryptedTextField does)
# and the value type each passes to PostgreSQL as it is.
_PASSED_AS_IS = {
    models.CharField: str, models.TextField: str, models.SlugField: str, models.EmailField: str,
    models.AutoField: int, models.BigAutoField: int, models.SmallAutoField: int, models.IntegerField: int,
    models.BigIntegerField: int, models.SmallIntegerField: int, models.PositiveIntegerField: int,
    models.PositiveBigIntegerField: int, models.PositiveSmallIntegerField: int, models.BooleanField: bool,
    models.DateField: date,
}


def _plain_type(field):
    if type(field) is models.ForeignKey:
        return _plain_type(field.target_field)
    return _PASSED_AS_IS.get(type(field))


def _preparer(field, connection):
    """A function of the model instance giving the field's database value, as save() prepares it."""
    attname, prep = field.attname, field.get_db_prep_save
    get = (lambda obj: getattr(obj, attname)) if type(field).pre_save is models.Field.pre_save \
        else (lambda obj: field.pre_save(obj, True))
    plain = _plain_type(field)
    if type(field) is models.DateTimeField:
        def prepare(obj):
            value = get(obj)
            return value if value is None or type(value) is datetime and value.utcoffset() is not None \
                else prep(value, connection)
    elif plain is not None:
        def prepare(obj):
            value = get(obj)
            return value if value is None or type(value) is plain else prep(value, connection)
    else:
        def prepare(obj):
            return prep(get(obj), connection)
    return prepare


def insert(model, objs: list, *, with_pk: bool = False) -> list:
    """Insert the unsaved ``objs`` of ``model`` as ``bulk_create`` would (no signals, no ``save()``) and
    return them marked as saved. With ``with_pk`` each object gets its primary key, as bulk_create gives it
    on backends that return ids (on PostgreSQL the keys are drawn from the table's sequence first and sent
    with the rows). Database errors surface as Django's (``IntegrityError`` on a unique clash), inside the
    caller's transaction like any statement. The COPY does not pass through ``connection.execute_wrapper``.
    """
    if not objs:
        return objs
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return model._base_manager.using(alias).bulk_create(objs)
    meta, quote = model._meta, connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if with_pk or f is not meta.pk]
    preparers = [_preparer(f, connection) for f in fields]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        connection.validate_no_broken_transaction()
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        if with_pk:
            raw.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                        [meta.db_table, meta.pk.column, len(objs)])
            for obj, (pk,) in zip(objs, raw.fetchall()):
                obj.pk = pk
        columns = ", ".join(quote(f.column) for f in fields)
        with raw.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
                copy.write_row([prepare(obj) for prepare in preparers])
    for obj in objs:
        obj._state.adding, obj._state.db = False, alias
    return objs
