"""The child-file grant models now live in children (their tables stay): model state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("permissions", "0002_childgroupgrant_childusergrant"),
        ("children", "0003_record_grants_move_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name="ChildGroupGrant"),
            migrations.DeleteModel(name="ChildUserGrant"),
        ]),
    ]
