from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "sportsplatform.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self):
        # Each part registers its order handler, permissions, navigation and seed step from its
        # own module's register() (added by the module that owns it).
        from . import registry

        registry.ready()
