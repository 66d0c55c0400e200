from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "个案保护 / Child-protection cases"

    def ready(self):
        from cases import services
        from cases.models import CaseGroupGrant, CaseUserGrant
        from children.services import register_anonymizer
        from permissions.models import register_record_grants

        register_record_grants("cases.Case", CaseUserGrant, CaseGroupGrant)
        register_anonymizer(services.clear_texts)
