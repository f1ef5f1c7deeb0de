from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletConfig(AppConfig):
    name = "sportsplatform.wallet"
    label = "wallet"
    verbose_name = _("Sports card")

    def ready(self):
        from sportsplatform.backoffice.demo import register_seed_step

        from . import permissions
        from .demo import seed_card
        from .domain import topup

        topup.register()
        permissions.register()
        register_seed_step(55, seed_card, name="card")
