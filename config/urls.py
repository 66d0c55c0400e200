from django.contrib import admin
from django.urls import include, path

from jobs.views import result as job_result
from children.views import import_template, photo as child_photo
from wishes.views import photo as wish_photo
from programs.views import activity_photo, attachment as campaign_attachment
from rollups.views import photo as report_photo
from graphql_api.views import PlatformGraphQLView, csrf_view, server_error
from graphql_api.schema import schema

handler500 = server_error

urlpatterns = [
    path("admin/", admin.site.urls),
    path("files/child-photos/<int:photo_id>/", child_photo, name="child-photo"),
    path("files/children-import-template.xlsx", import_template, name="children-import-template"),
    path("files/wish-photos/<int:photo_id>/", wish_photo, name="wish-photo"),
    path("files/campaign-attachments/<int:photo_id>/", campaign_attachment, name="campaign-attachment"),
    path("files/activity-photos/<int:photo_id>/", activity_photo, name="activity-photo"),
    path("files/report-photos/<int:photo_id>/", report_photo, name="report-photo"),
    path("auth/csrf/", csrf_view, name="csrf"),
    path("graphql", PlatformGraphQLView.as_view(schema=schema, multipart_uploads_enabled=True), name="graphql"),
    path("jobs/<int:job_id>/result/", job_result, name="job-result"),
    # Last: the web client at / (its assets and every path that is not the API's).
    path("", include("config.webclient")),
]
