from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    name = "sportsplatform.venues"
    label = "venues"
    verbose_name = _("Venues")

    def ready(self):
        from sportsplatform.backoffice.demo import register_seed_step

        from .demo import seed_venues

        register_seed_step(20, seed_venues, name="venues")
