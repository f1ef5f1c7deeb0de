from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "sportsplatform.regions"
    label = "regions"
