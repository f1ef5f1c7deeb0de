from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sportsplatform.portal"
    label = "portal"
