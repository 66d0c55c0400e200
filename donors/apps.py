from django.apps import AppConfig


class DonorsConfig(AppConfig):
    name = "donors"
    verbose_name = "爱心人士与爱心单位"
