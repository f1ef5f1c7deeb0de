from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "sportsplatform.backoffice"
    label = "backoffice"
