from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sportsplatform.core"
    label = "core"
