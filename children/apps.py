from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = "儿童档案 / Children's registry"

    def ready(self):
        from children import privacy
        from children.models import ChildGroupGrant, ChildUserGrant
        from permissions.masking import register_audit_masking
        from permissions.models import register_record_grants

        register_audit_masking("children.Child", privacy.PII, privacy.mask_changes)
        register_record_grants("children.Child", ChildUserGrant, ChildGroupGrant)
