"""GraphQL enums made from Django choices, each value described by its Chinese label."""

import enum

import strawberry


def choices_enum(choices, name: str, description: str):
    members = {c.name: strawberry.enum_value(c.name, description=str(c.label)) for c in choices}
    return strawberry.enum(enum.Enum(name, members), name=name, description=description)


def to_choice(choices, value):
    """The Django choice value for a GraphQL enum member (or None)."""
    return None if value is None else choices[value.value].value


def from_choice(choices, stored):
    return choices(stored).name
