import pytest

from orgs import divisions, paths


def test_steps_round_trip_and_sort_in_creation_order():
    steps = [paths.encode_step(n) for n in (1, 2, 35, 36, 1295, 1296, 36**4 - 1)]
    assert [paths.decode_step(s) for s in steps] == [1, 2, 35, 36, 1295, 1296, 36**4 - 1]
    assert steps == sorted(steps)
    assert all(len(s) == paths.STEP for s in steps)


@pytest.mark.parametrize("number", [0, -1, 36**4])
def test_step_out_of_range_is_refused(number):
    with pytest.raises(ValueError):
        paths.encode_step(number)


def test_next_child_and_ancestors():
    assert paths.next_child_path("0001", None) == "00010001"
    assert paths.next_child_path("0001", "0001000Z") == "00010010"
    assert paths.ancestor_paths("000100020003") == ["0001", "00010002"]
    assert paths.parent_path("000100020003") == "00010002"
    assert paths.depth_of("000100020003") == 3


def test_nested_prefixes_merge_to_the_outermost():
    assert paths.merge_prefixes(["00010002", "0001", "00030001", "000300010004", "0003"]) == ("0001", "0003")
    assert paths.merge_prefixes(["00010002", "00010003"]) == ("00010002", "00010003")
    assert paths.merge_prefixes([]) == ()


@pytest.mark.parametrize("code", ["420626", "420626105", "420626105201", "110000"])
def test_well_formed_codes(code):
    assert divisions.is_well_formed(code)


@pytest.mark.parametrize("code", ["4206261052011", "42062", "4206a6", "", "000000", "42062610"])
def test_malformed_codes(code):
    assert not divisions.is_well_formed(code)


def test_region_containment_strips_trailing_zero_groups():
    assert divisions.region_prefix("420000") == "42"
    assert divisions.region_prefix("420600") == "4206"
    assert divisions.region_prefix("420626") == "420626"
    assert divisions.is_within("420626", "420600")  # 保康县 in 襄阳市
    assert divisions.is_within("420626105201", "420626105")
    assert divisions.is_within("420626", "420626")  # a county department carries its county's code
    assert not divisions.is_within("431281", "420600")  # 洪江市 is not in 襄阳市
    assert not divisions.is_within("420600", "420626")  # the city is not inside the county
