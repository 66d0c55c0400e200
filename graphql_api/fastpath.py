"""Plain rows completed in one pass (issue 15), not field by field through graphql-core.

graphql-core completes an object by executing each selected field: a ResolveInfo, the field's resolver wrapped by
every schema extension that hooks ``resolve`` (the optimizer), our deadline check, then the value's completion. A row
of a page (graphql_api/rows.py) holds its columns and the plan that makes its GraphQL values, so on a page of 50
children that machinery was most of the request's CPU (~1,000 fields). ``BudgetedExecutor`` (graphql_api/guards.py)
hands each row, and each relay edge whose node is a row (a row of a root page is its own edge: rows.Row), to
``selection`` (a page's list of them to ``complete_entries``, which finds the written completion once per page),
which completes it as graphql-core would:

- the selection is collected by the executor's own ``collect_subfields`` (fragments, aliases, ``@include``/``@skip``
  with the operation's variables, ``__typename``) once per (type, field nodes, values of the @include/@skip
  variables) for every request of the worker (bynodes.py), and completed by a function written for it, for a row
  one per plan (graphql_api/generated.py, as graphql-jit writes JavaScript for graphql-js): each field unrolled, its
  value made in line (a row's by its plan's expression for the field, rows.Plan.value; a row without a plan holds
  its values; a plain strawberry object's, such as an edge, a guardian, a claim, is the attribute of a field without
  a resolver or field extension, as strawberry's basic fields read it), a row's nested row and a list of plain
  objects completed in line too. The written functions hold no request's state: each call is given the request's
  executor, which locates and collects the errors;
- a leaf whose coercion is known to answer it unchanged (a ``str`` for String or ID, a ``bool`` for Boolean, an
  ``int`` in Int's range) or by a name (a member of a strawberry enum) is answered in line, without a call
  (``_as_is``); any other leaf goes through graphql-core's ``complete_leaf_value`` (the type's
  ``coerce_output_value``: Float, dates, custom scalars, a str in an enum's place); other lists item by item, other
  objects recursively; a null in a non-null position and a failed coercion raise graphql-core's own errors, located
  and propagated by the executor's ``handle_field_error``, field by field as graphql-core's ``execute_field``;
- a response path is passed down as plain ``(prev, key, typename)`` tuples, the shape of graphql-core's ``Path``
  (a named tuple, built in 240 ns against a tuple's 25), and made a ``Path`` only where graphql-core takes it: an
  error, or a value handed back to graphql-core;
- anything else met inside a row (an object that is neither, an abstract type) goes back to graphql-core with a
  ResolveInfo built for it.

No schema extension hooks ``resolve`` for a row's fields then: the only one that does, strawberry-django's optimizer,
acts on querysets, which a row never holds.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from functools import cache
from operator import attrgetter
from typing import Any

from graphql import (GRAPHQL_MAX_INT, GRAPHQL_MIN_INT, GraphQLBoolean, GraphQLError, GraphQLID, GraphQLInt, GraphQLList,
                     GraphQLObjectType, GraphQLString, is_abstract_type, is_leaf_type, is_list_type, is_non_null_type)
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path, Undefined, is_iterable
from strawberry.relay import Edge
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from graphql_api import generated
from graphql_api.bynodes import ByNodes
from graphql_api import rows
from graphql_api.rows import Row

Chain = Path | tuple  # a response path: a Path, or a plain (prev, key, typename) whose prev is a Chain
Complete = Callable[[Any, Any, Chain], Any]  # (executor, value, chain): the request's executor, passed at each call


def entry(object_type: GraphQLObjectType, value: Any) -> bool:
    """Whether graphql-core's completion of ``value`` as ``object_type`` is a row's (or an edge to a row: a relay
    Edge, or a row as its own edge, rows.Row)."""
    return _is_row(object_type, value) or (isinstance(value, Edge) and isinstance(value.node, Row)) or (
        isinstance(value, Row) and _node_type_name(object_type) == type(value).type_name)


def _node_type_name(object_type: GraphQLObjectType) -> str | None:
    """The name of an edge type's node type (None for a type without ``node``)."""
    node = object_type.fields.get("node")
    return None if node is None else getattr(bare(node.type), "name", None)


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


