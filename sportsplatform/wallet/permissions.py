"""Role permissions and the back-office sidebar for sports cards and the ledger. Cards belong to
people, not regions: only platform admins see them (core.scoping gives nobody else a path)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def grant_role_permissions() -> None:
    from sportsplatform.accounts.models import Role
    from sportsplatform.core.roles import grant

    grant(Role.PLATFORM_ADMIN, "wallet.view_sportscard", "wallet.change_sportscard")


def register_navigation() -> None:
    from sportsplatform.backoffice.navigation import NavItem, register_nav_group

    register_nav_group(
        "money",
        order=47,
        title=_("Sports card and ledger"),
        items=[
            NavItem(_("Sports cards"), "credit_card", "admin:wallet_sportscard_changelist", "wallet.view_sportscard"),
            NavItem(
                _("Ledger accounts"),
                "account_balance_wallet",
                "admin:ledger_ledgeraccount_changelist",
                "ledger.view_ledgeraccount",
            ),
            NavItem(
                _("Ledger transactions"), "receipt", "admin:ledger_transaction_changelist", "ledger.view_transaction"
            ),
            NavItem(_("Ledger entries"), "list_alt", "admin:ledger_entry_changelist", "ledger.view_entry"),
        ],
    )


def register() -> None:
    grant_role_permissions()
    register_navigation()
