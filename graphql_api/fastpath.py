"""Plain rows completed in one pass (issue 15), not field by field through graphql-core.

graphql-core completes an object by executing each selected field: a ResolveInfo, the field's resolver wrapped by
every schema extension that hooks ``resolve`` (the optimizer), our deadline check, then the value's completion. A row
of a page (graphql_api/rows.py) already holds its GraphQL values, so on a page of 50 children that machinery was
most of the request's CPU (~1,000 fields). ``BudgetedExecutor`` (graphql_api/guards.py) hands each row, and each
relay edge whose node is a row, to ``selection``, which completes it as graphql-core would:

- the selection is collected by the executor's own ``collect_subfields`` (fragments, aliases, ``@include``/``@skip``
  with the operation's variables, ``__typename``) and compiled into a reader and a completer per response key, once
  per (type, field nodes, values of the @include/@skip variables) for every request of the worker (bynodes.py); the
  compiled completers hold no request's state: each call is given the request's executor, which locates and
  collects the errors;
- a row's value is its attribute of the field's GraphQL name; a plain strawberry object's (an edge, a guardian, a
  claim) is the attribute of a field without a resolver or field extension, as strawberry's basic fields read it;
- a leaf whose coercion is known to answer it unchanged (a ``str`` for String or ID, a ``bool`` for Boolean) or by
  a name (a member of a strawberry enum) is answered in the row's loop, without a call (``_as_is``); an ``int`` in
  Int's range by its completer as it is (``_complete_int``); any other leaf goes through graphql-core's
  ``complete_leaf_value`` (the type's ``coerce_output_value``: Int, Float, dates,
  custom scalars, a str in an enum's place); lists item by item, nested rows and plain objects recursively; a null
  in a non-null position and a failed coercion raise graphql-core's own errors, located and propagated by the
  executor's ``handle_field_error``;
- a response path is passed down as plain ``(prev, key, typename)`` tuples, the shape of graphql-core's ``Path``
  (a named tuple, built in 240 ns against a tuple's 25), and made a ``Path`` only where graphql-core takes it: an
  error, or a value handed back to graphql-core;
- anything else met inside a row (an object that is neither, an abstract type) goes back to graphql-core with a
  ResolveInfo built for it.

No schema extension hooks ``resolve`` for a row's fields then: the only one that does, strawberry-django's optimizer,
acts on querysets, which a row never holds.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from operator import attrgetter, itemgetter
from typing import Any

from graphql import (GRAPHQL_MAX_INT, GRAPHQL_MIN_INT, GraphQLBoolean, GraphQLError, GraphQLID, GraphQLInt, GraphQLList,
                     GraphQLObjectType, GraphQLString, is_abstract_type, is_leaf_type, is_list_type, is_non_null_type)
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path, Undefined, is_iterable
from strawberry.relay import Edge
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from graphql_api.bynodes import ByNodes
from graphql_api.rows import Row

Chain = Path | tuple  # a response path: a Path, or a plain (prev, key, typename) whose prev is a Chain
Complete = Callable[[Any, Any, Chain], Any]  # (executor, value, chain): the request's executor, passed at each call


def entry(object_type: GraphQLObjectType, value: Any) -> bool:
    """Whether graphql-core's completion of ``value`` as ``object_type`` is a row's (or an edge to a row)."""
    return _is_row(object_type, value) or (isinstance(value, Edge) and isinstance(value.node, Row))


def _is_row(object_type: GraphQLObjectType, value: Any) -> bool:
    return isinstance(value, Row) and type(value).type_name == object_type.name


_COMPILED: ByNodes[_Selection | None] = ByNodes()


def selection(executor, object_type: GraphQLObjectType, details: list, value: Any) -> _Selection | None:
    """The compiled selection for ``value`` (a row or an edge), or None for a plain object that graphql-core
    completes: its type checks its objects (``is_type_of``) or a field it selects has a resolver or extension of its
    own. Compiled once per (type, field nodes, row or not, values of the @include/@skip variables under the nodes)
    and shared by every request that sends the same document (graphql_api/bynodes.py): a compiled selection holds
    no request's state (its completers take the executor at each call), and compiling it cost a page a tenth of
    its CPU, most of it in garbage that only the cycle collector frees. Within a request, each row of a list finds
    it by the list's field details (``executor.selections``, as graphql-core memoizes ``collect_subfields``)."""
    row = _is_row(object_type, value)
    key = (object_type, id(details), row)
    found = executor.selections.get(key)
    if found is None:  # the details are kept with it, so that their id is not reused while the request runs
        nodes = tuple(detail.node for detail in details)
        found = executor.selections[key] = (details, _COMPILED.get(
            (object_type, row), nodes, executor.fragments, executor.variable_values.coerced,
            lambda: _compile(executor, object_type, details, row)))
    return found[1]