def complete_entries(executor, item_type, details: list, info, path: Path, items: list) -> list:
    """A list of rows or edges of rows (a page's ``edges``), completed as graphql-core's ``complete_iterable_value``
    completes a list item by item in a sync execution, each entry by its compiled selection, with the executor's
    deadline checked before it; any other item (a null, an object of another class) by graphql-core's
    ``complete_value``; an error raised by either handled by the executor's ``handle_field_error``."""
    object_type = bare(item_type)
    completed = []
    deadline = executor.abort_signal
    kind = found = write = plan = None  # the last item's kind (its class and its node's: a page's are all alike), its
    # selection and the completion written for it (for rows: for their plan)
    for index, item in enumerate(items):
        try:
            item_kind = (item.__class__, (item if isinstance(item, Row) else getattr(item, "node", None)).__class__)
            if item_kind != kind or (found is not None and found.row and item.plan is not plan):
                kind = item_kind
                found = selection(executor, object_type, details, item) if entry(object_type, item) else None
                plan = item.plan if found is not None and found.row else None
                write = found.writer(executor, plan) if found is not None else None
            if found is None:
                completed.append(executor.complete_value(item_type, details, info, Path(path, index, None), item, None))
            else:
                if deadline.aborted:  # BudgetedExecutor.check_deadline, in line
                    raise executor.abort_error()
                completed.append(write(executor, item, (path, index, None)))
        except Exception as raw_error:
            executor.handle_field_error(raw_error, item_type, details, Path(path, index, None))
            completed.append(None)
    return completed


def _compile(executor, object_type: GraphQLObjectType, details: list, row: bool) -> _Selection | None:
    if not row and object_type.is_type_of is not None:
        return None
    fields = _fields(executor, object_type, details, row)
    return None if fields is None else _Selection(object_type, row, fields)


def _fields(executor, object_type: GraphQLObjectType, details: list, row: bool) -> list | None:
    """The selection's fields (see ``_Selection``), or None where a plain object's field has a resolver."""
    grouped = executor.collect_subfields(object_type, details).grouped_field_set
    fields = []
    for key, field_details in grouped.items():
        name = field_details[0].node.name.value
        if name == "__typename":  # a str, always answered as it is: no completer
            fields.append((key, None, None, None, None, None, field_details))
            continue
        field_def = executor.schema.get_field(object_type, name)
        if field_def is None:
            continue  # graphql-core leaves an unknown field out of the answer
        read = name if row else _plain_attribute(field_def)
        if read is None:
            return None
        complete = _completer(field_def.type, object_type, field_def, field_details)
        fields.append((key, read, *_as_is(field_def.type), complete, field_def.type, field_details))
    return fields


def _completer(return_type, parent_type: GraphQLObjectType, field_def, details: list) -> Complete:
    """How a value of ``return_type`` is completed, as graphql-core's ``complete_value`` does it: an exception
    raised, a non-null type's null refused, a null answered as null, anything else completed by its kind."""
    non_null = is_non_null_type(return_type)
    complete = _kind(return_type.of_type if non_null else return_type, parent_type, field_def, details)
    message = _null_refused(parent_type, details)

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
    """A type's collected selection: per field (response key, what is read: the GraphQL name of a row's field or the
    plain object's attribute, None for ``__typename``; ``_as_is`` class and names, completer, field type, field
    details), in the selection's order; completed by a function written for it (``_written``), for a row one per
    plan its rows come with."""

    def __init__(self, object_type: GraphQLObjectType, row: bool, fields: list):
        self.object_type, self.type_name = object_type, object_type.name
        self.row = row
        self.fields = fields
        self._written = {}  # written by the first request that completes one (by plan), with its executor

    def complete(self, executor, value: Any, chain: Chain) -> dict[str, Any]:
        """The object's answer, each field's error handled as graphql-core's ``execute_field`` handles it."""
        return self.writer(executor, value.plan if self.row else None)(executor, value, chain)

    def writer(self, executor, plan: rows.Plan | None) -> Callable[[Any, Any, Chain], dict]:
        """The completion written for the rows of ``plan`` (None: a plain object's), by the first request that needs
        it. A page's entries find theirs once (``complete_entries``), an edge's node by its plan in line."""
        write = self._written.get(plan)
        if write is None:
            if len(self._written) >= _WRITTEN_PER_SELECTION:
                self._written.clear()  # plans made again after rows._PLANS let theirs go: never a growing pile
            write = self._written[plan] = _written(executor, self.object_type, self.fields, self.row, plan)
        return write


_WRITTEN_PER_SELECTION = 16


