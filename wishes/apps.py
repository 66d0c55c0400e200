from django.apps import AppConfig


class WishesConfig(AppConfig):
    name = "wishes"
    verbose_name = "微心愿 / Micro-wishes"
