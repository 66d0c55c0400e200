"""What a donor may do, written down once: the phone codes and the claims of a person (爱心人士). A unit claims
through its roles (wishes.services.claim_wishes) and is bound by the wishes' own rules only."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
CODE_ATTEMPTS = 5  # wrong entries before a code is spent
CODE_RESEND_SECONDS = 60  # between two codes to one phone
CODES_PER_ADDRESS_PER_HOUR = 20  # codes asked from one client address

WISHES_AT_ONCE = 3  # 1+N: a person claims at most this many wishes in one go
OPEN_WISHES = 5  # wishes a person's claims hold before they are delivered
MIN_SHARE = Decimal("10")  # N+1: a share is at least this many yuan, unless it takes all that remains


def public_board_per_minute() -> int:
    """Reads of the public board per client address and minute (PUBLIC_BOARD_RATE_LIMIT)."""
    return settings.PUBLIC_BOARD_RATE_LIMIT
