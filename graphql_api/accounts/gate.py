"""Must change the password first: a session signed in with an initial (or reset) password may do nothing but
read ``me``, change its password or sign out until the password is changed.

The flag lives in the session (set at login from ``Profile.must_change_password``, cleared by
``changeMyPassword``), so checking it costs no query. Any operation selecting another root field is refused
whole with the typed error PASSWORD_CHANGE_REQUIRED (extensions.code), before anything runs.
"""

from graphql import ExecutionResult, GraphQLError
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from accounts.errors import AccountErrorCode
from accounts.services import must_change_password

SESSION_KEY = "must_change_password"
ALLOWED = frozenset({"me", "login", "logout", "changeMyPassword", "__typename", "__schema", "__type"})


def remember(request, user) -> None:
    """At login: whether this session must change its password before anything else."""
    if must_change_password(user):
        request.session[SESSION_KEY] = True
    else:
        request.session.pop(SESSION_KEY, None)


def forget(request) -> None:
    request.session.pop(SESSION_KEY, None)


def pending(request) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_KEY)) and getattr(request, "api_token", None) is None


def root_fields(document, operation_name: str | None) -> set[str]:
    """Names of the root fields the operation selects, through fragments (each expanded once)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next((o for o in operations if o.name and o.name.value == operation_name), operations[0] if operations else None)
    fragments = {d.name.value: d for d in document.definitions if not isinstance(d, OperationDefinitionNode)}
    names, stack, seen = set(), [operation.selection_set] if operation else [], set()
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                if selection.name.value in fragments:
                    stack.append(fragments[selection.name.value].selection_set)
    return names


class PasswordChangeGate(SchemaExtension):
    def on_execute(self):
        context = self.execution_context
        request = getattr(context.context, "request", None)
        if request is not None and pending(request) and \
                not root_fields(context.graphql_document, context.operation_name) <= ALLOWED:
            code = AccountErrorCode.PASSWORD_CHANGE_REQUIRED
            context.result = ExecutionResult(data=None, errors=[
                GraphQLError(code.render(), extensions={"code": code.name})])
        yield
