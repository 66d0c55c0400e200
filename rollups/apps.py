from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_triggers(sender, using, **kwargs):
    from django.db import connections

    from rollups import triggers

    triggers.install(connections[using])


class RollupsConfig(AppConfig):
    name = "rollups"
    verbose_name = "统计汇总与报送"

    def ready(self):
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="rollups.triggers")
