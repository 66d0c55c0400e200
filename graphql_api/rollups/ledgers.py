from enum import Enum
from typing import Optional

import strawberry
from strawberry import Info, relay

from graphql_api.context import actor_of
from graphql_api.declare import requires
from graphql_api.errors import decode_id, error_type, run
from graphql_api.jobs.types import JobType
from rollups import ledgers

LedgerKind = strawberry.enum(Enum("LedgerKind", {k: k for k in ledgers.LEDGERS}), description=(
    "台账：" + "、".join(f"{k} {v.title}" for k, v in ledgers.LEDGERS.items()) + " / Which ledger"))
LedgerError = error_type("LedgerError")


@strawberry.input
class ExportLedgerInput:
    ledger: LedgerKind
    organization_id: relay.GlobalID = strawberry.field(description="导出该组织及其下级 / This organization's subtree")


@strawberry.type
class ExportLedgerPayload:
    job: Optional[JobType] = None
    errors: list[LedgerError]


@strawberry.input
class ExportReportInput:
    request_id: relay.GlobalID


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires("wishes.view_wish", "programs.view_program"), description=(
        "导出台账为 Excel（后台任务；个人信息按权限脱敏；微心愿台账需 wishes.view_wish，其余需 programs.view_program） / "
        "Export a ledger to Excel as a job, personal data masked per permission"))
    def export_ledger(self, info: Info, input: ExportLedgerInput) -> ExportLedgerPayload:
        actor = actor_of(info)
        return run(ExportLedgerPayload, LedgerError, lambda: {"job": ledgers.start_export(
            actor, ledger=input.ledger.value, organization_id=decode_id(input.organization_id, "Organization", "organizationId"))})

    @strawberry.mutation(extensions=requires("rollups.approve_report"), description=(
        "导出报送汇总为 Excel（后台任务：各单位状态、逾期与数据） / Export a report request's state and figures per addressee"))
    def export_report(self, info: Info, input: ExportReportInput) -> ExportLedgerPayload:
        actor = actor_of(info)
        return run(ExportLedgerPayload, LedgerError, lambda: {"job": ledgers.start_report_export(
            actor, request_id=decode_id(input.request_id, "ReportRequest", "requestId"))})
