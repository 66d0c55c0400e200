"""Helpers for the micro-wish tests: wishes in a given state, error codes, snapshots for "nothing changed"."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from permissions import services as access_services
from permissions.actor import Actor
from permissions.models import AuditEntry
from tests.permissions.helpers import SYSTEM, gid, org
from wishes import services
from wishes.models import Claim, State, Wish

# How to reach each state from COLLECTED through the services (the claim by ``donor``).
PATHS: dict[str, tuple[str, ...]] = {
    State.COLLECTED: (),
    State.RETURNED: ("return",),
    State.REVIEWED: ("review",),
    State.PUBLISHED: ("review", "publish"),
    State.CLAIMED: ("review", "publish", "claim"),
    State.PREPARED: ("review", "publish", "claim", "prepare"),
    State.DELIVERED: ("review", "publish", "claim", "deliver"),
    State.FULFILLED: ("review", "publish", "claim", "deliver", "fulfil"),
    State.WITHDRAWN: ("withdraw",),
    State.CLOSED: ("close",),
    State.ESCALATED: ("review", "escalate"),
}


def new_donor(username: str, at: str = "共青团保康县委"):
    """A person who may see the board and claim below ``at`` (a PARTNER role of their own)."""
    user = get_user_model().objects.create_user(username, password="x-test-pass")
    access_services.grant_role(SYSTEM, organization_id=org(at).pk, role="PARTNER", username=username)
    return user


def collect(organization: str = "马良坪村团支部", *, value="100", title="一盒彩笔", claim_deadline=None, actor=SYSTEM,
            child_id=None) -> Wish:
    """A household's wish, or the child's when ``child_id`` is given."""
    return services.collect_wish(actor, organization_id=org(organization).pk, title=title, category="ITEM",
                                 estimated_value=value, child_id=child_id, household="" if child_id else "测试困难户",
                                 claim_deadline=claim_deadline)


def wish_in(state: str, organization: str = "马良坪村团支部", donor=None, **kwargs) -> Wish:
    """A wish brought into ``state`` through the real transitions."""
    wish = collect(organization, **kwargs)
    for action in PATHS[state]:
        if action == "claim":
            services.claim_wishes(Actor.for_user(donor), wish_ids=[wish.pk])
        else:
            services.transition(SYSTEM, wish_id=wish.pk, action=action, reason="测试原因")
    wish.refresh_from_db()
    assert wish.state == state
    return wish


def forced(state: str, organization: str = "马良坪村团支部", **kwargs) -> Wish:
    """A wish put into ``state`` directly in the database (for the illegal-transition checks)."""
    wish = collect(organization, **kwargs)
    Wish.objects.filter(pk=wish.pk).update(state=state)
    wish.refresh_from_db()
    return wish


def snapshot(wish: Wish) -> dict:
    """Everything a transition or claim could change, to assert that nothing did."""
    row = Wish.objects.filter(pk=wish.pk).values().get()
    row.pop("updated_at")
    return {"row": row, "claims": list(Claim.objects.filter(wish=wish).values_list("pk", "amount")),
            "audit": AuditEntry.objects.filter(target_id=str(wish.pk), action__startswith="wish.").count()}


def wish_gid(wish) -> str:
    return gid("Wish", wish.pk)


def board_gid(wish) -> str:
    return gid("PublishedWish", wish.pk)


def codes(errors: list[dict]) -> list[str]:
    return [e["code"] for e in errors]


def money(text) -> Decimal:
    return Decimal(str(text))
