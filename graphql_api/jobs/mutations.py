from typing import Optional

import strawberry
from django.db.models import Q
from strawberry import Info, relay
from strawberry.file_uploads import Upload
from strawberry_django.filters import process_filters

from children import excel
from children.models import Child
from graphql_api.children.mutations import ChildError
from graphql_api.children.types import ChildFilter
from graphql_api.context import actor_of
from graphql_api.declare import requires
from graphql_api.errors import decode_id, run
from graphql_api.jobs.types import JobType


@strawberry.input
class ImportChildrenInput:
    organization_id: relay.GlobalID
    file: Upload = strawberry.field(description=".xlsx，按县级花名册模板 / An .xlsx in the county roster template")


@strawberry.input
class ExportChildrenInput:
    filters: Optional[ChildFilter] = None
    organization_id: Optional[relay.GlobalID] = None


@strawberry.type
class ImportChildrenPayload:
    job: Optional[JobType] = None
    errors: list[ChildError]


@strawberry.type
class ExportChildrenPayload:
    job: Optional[JobType] = None
    errors: list[ChildError]


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires("children.change_child"), description=(
        "从 Excel 导入花名册（后台任务，逐行报告错误） / Import a roster from Excel as a job, with a per-row report"))
    def import_children(self, info: Info, input: ImportChildrenInput) -> ImportChildrenPayload:
        actor = actor_of(info)
        return run(ImportChildrenPayload, ChildError, lambda: {"job": excel.start_import(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"), upload=input.file)})

    @strawberry.mutation(extensions=requires("children.view_child"), description=(
        "导出儿童台账为 Excel（后台任务；无个人信息权限时脱敏） / Export the roster to Excel as a job, masked without PII permission"))
    def export_children(self, info: Info, input: ExportChildrenInput) -> ExportChildrenPayload:
        actor = actor_of(info)
        condition = process_filters(input.filters, Child.objects.all(), info)[1] if input.filters else Q()
        return run(ExportChildrenPayload, ChildError, lambda: {"job": excel.start_export(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"), condition=condition)})
