"""Reading numbers people type (money, hours, figures): one parser, so that "12.5", 12.5 and " 12.50 " agree
and a bad value is None rather than an exception."""

from decimal import Decimal, InvalidOperation

CENTS = Decimal("0.01")


def decimal_of(value, places: Decimal | None = None) -> Decimal | None:
    """``value`` as a finite Decimal (rounded to ``places`` if given), or None when it is not a number."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite():
        return None
    return number.quantize(places) if places is not None else number
