from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "sportsplatform.facilities"
    label = "facilities"
    verbose_name = _("Fitness facilities")

    def ready(self):
        from sportsplatform.backoffice.demo import register_seed_step

        from .demo import seed_facilities

        register_seed_step(30, seed_facilities, name="facilities")
