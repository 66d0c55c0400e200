from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET
from strawberry.django.views import GraphQLView

from demo.data import DEMO_ACCOUNTS
from graphql_api.context import build_actor


@require_GET
@ensure_csrf_cookie
def csrf_view(request):
    """Sets the csrftoken cookie and returns the token for the web client's X-CSRFToken header."""
    return JsonResponse({"csrfToken": get_token(request)})


GRAPHIQL_BANNER = """
<div style="font: 13px/1.5 sans-serif; padding: 6px 12px; background: #fff7e6; border-bottom: 1px solid #ffd591">
  <b>演示账号 / Demo accounts</b> (password <code>DEMO_PASSWORD</code>, default <code>demo-pass-2026</code>):
  {accounts}. Sign in with <code>mutation {{ login(input: {{username: "…", password: "…"}}) {{ user {{ username }} errors {{ code message }} }} }}</code>
</div>
"""


class PlatformGraphQLView(GraphQLView):
    graphql_ide = "graphiql"

    def get_context(self, request, response):
        request.actor = build_actor(request)
        return super().get_context(request, response)

    @property
    def graphql_ide_html(self) -> str:
        accounts = ", ".join(f"<code>{a.username}</code>" for a in DEMO_ACCOUNTS)
        html = super().graphql_ide_html
        return html.replace("<body>", "<body>" + GRAPHIQL_BANNER.format(accounts=accounts), 1)
