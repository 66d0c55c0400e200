from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = "儿童档案 / Children's registry"

    def ready(self):
        from children import privacy
        from permissions.masking import register_audit_masking

        register_audit_masking("children.Child", privacy.PII, privacy.mask_changes)
