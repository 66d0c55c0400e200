from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_organization_permissions(sender, using="default", **kwargs):
    """The catalog's permissions as Permission rows on the Organization content type (roles are guardian object
    permissions on organizations). Kept here, not in Organization.Meta, so that the forest knows nothing of
    permissions; run after every migrate, like Django's own create_permissions."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from orgs.models import Organization
    from permissions.catalog import ORGANIZATION_PERMISSIONS

    content_type = ContentType.objects.db_manager(using).get_for_model(Organization)
    for codename, name in ORGANIZATION_PERMISSIONS:
        Permission.objects.using(using).update_or_create(content_type=content_type, codename=codename,
                                                         defaults={"name": name[:255]})


class PermissionsConfig(AppConfig):
    name = "permissions"
    verbose_name = "权限 / Permissions"

    def ready(self):
        post_migrate.connect(create_organization_permissions, sender=self)
