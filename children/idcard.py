"""Resident identity card numbers (公民身份号码, GB 11643-1999): 6-digit region, 8-digit birth date,
3-digit sequence (odd for men, even for women), and a check character (ISO 7064 MOD 11-2)."""

from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
}


def normalize(raw: str) -> str:
    return "".join((raw or "").split()).upper()


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def problem(number: str, today: date) -> str | None:
    """The first thing wrong with a normalized number: LENGTH, REGION, BIRTH_DATE, CHECK_DIGIT; None if valid."""
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "LENGTH"
    if number[:2] not in PROVINCES:
        return "REGION"
    born = birth_date(number)
    if born is None or born > today or born.year < 1900:
        return "BIRTH_DATE"
    if check_char(number[:17]) != number[17]:
        return "CHECK_DIGIT"
    return None


def is_male(number: str) -> bool:
    return int(number[16]) % 2 == 1
