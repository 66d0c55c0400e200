"""Materialized paths: each node's path is its parent's path plus one fixed-width step.

"This node and everything below it" is then ``path LIKE '<prefix>%'``, one indexed range condition on
SQLite and PostgreSQL (Django gives unique/indexed CharFields a ``varchar_pattern_ops`` index there).
Steps are 4 characters of ``0-9A-Z`` (1,679,616 children per node); a path of 255 characters holds 63 levels.
"""

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEP = 4
MAX_LENGTH = 255


def encode_step(number: int) -> str:
    if not 0 < number < len(ALPHABET) ** STEP:
        raise ValueError(f"step {number} out of range")
    digits = []
    for _ in range(STEP):
        number, rest = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits))


def decode_step(step: str) -> int:
    value = 0
    for char in step:
        value = value * len(ALPHABET) + ALPHABET.index(char)
    return value


def depth_of(path: str) -> int:
    return len(path) // STEP


def parent_path(path: str) -> str:
    return path[:-STEP]


def ancestor_paths(path: str) -> list[str]:
    """Paths of every ancestor, root first (the node itself excluded)."""
    return [path[:end] for end in range(STEP, len(path), STEP)]


def next_child_path(parent: str, last_child: str | None) -> str:
    step = decode_step(last_child[-STEP:]) + 1 if last_child else 1
    return parent + encode_step(step)


def merge_prefixes(prefixes) -> tuple[str, ...]:
    """Drop every prefix that another prefix already covers; sorted, so the SQL condition stays short."""
    merged: list[str] = []
    for prefix in sorted(set(prefixes)):
        if not merged or not prefix.startswith(merged[-1]):
            merged.append(prefix)
    return tuple(merged)
