"""Issue 15, the fast path's leaves (graphql_api/fastpath.py): a row's String, ID and Boolean values and strawberry
enum members are answered in the row's loop, every other value through graphql-core's coercion. A small schema
answers the same values as rows (the fast path, an Int in its range answered as it is by its completer, a list of
plain objects written in line) and as strawberry objects (graphql-core, field by field); the two answers, errors and
their paths included, must be the same bytes."""

import datetime
import decimal
import enum
import json
from typing import Annotated, Optional, Union

import pytest
import strawberry
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

from graphql_api import rows
from graphql_api.guards import BudgetedExecutor


@strawberry.enum
class Mood(enum.Enum):
    CALM = "calm"
    CROSS = strawberry.enum_value("cross", name="ANGRY")  # a GraphQL name that is not the member's
    GRUMPY = strawberry.enum_value("cross", description="the same value: strawberry answers the first name, ANGRY")
    ONE = 1


@strawberry.enum
class Size(enum.Enum):
    SMALL = "s"


@strawberry.type
class Tag:
    label: str
    mood: Mood


@strawberry.type
class Pet:
    name: str


Either = Annotated[Union[Tag, Pet], strawberry.union("Either")]


@strawberry.type
class Box:
    """A plain object holding a list of plain objects."""

    tags: list[Tag]


@strawberry.type
class Thing:
    """Every kind of leaf a row may hold, nullable and not."""

    name: str
    nick: Optional[str]
    key: strawberry.ID
    flag: bool
    maybe: Optional[bool]
    count: int
    ratio: Optional[float]
    mood: Mood
    moods: list[Mood]
    maybe_moods: Optional[list[Optional[Mood]]]
    words: list[str]
    grid: list[list[int]]
    born: Optional[datetime.date]
    seen: Optional[datetime.datetime]
    price: Optional[decimal.Decimal]
    extra: Optional[JSON]
    tag: Optional[Tag]
    tags: list[Tag]
    either: Optional[Either]
    box: Optional[Box]


thing_row = type("ThingRow", (rows.Row,), {"__slots__": (), "type_name": "Thing"})  # as rows.Spec makes them


class Str(str):
    """A str of another class (as Django's SafeString): graphql-core answers it as the same object."""


def plain() -> dict:
    """A row whose every value is one the loop answers itself, or a leaf graphql-core coerces without error."""
    return {"name": "甲", "nick": None, "key": "VGhpbmc6MQ==", "flag": True, "maybe": None, "count": 7, "ratio": 0.5,
            "mood": Mood.GRUMPY, "moods": [Mood.CALM, Mood.CROSS, Mood.GRUMPY, Mood.ONE],
            "maybe_moods": [None, Mood.CALM], "words": ["a", Str("b")], "grid": [[1, 2], []],
            "born": datetime.date(2015, 6, 1), "seen": datetime.datetime(2026, 1, 2, 3, 4, 5),
            "price": decimal.Decimal("12.50"), "extra": {"k": [1, "二"]},
            "tag": Tag(label="x", mood=Mood.CROSS), "tags": [Tag(label="y", mood=Mood.ONE)], "either": Pet(name="rex"),
            "box": Box(tags=[Tag(label="w", mood=Mood.CALM)])}


ALL_FIELDS = """name nick key flag maybe count ratio mood moods maybeMoods words grid born seen price extra
    tag { label mood } tags { label mood } either { __typename ... on Pet { name } ... on Tag { label } }
    box { tags { label mood } }"""


def schema_with(values: list[dict]):
    """A schema whose ``rows`` answers ``values`` as rows (by GraphQL name), and ``objects`` as strawberry objects."""
    @strawberry.type
    class Query:
        @strawberry.field
        def rows(self) -> list[Optional[Thing]]:
            return [thing_row({to_camel_case(name): value for name, value in v.items()}) for v in values]

        @strawberry.field
        def objects(self) -> list[Optional[Thing]]:
            return [Thing(**v) for v in values]

    return strawberry.Schema(query=Query, execution_context_class=BudgetedExecutor)


def both(completed: list, values: list[dict], selection: str, fragments: str = "",
         variables: dict | None = None) -> tuple[bytes, bytes]:
    """The answers (data, then errors with their paths) as rows and as strawberry objects, having checked that the
    rows, and only they, took the fast path."""
    schema = schema_with(values)

    operation = "query($yes: Boolean!)" if variables else "query"

    def answer(field: str) -> bytes:
        result = schema.execute_sync(f"{operation} {{ {field} {{ {selection} }} }} {fragments}",
                                     variable_values=variables)
        errors = [{"message": e.message, "path": e.path} for e in result.errors or ()]
        return json.dumps({"data": result.data, "errors": errors}, ensure_ascii=False).encode()

    as_objects = answer("rows: objects")
    assert completed == []
    as_rows = answer("rows")
    assert len(completed) == len(values)
    return as_rows, as_objects


def test_every_kind_of_leaf_answers_byte_for_byte_what_graphql_core_answers(completed):
    as_rows, as_objects = both(completed, [plain(), {**plain(), "nick": "乙", "maybe": False, "mood": Mood.ONE}],
                               ALL_FIELDS)

    assert as_rows == as_objects
    answer = json.loads(as_rows)
    assert answer["errors"] == []
    first = answer["data"]["rows"][0]
    assert first["mood"] == "ANGRY" and first["moods"] == ["CALM", "ANGRY", "ANGRY", "ONE"]  # GRUMPY: the first name
    assert (first["nick"], first["born"], first["price"], first["tags"]) == (
        None, "2015-06-01", "12.50", [{"label": "y", "mood": "ONE"}])