def _compile(executor, object_type: GraphQLObjectType, details: list, row: bool) -> _Selection | None:
    if not row and object_type.is_type_of is not None:
        return None
    grouped = executor.collect_subfields(object_type, details).grouped_field_set
    fields = []
    for key, field_details in grouped.items():
        name = field_details[0].node.name.value
        if name == "__typename":  # a str, always answered as it is: no completer
            fields.append((key, _constant(object_type.name), str, None, None, None, field_details))
            continue
        field_def = executor.schema.get_field(object_type, name)
        if field_def is None:
            continue  # graphql-core leaves an unknown field out of the answer
        read = itemgetter(name) if row else _plain_reader(field_def)
        if read is None:
            return None
        complete = _completer(field_def.type, object_type, field_def, field_details)
        fields.append((key, read, *_as_is(field_def.type), complete, field_def.type, field_details))
    return _Selection(object_type.name, row, fields)


def _completer(return_type, parent_type: GraphQLObjectType, field_def, details: list) -> Complete:
    """How a value of ``return_type`` is completed, as graphql-core's ``complete_value`` does it: an exception
    raised, a non-null type's null refused, a null answered as null, anything else completed by its kind."""
    non_null = is_non_null_type(return_type)
    complete = _kind(return_type.of_type if non_null else return_type, parent_type, field_def, details)
    message = f"Cannot return null for non-nullable field {parent_type}.{details[0].node.name.value}."

    def completer(executor, value, chain):
        if isinstance(value, Exception):
            raise value
        completed = None if value is None or value is Undefined else complete(executor, value, chain)
        if completed is None and non_null:
            raise TypeError(message)
        return completed

    return completer


def _kind(return_type, parent_type: GraphQLObjectType, field_def, details: list) -> Complete:
    """How a value (not null) of a nullable ``return_type`` is completed: a list, a leaf, an object."""
    if is_list_type(return_type):
        return _list(return_type, parent_type, field_def, details)
    if return_type is GraphQLInt:
        return _complete_int
    if is_leaf_type(return_type):
        return lambda executor, value, chain: executor.complete_leaf_value(return_type, value)

    def info(executor, path):
        return executor.build_resolve_info(field_def, to_nodes(details), parent_type, path)

    if is_abstract_type(return_type):
        def complete_abstract(executor, value, chain):
            path = _path(chain)
            return executor.complete_abstract_value(return_type, details, info(executor, path), path, value, None)

        return complete_abstract
    # by the value's class, which decides it (see ``selection``); compiled by the first request that meets one, whose
    # switches are those of every request that reaches this completer (they are in its selection's key)
    selections: dict[type, _Selection | None] = {}

    def complete_object(executor, value, chain):
        cls = value.__class__
        if cls not in selections:
            selections[cls] = _compile(executor, return_type, details, _is_row(return_type, value))
        found = selections[cls]
        if found is None:
            path = _path(chain)
            return executor.complete_object_value(return_type, details, info(executor, path), path, value, None)
        return found.complete(executor, value, chain)

    return complete_object