def _written(executor, object_type: GraphQLObjectType, fields: list, row: bool, plan: rows.Plan | None,
             ) -> Callable[[Any, Any, Chain], dict]:
    """The completion of a selection, unrolled (graphql_api/generated.py): each field's value made in line (a row's
    by its plan: rows.Plan.value; a row without a plan holds its values, a plain object its attributes) and answered
    in line where it is one that graphql-core's coercion answers unchanged or by a name (``_as_is``; an Int in its
    range as it is, as ``_complete_int``), else through its completer; an error raised by either handled by the
    executor's ``handle_field_error`` (located by the field's path) and the field answered null. Completed in line
    too, their selections collected now by ``executor``: a row's nested row (rows.One: ``_nested``), a list of plain
    objects (``_listed``); a field whose value is a row (an edge's node) goes straight to its row's selection."""
    source = generated.Source()
    source.names.update(Path=Path, _path=_path, _NAME=_NAME)
    if row:
        source.add("row = value.__dict__")
        if plan is not None:
            source.add("page, items = value.page, value.items")
    _write(source, executor, object_type, fields, row, plan, "data", "chain", 1)
    source.add("return data")
    return source.function(f"complete {object_type.name}", "executor, value, chain")


def _write(source: generated.Source, executor, object_type: GraphQLObjectType, fields: list, row: bool,
           plan: rows.Plan | None, data: str, chain: str, depth: int, value: str = "value") -> None:
    """``_written``'s lines for one object (the variable ``value``), its answer into the variable ``data``, its path
    ``chain``."""
    type_name = object_type.name
    c = source.fresh("c")
    if plan is not None:
        source.add(f"{c} = {plan.own_columns('row')}", depth)
    source.add(f"{data} = {{}}", depth)
    for key, read, exact, names, complete, field_type, details in fields:
        answer = f"{data}[{key!r}]"
        if read is None:
            source.add(f"{answer} = {type_name!r}", depth)
            continue
        source.add("try:", depth)
        nested = _nested(executor, plan, read, field_type, details) if plan is not None else None
        if nested is not None:
            one, nested_plan, nested_type, nested_fields = nested
            inner, inner_chain = source.fresh("data"), source.fresh("chain")
            source.add(f"if {source.name(one.visible)}({c}, page):", depth + 1)
            source.add(f"{inner_chain} = ({chain}, {key!r}, {type_name!r})", depth + 2)
            _write(source, executor, nested_type, nested_fields, True, nested_plan, inner, inner_chain, depth + 2)
            source.add(f"{answer} = {inner}", depth + 2)
            source.add("else:", depth + 1)
            if is_non_null_type(field_type):
                source.add(f"raise TypeError({_null_refused(type_name, details)!r})", depth + 2)
            else:
                source.add(f"{answer} = None", depth + 2)
        elif (listed := _listed(executor, object_type, details)) is not None:
            source.add(f"result = {_made(source, row, plan, read, c, value)}", depth + 1)
            link = source.fresh("chain")
            source.add(f"{link} = ({chain}, {key!r}, {type_name!r})", depth + 1)
            source.add("if result.__class__ is list:", depth + 1)
            _write_list(source, executor, listed, details, answer, link, depth + 2)
            source.add("else:", depth + 1)
            source.add(f"{answer} = {source.name(complete)}(executor, result, {link})", depth + 2)
        else:
            link = f"({chain}, {key!r}, {type_name!r})"
            completed = f"{source.name(complete)}(executor, result, {link})"
            if exact is not None:
                as_is = "result" if names is None else f"{source.name(names)}[result._name_]"
                completed = f"{as_is} if result.__class__ is {source.name(exact)} else {completed}"
            elif bare(field_type) is GraphQLInt:
                completed = (f"result if result.__class__ is int and {GRAPHQL_MIN_INT} <= result <= "
                             f"{GRAPHQL_MAX_INT} else {completed}")
            elif is_list_type(bare(field_type)) and (leaves := _leaf_list(source, bare(field_type))) is not None:
                completed = f"{leaves} else {completed}"
            made = _made(source, row, plan, read, c, value)
            if (spec := rows.SPECS.get(getattr(bare(field_type), "name", None))) is not None:  # an edge's node
                found = _compile(executor, bare(field_type), details, True)
                written = source.name(found._written)  # the node's completion for its plan, found without a call
                completed = (f"({written}.get(result.plan) or {source.name(found)}.writer(executor, result.plan))"
                             f"(executor, result, {link}) if result.__class__ is {source.name(spec.row)} else "
                             f"{completed}")
                if not row and read == "node":  # a row is its own edge (rows.Row): its node, without the property
                    made = f"{value} if {value}.__class__ is {source.name(spec.row)} else {made}"
            source.add(f"result = {made}", depth + 1)
            source.add(f"{answer} = {completed}", depth + 1)
        source.add("except Exception as raw_error:", depth)
        source.add(f"executor.handle_field_error(raw_error, {source.name(field_type)}, {source.name(details)}, "
                   f"Path(_path({chain}), {key!r}, {type_name!r}))", depth + 1)
        source.add(f"{answer} = None", depth + 1)


