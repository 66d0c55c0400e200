"""What is made once per selection and kept across requests (issue 15): a page's plan (graphql_api/rows.py), a
row's compiled completion (graphql_api/fastpath.py).

Such a thing depends on the field nodes it was made for and on nothing of the request but the values of the
variables that the ``@include`` and ``@skip`` directives under those nodes read. The same query text parses to the
same nodes (the schema's ParserCache), so a cache keyed by the nodes' identity and those values serves every request
that sends the document. The nodes are kept with what was made for them, so that no other document's node can take
an id while it is cached; the oldest entry goes when ``size`` are kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from graphql.language import BooleanValueNode, FragmentSpreadNode, Node, VariableNode

T = TypeVar("T")


class ByNodes(Generic[T]):
    def __init__(self, size: int = 256):
        self.size = size
        self._entries: dict[tuple, tuple[tuple[Node, ...], tuple[str, ...] | None, dict[tuple, T]]] = {}
        self._lock = threading.Lock()  # a worker's threads share the entries

    def get(self, kind: Hashable, nodes: tuple[Node, ...], fragments: dict, variables: dict,
            make: Callable[[], T]) -> T:
        """What ``make()`` made for ``nodes`` (of ``kind``) and the values of their switches in ``variables``; made
        on every call where a switch is not a variable or a literal, or a fragment is missing."""
        key = (kind, *map(id, nodes))
        entry = self._entries.get(key)
        if entry is None or any(kept is not node for kept, node in zip(entry[0], nodes)):
            entry = (nodes, switches(nodes, fragments), {})
            with self._lock:
                if len(self._entries) >= self.size:
                    self._entries.pop(next(iter(self._entries)), None)  # the oldest
                self._entries[key] = entry
        _nodes, names, made = entry
        if names is None:
            return make()
        values = tuple(variables.get(name) for name in names)
        if values not in made:
            made[values] = make()
        return made[values]


def switches(nodes: tuple[Node, ...], fragments: dict) -> tuple[str, ...] | None:
    """The variables that the @include and @skip directives under ``nodes`` read, through their fragments (None
    where a condition is neither a variable nor a literal, or a fragment is missing)."""
    names: set[str] = set()
    stack, seen = list(nodes), set()
    while stack:
        current = stack.pop()
        for directive in getattr(current, "directives", None) or ():
            for argument in directive.arguments:
                if isinstance(argument.value, VariableNode):
                    names.add(argument.value.name.value)
                elif not isinstance(argument.value, BooleanValueNode):
                    return None
        if isinstance(current, FragmentSpreadNode):
            fragment = fragments.get(current.name.value)
            if fragment is None:
                return None
            if current.name.value not in seen:
                seen.add(current.name.value)
                stack.append(fragment)
            continue
        selection_set = getattr(current, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return tuple(sorted(names))
