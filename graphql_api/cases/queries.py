from typing import Optional

import strawberry
import strawberry_django
from strawberry import Info, relay

from cases.models import Case
from graphql_api.cases.types import CaseFilter, CaseType, IncidentFilter, IncidentType
from graphql_api.connection import Connection
from graphql_api.declare import requires
from graphql_api.errors import decode_id
from core.errors import ServiceError

VIEW = "cases.view_case"


@strawberry_django.order_type(Case)
class CaseOrder:
    next_assessment_on: strawberry.auto
    updated_at: strawberry.auto


@strawberry.type
class Query:
    cases: Connection[CaseType] = strawberry_django.connection(
        filters=CaseFilter, order=CaseOrder, extensions=requires(VIEW),
        description="保护个案（高风险、待复评；合作单位：转介给本单位的个案） / Protection cases in your scope "
                    "(a partner unit: those referred to it)",
    )
    incidents: Connection[IncidentType] = strawberry_django.connection(
        filters=IncidentFilter, extensions=requires(VIEW), description="事件 / Incidents in your scope",
    )

    @strawberry_django.field(extensions=requires(VIEW), description="儿童档案上的保护个案；尚未立案时为 null / "
                                                                   "The case on a child's file; null if none")
    def child_case(self, info: Info, child_id: relay.GlobalID) -> Optional[CaseType]:
        try:
            pk = decode_id(child_id, "Child", "childId")
        except ServiceError:
            return None
        return CaseType.get_queryset(Case.objects.all(), info).filter(child_id=pk).first()
