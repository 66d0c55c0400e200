"""The province-scale benchmark harness (bench/, issue 9) keeps working: its pure parts on every run, and the
whole pipeline at the tiny scale when PostgreSQL, Redis and Node are at hand (BENCH_SMOKE=1)."""

import os
import subprocess
import sys
from collections import Counter
from datetime import date

import pytest

from bench import common, generate
from bench.run import operation_text
from children import idcard
from orgs import divisions
from orgs.paths import encode_step


def test_forest_plan_has_the_scale_shape_and_nested_division_codes():
    # given the city scale
    size = common.SCALES["city"]
    # when its forest is planned
    levels = generate.plan_forest(size, seed=1)
    # then every level has its size, every parent at least one child, codes nest and names are unique siblings
    assert [len(level) for level in levels] == [1, size["cities"], size["counties"], size["townships"], size["villages"]]
    for parents, children in zip(levels, levels[1:]):
        assert {owner for owner, *_ in children} == set(range(len(parents)))
        for owner, step, code, _ in children:
            assert divisions.is_well_formed(code) and divisions.is_within(code, parents[owner][2])
        names = Counter((owner, name) for owner, _, _, name in children)
        assert max(names.values()) == 1


def test_forest_plan_is_deterministic_from_the_seed():
    size = common.SCALES["county"]
    assert generate.plan_forest(size, 7) == generate.plan_forest(size, 7)
    assert generate.plan_forest(size, 7) != generate.plan_forest(size, 8)


def test_id_numbers_are_valid_and_unique():
    # given many child indexes in one region
    numbers = [generate.id_number(i, "420101")[0] for i in range(20_000)]
    # then each is a valid GB 11643 number and none repeats
    assert all(idcard.problem(n, date(2026, 11, 1)) is None for n in numbers)
    assert len(set(numbers)) == len(numbers)


def test_copy_lines_escape_copy_specials():
    assert generate.line("a\tb", None, "c\\d\n") == "a\\tb\t\\N\tc\\\\d\\n\n"


def test_unit_paths_sort_after_the_townships_of_their_county():
    assert encode_step(5001) > encode_step(1200)


@pytest.mark.django_db
def test_the_measured_operations_validate_against_the_schema():
    from graphql import parse, validate

    from graphql_api.schema import schema

    for text in (operation_text("children", "ChildRoster"), operation_text("wishes", "WishBoard", generate_claims()),
                 operation_text("wishes", "PublishedWishes"), operation_text("auth", "Login")):
        assert validate(schema._schema, parse(text)) == []


def generate_claims():
    from bench.run import CLAIMS

    return CLAIMS


@pytest.mark.skipif(os.environ.get("BENCH_SMOKE") != "1",
                    reason="needs PostgreSQL, Redis (DB 13) and Node: set BENCH_SMOKE=1 to run the tiny scale end to end")
def test_tiny_scale_end_to_end():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    subprocess.run([sys.executable, "-m", "bench.generate", "--scale", "tiny"], cwd=common.ROOT, env=env, check=True)
    subprocess.run([sys.executable, "-m", "bench.run", "--scale", "tiny", "--requests", "2", "--warmup", "1",
                    "--seconds", "1", "--plan-samples", "1", "--no-doc"], cwd=common.ROOT, env=env, check=True)