@pytest.mark.parametrize("yes", [True, False])
def test_aliases_typename_fragments_and_directives_answer_what_graphql_core_answers(completed, yes):
    selection = """__typename t: __typename a: name b: name m: mood @include(if: $yes) n: nick @skip(if: $yes)
        ...Leaves ... on Thing @include(if: $yes) { words } k: key tag @skip(if: $yes) { __typename l: label }"""
    fragments = "fragment Leaves on Thing { flag moods mood }"

    as_rows, as_objects = both(completed, [plain(), plain()], selection, fragments, {"yes": yes})

    assert as_rows == as_objects
    row = json.loads(as_rows)["data"]["rows"][0]
    assert list(row) == ["__typename", "t", "a", "b"] + (["m"] if yes else ["n"]) + [
        "flag", "moods", "mood"] + (["words"] if yes else []) + ["k"] + ([] if yes else ["tag"])


@pytest.mark.parametrize("field, value", [
    ("nick", True), ("nick", 5), ("nick", 2.5), ("nick", Str("s")), ("nick", [1]), ("nick", ValueError("炸了")),
    ("name", None), ("name", True),
    ("key", 12), ("key", True), ("key", None),
    ("flag", 1), ("flag", "yes"), ("maybe", 0.0),
    ("count", 2 ** 31), ("count", -2 ** 31 - 1), ("count", 2 ** 31 - 1), ("count", -2 ** 31), ("count", True),
    ("count", 3.0), ("count", None), ("ratio", float("nan")), ("ratio", 1),
    ("mood", "calm"), ("mood", "nope"), ("mood", Size.SMALL), ("mood", None),
    ("moods", [Mood.CALM, None]), ("moods", [Mood.CALM, "cross", Size.SMALL]), ("moods", "calm"), ("moods", None),
    ("maybe_moods", [None, "cross", Size.SMALL, Mood.CROSS]), ("maybe_moods", (Mood.CALM,)),
    ("words", ("a", "b")), ("words", ["a", None, 3]), ("words", ["a", Str("s")]), ("words", []), ("moods", []),
    ("moods", [Mood.GRUMPY, Mood.ONE]),  # a list of leaves answered by C calls alone (fastpath._leaf_list), or not
    ("grid", [[1, None], [2 ** 40]]), ("grid", [None]),
    ("born", "not a date"), ("seen", datetime.date(2026, 1, 2)),
    ("tag", "not an object"), ("tag", Tag(label=None, mood=Mood.CALM)), ("tags", [Tag(label="z", mood="bad")]),
    # a list of plain objects, written in line for the type's own class: any other item by its completer
    ("tags", [Tag(label="a", mood=Mood.CALM), Tag(label=None, mood=Mood.CALM)]), ("tags", [None]),
    ("tags", [Pet(name="p")]), ("tags", (Tag(label="t", mood=Mood.CALM),)), ("tags", "not a list"), ("tags", None),
    ("box", Box(tags=[Tag(label="v", mood=Mood.CALM), Tag(label=None, mood=Mood.CALM)])), ("box", Box(tags=None)),
    ("either", Pet(name=None)), ("either", Tag(label="u", mood=Mood.ONE)),
], ids=repr)
def test_other_values_take_graphql_cores_coercion_its_errors_and_their_paths(completed, field, value):
    """The first of two rows holds ``value`` for ``field``: graphql-core's answer, a null in a non-null position
    propagated to the nearest nullable (the row), each error with its message and path."""
    as_rows, as_objects = both(completed, [{**plain(), field: value}, plain()], ALL_FIELDS)

    assert as_rows == as_objects
    assert json.loads(as_rows)["data"]["rows"][1] is not None


def test_a_list_mixing_rows_nulls_and_objects_answers_what_graphql_core_answers(completed):
    """A page's list is completed entry by entry (fastpath.complete_entries), the selection found again whenever the
    kind of item changes: a null, a plain object and rows between them each answer as graphql-core answers them."""
    values = [plain(), {**plain(), "name": "乙"}, {**plain(), "nick": "丙"}]

    @strawberry.type
    class Query:
        @strawberry.field
        def mixed(self) -> list[Optional[Thing]]:
            return [thing_row({to_camel_case(k): v for k, v in values[0].items()}), None, Thing(**values[1]),
                    thing_row({to_camel_case(k): v for k, v in values[2].items()})]

        @strawberry.field
        def objects(self) -> list[Optional[Thing]]:
            return [Thing(**values[0]), None, Thing(**values[1]), Thing(**values[2])]

    schema = strawberry.Schema(query=Query, execution_context_class=BudgetedExecutor)
    as_objects = schema.execute_sync(f"{{ mixed: objects {{ {ALL_FIELDS} }} }}")
    assert completed == []
    mixed = schema.execute_sync(f"{{ mixed {{ {ALL_FIELDS} }} }}")

    assert mixed.errors is None and as_objects.errors is None
    assert completed == ["Thing", "Thing"]  # the two rows by the fast path, the object by graphql-core
    assert json.dumps(mixed.data, ensure_ascii=False) == json.dumps(as_objects.data, ensure_ascii=False)
    assert mixed.data["mixed"][1] is None and mixed.data["mixed"][2]["name"] == "乙"