def _complete_int(executor, value, chain):
    """An Int: an ``int`` in its range is what graphql-core's coercion answers for it, the value itself (an age, a
    grade: two per child of a page, each ~0.4 µs through the coercion); anything else (a bool, a float, out of
    range) goes through the coercion, its answer or its error."""
    if value.__class__ is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
        return value
    return executor.complete_leaf_value(GraphQLInt, value)


def _list(return_type: GraphQLList, parent_type: GraphQLObjectType, field_def, details: list) -> Complete:
    item_type = return_type.of_type
    complete_item = _completer(item_type, parent_type, field_def, details)
    exact, names = _as_is(item_type)
    message = f"Expected Iterable, but did not find one for field '{parent_type}.{details[0].node.name.value}'."

    def complete_list(executor, value, chain):
        if value.__class__ is not list and not is_iterable(value):
            raise GraphQLError(message)
        completed = []
        for index, item in enumerate(value):
            if item.__class__ is exact:
                completed.append(item if names is None else names[item._name_])
                continue
            try:
                completed.append(complete_item(executor, item, (chain, index, None)))
            except Exception as raw_error:
                executor.handle_field_error(raw_error, item_type, details, Path(_path(chain), index, None))
                completed.append(None)
        return completed

    return complete_list


class _Selection:
    """A type's collected selection, per field: (response key, reader, ``_as_is`` class and names, completer, field
    type, field details)."""

    def __init__(self, type_name: str, row: bool, fields: list):
        self.type_name = type_name
        self.row = row
        self.fields = fields

    def complete(self, executor, value: Any, chain: Chain) -> dict[str, Any]:
        """The object's answer, each field's error handled as graphql-core's ``execute_field`` handles it."""
        source = value.__dict__ if self.row else value
        data = {}
        for key, read, exact, names, complete, field_type, details in self.fields:
            try:
                result = read(source)
                if result.__class__ is exact:
                    data[key] = result if names is None else names[result._name_]
                else:
                    data[key] = complete(executor, result, (chain, key, self.type_name))
            except Exception as raw_error:
                executor.handle_field_error(raw_error, field_type, details, Path(_path(chain), key, self.type_name))
                data[key] = None
        return data


def _as_is(graphql_type) -> tuple[type | None, dict | None]:
    """The class of the values graphql-core's coercion of a leaf type answers unchanged, with None; for a strawberry
    enum, its Python enum with the name its coercion answers for each member (``_names``); (None, None) for anything
    else, completed by graphql-core's rules. The class is compared as is: a subclass (a ``bool`` is an ``int``, a
    SafeString a ``str``) goes through the coercion."""
    if is_non_null_type(graphql_type):
        graphql_type = graphql_type.of_type
    if graphql_type is GraphQLString or graphql_type is GraphQLID:
        return str, None
    if graphql_type is GraphQLBoolean:
        return bool, None
    names = _names(graphql_type) if type(graphql_type) is CustomGraphQLEnumType else None
    return (None, None) if names is None else (graphql_type.wrapped_cls, names)


@cache
def _names(enum_type: CustomGraphQLEnumType) -> dict | None:
    """What strawberry's coercion answers for each member of a GraphQL enum's Python enum, by the member's name (a
    str hashes in C, a member in Python): the first GraphQL name whose value equals the member's. Once per type: the
    schema's types live as long as the process. None if a member has no name: its coercion raises strawberry's
    error."""
    names = {member._name_: next((name for name, value in enum_type.values.items() if member.value == value.value),
                                 None) for member in enum_type.wrapped_cls}
    return None if None in names.values() else names


def _path(chain: Chain) -> Path:
    """graphql-core's Path for a chain (whose first link is the executor's Path of the row or edge)."""
    if type(chain) is Path:
        return chain
    return Path(_path(chain[0]), chain[1], chain[2])


def _plain_reader(field_def):
    """The attribute a strawberry basic field reads (no resolver, no field extension), or None."""
    field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if type(field) is not StrawberryField or not field.is_basic_field or field.default_resolver is not getattr:
        return None
    return attrgetter(field.python_name)


def _constant(value: str):
    return lambda _source: value
