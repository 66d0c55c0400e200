"""The child-file grant models move from permissions to children (permissions stays generic over models). Their
tables keep their names: this changes Django's model state only, never the database."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def grant_fields(grantee):
    return [
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
        ("expires_at", models.DateTimeField(blank=True, null=True, verbose_name="到期时间")),
        ("content_object", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="children.child")),
        ("granted_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                                         to=settings.AUTH_USER_MODEL)),
        ("permission", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="auth.permission")),
        grantee,
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("children", "0002_file_consent_transfers_photos"),
        ("permissions", "0002_childgroupgrant_childusergrant"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="ChildGroupGrant",
                fields=grant_fields(("group", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="auth.group"))),
                options={"abstract": False, "db_table": "permissions_childgroupgrant",
                         "unique_together": {("group", "permission", "content_object")}},
            ),
            migrations.CreateModel(
                name="ChildUserGrant",
                fields=grant_fields(("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                               to=settings.AUTH_USER_MODEL))),
                options={"abstract": False, "db_table": "permissions_childusergrant",
                         "unique_together": {("user", "permission", "content_object")}},
            ),
        ]),
    ]
