from typing import Optional

import strawberry
from strawberry import Info, relay

from graphql_api.context import actor_of
from graphql_api.declare import requires
from graphql_api.errors import decode_id, error_type, run
from graphql_api.rollups.types import BreakdownBy, PeriodInput, RollupRow, RollupType, cases_visible, resolve_period, rollup_type
from rollups import services
from rollups.errors import RollupErrorCode

RollupError = error_type("RollupError", RollupErrorCode)


@strawberry.type
class RollupPayload:
    rollup: Optional[RollupType] = None
    errors: list[RollupError]


@strawberry.type
class RollupBreakdownPayload:
    rows: list[RollupRow] = strawberry.field(default_factory=list)
    errors: list[RollupError]


@strawberry.type
class Query:
    @strawberry.field(extensions=requires(services.VIEW), description="子树在期间内的统计 / A subtree's figures for a period")
    def rollup(self, info: Info, organization_id: relay.GlobalID, period: PeriodInput) -> RollupPayload:
        actor = actor_of(info)

        def action():
            period_ = resolve_period(actor, period)
            org, values = services.rollup(actor, organization_id=decode_id(organization_id, "Organization", "organizationId"),
                                          period_=period_)
            return {"rollup": rollup_type(values, period_, services.last_run().started_at, services.pending([org])[org.pk],
                                          cases_visible(actor, [org]))}

        return run(RollupPayload, RollupError, action)

    @strawberry.field(extensions=requires(services.VIEW),
                      description="按直属下级或按区划（跨系统）下钻 / Drill down by child organization or by division across systems")
    def rollup_breakdown(self, info: Info, organization_id: relay.GlobalID, period: PeriodInput,
                         by: BreakdownBy) -> RollupBreakdownPayload:
        actor = actor_of(info)

        def action():
            period_ = resolve_period(actor, period)
            pk = decode_id(organization_id, "Organization", "organizationId")
            if by.value == "CHILD_ORGANIZATION":
                found = [(str(relay.GlobalID("Organization", str(o.pk))), o.name, [o], values)
                         for o, values in services.by_children(actor, organization_id=pk, period_=period_)]
            else:
                found = [(code, code, tops, values) for code, tops, values in services.by_division(actor, organization_id=pk, period_=period_)]
            at = services.last_run().started_at
            pending = services.pending([o for _k, _n, orgs, _v in found for o in orgs])
            return {"rows": [RollupRow(key=key, name=name, organization_names=[o.name for o in orgs],
                                       rollup=rollup_type(values, period_, at, sum(pending[o.pk] for o in orgs),
                                                          cases_visible(actor, orgs)))
                             for key, name, orgs, values in found]}

        return run(RollupBreakdownPayload, RollupError, action)

