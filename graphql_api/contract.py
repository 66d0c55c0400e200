"""The contract with the web client: the committed SDL and the named operations in frontend_schema/."""

import subprocess
from pathlib import Path

from django.conf import settings
from graphql import build_schema, parse, validate
from graphql.utilities import find_breaking_changes, find_dangerous_changes
from strawberry.printer import print_schema

FRONTEND = Path(settings.BASE_DIR) / "frontend_schema"
SDL_PATH = FRONTEND / "schema.graphql"
OPERATIONS = FRONTEND / "operations"


def live_sdl() -> str:
    from graphql_api.schema import schema

    return print_schema(schema)


def committed_sdl() -> str:
    return SDL_PATH.read_text(encoding="utf-8") if SDL_PATH.exists() else ""


def sdl_at_head() -> str | None:
    """The SDL as committed at git HEAD, or None outside a git checkout or before the first commit."""
    try:
        return subprocess.run(
            ["git", "show", "HEAD:frontend_schema/schema.graphql"], cwd=settings.BASE_DIR,
            capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def operation_errors(sdl: str) -> dict[str, list[str]]:
    """Validation errors of every operation file against ``sdl``; also flags anonymous operations."""
    schema = build_schema(sdl)
    problems: dict[str, list[str]] = {}
    for path in sorted(OPERATIONS.glob("*.graphql")):
        document = parse(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validate(schema, document)]
        errors += [f"operation at line {d.loc.source.get_location(d.loc.start).line} has no name"
                   for d in document.definitions if getattr(d, "operation", None) and d.name is None]
        if errors:
            problems[path.name] = errors
    return problems


def changes(old_sdl: str, new_sdl: str) -> tuple[list[str], list[str]]:
    """(breaking, dangerous) changes from ``old_sdl`` to ``new_sdl``, as readable lines."""
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    breaking = [f"{c.type.name}: {c.description}" for c in find_breaking_changes(old, new)]
    dangerous = [f"{c.type.name}: {c.description}" for c in find_dangerous_changes(old, new)]
    return breaking, dangerous
