"""Issue 15, functions written as Python source (graphql_api/generated.py): an expression given by a caller reaches
only the objects it names and the variables it is given, whatever its names or strings hold."""

import pytest

from graphql_api import generated


def test_a_callers_names_are_its_own_objects_and_two_callers_may_use_the_same_name():
    source = generated.Source()
    first = source.expression("convert(c['a'])", {"convert": str.upper}, {"c": "c1"})
    second = source.expression("convert(c['b'])", {"convert": str.lower}, {"c": "c2"})
    again = source.expression("convert(c['a'])", {"convert": str.upper}, {"c": "c1"})
    source.add(f"return [{first}, {second}, {again}]")

    written = source.function("two callers", "c1, c2")

    assert written({"a": "Ab"}, {"b": "Cd"}) == ["AB", "cd", "AB"]
    assert first == again != second  # the same object, the same name; another object, another


def test_strings_are_written_as_values_never_as_code():
    source = generated.Source()
    key = "x'] + __import__('os').getcwd() + c['"
    source.add(f"return {source.expression('c[key]', {'key': key}, {})}")

    assert source.function("a key with quotes", "c")({key: "值"}) == "值"


def test_names_nobody_gave_stay_as_written_and_fresh_variables_never_repeat():
    source = generated.Source()
    assert source.expression("len(c) + n", {}, {"c": "row"}) == "len(row) + n"
    assert len({source.fresh("data") for _ in range(5)}) == 5


def test_a_traceback_names_the_function_by_its_title():
    source = generated.Source()
    source.add("return 1 // 0")

    with pytest.raises(ZeroDivisionError) as raised:
        source.function("complete Child", "")()

    assert "complete Child" in raised.traceback[-1].frame.code.raw.co_filename
