"""GraphQL enums made from Django choices, each value described by its Chinese label."""

import enum

import strawberry


def choices_enum(choices, name: str, description: str):
    members = {c.name: strawberry.enum_value(c.name, description=str(c.label)) for c in choices}
    return strawberry.enum(enum.Enum(name, members), name=name, description=description)


def to_choice(choices, value):
    """The Django choice value for a GraphQL enum member (or None)."""
    return None if value is None else choices[value.value].value


def stored_member(choices, graphql_enum):
    """stored value -> the member of ``graphql_enum`` (made by ``choices_enum``) that names it, by a dict made
    once: calling the choices class with the stored value (an Enum lookup by value) cost ~1 µs per row of a page,
    twice per child. An unknown stored value raises KeyError, a field error as any other."""
    return {choice.value: graphql_enum[choice.name] for choice in choices}.__getitem__
