"""Functions written as Python source when a selection is first met (issue 15), as graphql-jit writes JavaScript for
graphql-js: a page's fetched rows are converted (graphql_api/shells.py) and its rows completed (graphql_api/fastpath.py)
by a function whose columns or fields are unrolled, each value an expression in line, instead of a loop that calls a
function per field (a 50-row page of children is some 1,000 such calls, a third of its CPU).

The source is plain: names of the objects it uses are given by ``Source.name``, never the objects' text, and every
string in it is written with ``repr``; expressions given by a caller (a row field's ``source``) are parsed, their
names renamed to the ones ``Source`` hands out, and written back (``Source.expression``), so that nothing a caller
writes can reach beyond its own expression. A traceback through a generated function names it by its title.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable, Mapping
from typing import Any

_NUMBERS = itertools.count()


class Source:
    def __init__(self):
        self.lines: list[str] = []
        self.names: dict[str, Any] = {}
        self._ids: dict[int, str] = {}
        self._fresh = 0

    def name(self, value: Any) -> str:
        """The global name under which the function reads ``value`` (the same for the same object)."""
        found = self._ids.get(id(value))
        if found is None:
            found = self._ids[id(value)] = f"_{len(self._ids)}"
            self.names[found] = value
        return found

    def expression(self, text: str, uses: Mapping[str, Any], variables: Mapping[str, str]) -> str:
        """``text``, an expression, with each of ``uses``' names renamed to the name of its object, and each of
        ``variables``' to the function's variable it names."""
        tree = ast.parse(text, mode="eval")
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in uses:
                node.id = self.name(uses[node.id])
            elif isinstance(node, ast.Name) and node.id in variables:
                node.id = variables[node.id]
        return ast.unparse(tree)

    def fresh(self, stem: str) -> str:
        """A variable name not given before."""
        self._fresh += 1
        return f"{stem}{self._fresh}"

    def add(self, line: str, depth: int = 1) -> None:
        self.lines.append("    " * depth + line)

    def function(self, title: str, parameters: str) -> Callable:
        """The function ``parameters`` -> its lines, named after ``title`` in tracebacks."""
        file = f"<generated {next(_NUMBERS)}: {title}>"
        text = "\n".join([f"def generated({parameters}):", *self.lines]) + "\n"
        namespace = dict(self.names)
        exec(compile(text, file, "exec"), namespace)
        return namespace["generated"]