def _made(source: generated.Source, row: bool, plan: rows.Plan | None, read: str, c: str, value: str) -> str:
    """The expression of a field's value: a plain object's attribute; a row's by its plan (rows.Plan.value), or the
    value a row without a plan holds."""
    if not row:
        return f"{value}.{read}"
    return plan.value(read, source, c) if plan is not None and read in plan.fields else f"row[{read!r}]"


def _leaf_list(source: generated.Source, list_type: GraphQLList) -> str | None:
    """For a list of leaves whose coercion answers them unchanged or by a name (``_as_is``): the expression of its
    answer for a list (the variable ``result``) of such values alone, by C calls only (a child's categories: a
    completer and a loop per row), followed by the condition it needs (the caller's ``else`` completes any other
    value as graphql-core would); else None."""
    exact, names = _as_is(list_type.of_type)
    if exact is None:
        return None
    answer = "list(result)" if names is None else f"list(map({source.name(names)}.__getitem__, map(_NAME, result)))"
    return f"{answer} if result.__class__ is list and set(map(type, result)) <= {source.name(frozenset({exact}))}"


_NAME = attrgetter("_name_")


def _listed(executor, parent_type: GraphQLObjectType, details: list) -> tuple | None:
    """For a field of ``parent_type`` that is a list of a plain object type (no ``is_type_of``) whose selected fields
    have no resolver: (the item type, its strawberry class, the item completer, its selection's fields); else
    None."""
    field_def = parent_type.fields[details[0].node.name.value]
    list_type = bare(field_def.type)
    if not is_list_type(list_type):
        return None
    item_type = list_type.of_type
    object_type = bare(item_type)
    if type(object_type) is not GraphQLObjectType or object_type.is_type_of is not None:
        return None
    definition = object_type.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    fields = _fields(executor, object_type, details, False)
    if definition is None or fields is None:
        return None
    return item_type, definition.origin, _completer(item_type, parent_type, field_def, details), fields


def _write_list(source: generated.Source, executor, listed: tuple, details: list, answer: str, chain: str,
                depth: int) -> None:
    """The lines completing a list (the variable ``result``) of plain objects into ``answer``, as ``_list`` does, the
    objects of the type's own class in line, any other item by its completer."""
    item_type, origin, complete_item, fields = listed
    items, item, index, data, link = (source.fresh(stem) for stem in ("items", "item", "index", "data", "chain"))
    object_type = bare(item_type)
    source.add(f"{items} = []", depth)
    source.add(f"for {index}, {item} in enumerate(result):", depth)
    source.add("try:", depth + 1)
    source.add(f"{link} = ({chain}, {index}, None)", depth + 2)
    source.add(f"if {item}.__class__ is {source.name(origin)}:", depth + 2)
    _write(source, executor, object_type, fields, False, None, data, link, depth + 3, item)
    source.add(f"{items}.append({data})", depth + 3)
    source.add("else:", depth + 2)
    source.add(f"{items}.append({source.name(complete_item)}(executor, {item}, {link}))", depth + 3)
    source.add("except Exception as raw_error:", depth + 1)
    source.add(f"executor.handle_field_error(raw_error, {source.name(item_type)}, {source.name(details)}, "
               f"Path(_path({chain}), {index}, None))", depth + 2)
    source.add(f"{items}.append(None)", depth + 2)
    source.add(f"{answer} = {items}", depth)


def _nested(executor, plan: rows.Plan, name: str, field_type, details: list) -> tuple | None:
    """For a row's field that is a nested row of its plan (rows.One): (the One, its plan, the object type its spec
    serves, its selection's fields); else None."""
    entry = plan.fields.get(name)
    if not isinstance(entry, tuple):
        return None
    one, nested = entry
    nested_type = bare(field_type)
    if type(nested_type) is not GraphQLObjectType or nested_type.name != nested.spec.type_name:
        raise TypeError(f"rows.One {name!r} serves {nested.spec.type_name}, not the field's type {nested_type}")
    return one, nested, nested_type, _fields(executor, nested_type, details, True)


def _null_refused(parent_type, details: list) -> str:
    """graphql-core's message for a null in a non-null field."""
    return f"Cannot return null for non-nullable field {parent_type}.{details[0].node.name.value}."


def bare(graphql_type):
    """The type a non-null type wraps, or the type."""
    return graphql_type.of_type if is_non_null_type(graphql_type) else graphql_type


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


def _plain_attribute(field_def) -> str | None:
    """The attribute a strawberry basic field reads (no resolver, no field extension), or None."""
    field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if type(field) is not StrawberryField or not field.is_basic_field or field.default_resolver is not getattr:
        return None
    return field.python_name if field.python_name.isidentifier() and not keyword.iskeyword(field.python_name) else None
