"""Roles held before case work existed gain its permissions (permissions/catalog.py), as a new membership would:
the guardian rows are materialised per membership (permissions.services._materialise)."""

from django.db import migrations

NEW = {"view_case": ("ORG_ADMIN", "STAFF", "DATA_ENTRY", "VIEWER"), "change_case": ("ORG_ADMIN", "STAFF")}
LABELS = {"view_case": "查看保护个案（文字需个人信息权限） / View child-protection cases (texts need view_child_pii)",
          "change_case": "开展个案工作 / Assess risk, plan, record incidents, referrals and services"}


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Membership = apps.get_model("permissions", "Membership")
    UserRow = apps.get_model("permissions", "OrganizationUserPermission")
    GroupRow = apps.get_model("permissions", "OrganizationGroupPermission")
    content_type, _ = ContentType.objects.get_or_create(app_label="orgs", model="organization")
    for code, roles in NEW.items():
        permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=code,
                                                         defaults={"name": LABELS[code][:255]})
        for m in Membership.objects.filter(role__in=roles).exclude(user_permissions__permission=permission) \
                .exclude(group_permissions__permission=permission):
            if m.user_id:
                UserRow.objects.create(user_id=m.user_id, permission=permission, content_object_id=m.organization_id, membership=m)
            else:
                GroupRow.objects.create(group_id=m.group_id, permission=permission, content_object_id=m.organization_id, membership=m)
    ScopeVersion = apps.get_model("permissions", "ScopeVersion")
    ScopeVersion.objects.filter(pk=1).update(value=1 + (ScopeVersion.objects.filter(pk=1).values_list("value", flat=True).first() or 0))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_case_work"),
        ("permissions", "0003_record_grants_moved_to_children"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
