from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _install_counts(sender, using, **kwargs):
    from orgs import counts

    counts.install(connections[using])


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "组织 / Organizations"

    def ready(self):
        post_migrate.connect(_install_counts, sender=self, dispatch_uid="orgs.counts")
