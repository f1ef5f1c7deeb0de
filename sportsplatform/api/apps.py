from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sportsplatform.api"
    label = "api"
