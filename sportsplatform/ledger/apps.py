from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "sportsplatform.ledger"
    label = "ledger"
    verbose_name = _("Ledger")

    def ready(self):
        from sportsplatform.accounts.models import Role
        from sportsplatform.core.roles import grant

        # The ledger is read in the back office, never edited: every row comes from ledger.post.
        grant(Role.PLATFORM_ADMIN, "ledger.view_ledgeraccount", "ledger.view_transaction", "ledger.view_entry")
