from django.contrib import admin
from django.urls import path

from graphql_api.views import PlatformGraphQLView, csrf_view
from graphql_api.schema import schema

urlpatterns = [
    path("admin/", admin.site.urls),
    path("auth/csrf/", csrf_view, name="csrf"),
    path("graphql", PlatformGraphQLView.as_view(schema=schema, multipart_uploads_enabled=True), name="graphql"),
]
