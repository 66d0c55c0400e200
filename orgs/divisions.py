"""Administrative division codes (行政区划代码, GB/T 2260 and the statistics codes).

6 digits reach the county, 9 the township, 12 the village. Trailing zero groups mean "the whole region
above": 420600 is 襄阳市, 420000 湖北省. ``region_prefix`` strips them so that containment is a prefix test.
"""

import re

VALID_LENGTHS = (6, 9, 12)
BOUNDARIES = (2, 4, 6, 9, 12)
_DIGITS = re.compile(r"^[0-9]+$")


def is_well_formed(code: str) -> bool:
    return bool(_DIGITS.match(code)) and len(code) in VALID_LENGTHS and code[:2] != "00"


def region_prefix(code: str) -> str:
    padded = code.ljust(12, "0")
    for boundary in BOUNDARIES:
        if set(padded[boundary:]) <= {"0"}:
            return padded[:boundary]
    return padded


def is_within(child_code: str, parent_code: str) -> bool:
    """True when the child's region lies inside (or is) the parent's region."""
    return region_prefix(child_code).startswith(region_prefix(parent_code))
