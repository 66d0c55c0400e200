"""The assembled schema: each domain's Query and Mutation merged, with the optimizer and the limits on."""

from functools import lru_cache
from typing import Optional

import strawberry
from strawberry import Info, relay
from strawberry.extensions import (AddValidationRules, MaxAliasesLimiter, MaxTokensLimiter, ParserCache, QueryDepthLimiter,
                                   SchemaExtension)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import validate_document
from strawberry.tools import merge_types

from graphql_api.access.mutations import Mutation as AccessMutation
from graphql_api.access.queries import Query as AccessQuery
from graphql_api.accounts.gate import PasswordChangeGate
from graphql_api.accounts.mutations import Mutation as AccountMutation
from graphql_api.accounts.queries import Query as AccountQuery
from graphql_api.cases.mutations import Mutation as CaseMutation
from graphql_api.cases.queries import Query as CaseQuery
from graphql_api.children.mutations import Mutation as ChildMutation
from graphql_api.children.queries import Query as ChildQuery
from graphql_api.children.records import Mutation as ChildRecordMutation
from graphql_api.children.records import Query as ChildRecordQuery
from graphql_api.connection import MAX_PAGE_SIZE
from graphql_api.declare import authenticated
from graphql_api.donors.schema import Mutation as DonorMutation
from graphql_api.donors.schema import Query as DonorQuery
from graphql_api.guards import DOCUMENTS_CACHED, BudgetedExecutor, RequestBounds, SameDocument, ShapeErrors
from graphql_api.jobs.mutations import Mutation as JobMutation
from graphql_api.jobs.queries import Query as JobQuery
from graphql_api.notifications.mutations import Mutation as NotificationMutation
from graphql_api.notifications.queries import Query as NotificationQuery
from graphql_api.orgs.mutations import Mutation as OrgMutation
from graphql_api.orgs.queries import Query as OrgQuery
from graphql_api.pii import PiiReadAudit
from graphql_api.rows import RowPageOptimizer
from graphql_api.programs import Mutation as ProgramMutation
from graphql_api.programs import Query as ProgramQuery
from graphql_api.rollups.ledgers import Mutation as LedgerMutation
from graphql_api.rollups.queries import Query as RollupQuery
from graphql_api.rollups.reports import Mutation as ReportMutation
from graphql_api.rollups.reports import Query as ReportQuery
from graphql_api.wishes.dispatches import Query as DispatchQuery
from graphql_api.wishes.mutations import Mutation as WishMutation
from graphql_api.wishes.queries import Query as WishQuery
from graphql_api.workbench.queries import Query as WorkbenchQuery

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 3000


class Limits(AddValidationRules):
    """Depth and alias limits as validation rules built once: a document validated under them is cached by
    (document, rules), which per-request rule classes would defeat."""

    RULES = (*QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
             *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules)

    def __init__(self):
        super().__init__(list(self.RULES))


@lru_cache(maxsize=DOCUMENTS_CACHED)
def _validated(schema, document: SameDocument, rules) -> list:
    """The validation errors of a document under these rules: the same for every request that sends it."""
    return validate_document(schema, document.document, rules)


class CachedValidation(SchemaExtension):
    """Validation cached by (document, rules), the document by identity (strawberry's ValidationCache hashes the
    whole document on every request), and skipped like strawberry's own once a bound has refused the document
    (RequestBounds: a fragment bomb must never reach the rules)."""

    def on_validate(self):
        context = self.execution_context
        if not context.pre_execution_errors:
            context.pre_execution_errors = _validated(context.schema._schema, SameDocument(context.graphql_document),
                                                      context.validation_rules)
        yield


@strawberry.type
class NodeQuery:
    @strawberry.field(extensions=authenticated(), description=(
        "按全局 ID 取任一对象，按其类型的权限限定；不可见时为 null / "
        "Any object by global ID, scoped by its type's permission; null outside your scope"))
    def node(self, info: Info, id: relay.GlobalID) -> Optional[relay.Node]:
        try:
            type_def = id.resolve_type(info)
        except Exception:
            return None
        queryset_hook = getattr(type_def, "get_queryset", None)
        model = getattr(getattr(type_def, "__strawberry_django_definition__", None), "model", None)
        if model is None or queryset_hook is None or not id.node_id.isdigit():
            return None
        return queryset_hook(model.objects.all(), info).filter(pk=id.node_id).first()


Query = merge_types("Query", (NodeQuery, OrgQuery, AccessQuery, AccountQuery, ChildQuery, ChildRecordQuery, CaseQuery, JobQuery,
                              WishQuery, DispatchQuery, DonorQuery, ProgramQuery, RollupQuery, ReportQuery, NotificationQuery,
                              WorkbenchQuery))
Mutation = merge_types("Mutation", (OrgMutation, AccessMutation, AccountMutation, ChildMutation, ChildRecordMutation, CaseMutation,
                                    JobMutation, WishMutation, DonorMutation, ProgramMutation, ReportMutation, LedgerMutation,
                                    NotificationMutation))


def _model_nodes(base=relay.Node):
    for node in base.__subclasses__():
        if hasattr(node, "__strawberry_django_definition__"):
            yield node
        yield from _model_nodes(node)


# A model's node is identified by its primary key: fixed once, or strawberry searches every type's annotations for a
# NodeID field again for each id it resolves (strawberry-django falls back to "pk" after a failed search).
for _node in _model_nodes():
    _node._id_attr = "pk"

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(relay_max_results=MAX_PAGE_SIZE),
    execution_context_class=BudgetedExecutor,
    extensions=[
        RequestBounds,
        PasswordChangeGate,
        RowPageOptimizer,
        PiiReadAudit,
        Limits,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=DOCUMENTS_CACHED),  # the same text parses to the same document (the key below)
        CachedValidation,
        ShapeErrors,
    ],
)
