"""Role permissions and the sidebar group for orders and payments (called from the admin modules,
which the admin autodiscovers at start-up; idempotent).

- platform admins: every order, payment, refund, provider notification and reconciliation report;
  refund and cancel orders, retry refunds, run reconciliation;
- operator staff: their venues' orders, payments and refunds; refund and cancel them, retry refunds;
- bureau officials: their region's orders, payments and refunds, read-only (and the finance export).
What each sees is narrowed by core.scoping (orders, payments and refunds lie in their venue's
region and belong to its operator)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

_done = False


def register() -> None:
    global _done
    if _done:
        return
    _done = True
    from sportsplatform.accounts.models import Role
    from sportsplatform.core.roles import grant

    read = ("orders.view_order", "payments.view_payment", "payments.view_refund")
    act = ("orders.change_order", "payments.change_refund")
    grant(
        Role.PLATFORM_ADMIN,
        *read,
        *act,
        "payments.view_providernotification",
        "payments.view_reconciliationreport",
        "payments.add_reconciliationreport",
    )
    grant(Role.OPERATOR_STAFF, *read, *act)
    grant(Role.BUREAU_OFFICIAL, *read)

    from sportsplatform.backoffice.navigation import NavItem, register_nav_group

    register_nav_group(
        "orders",
        order=44,
        title=_("Orders and payments"),
        items=[
            NavItem(_("Orders"), "receipt_long", "admin:orders_order_changelist", "orders.view_order"),
            NavItem(_("Payments"), "payments", "admin:payments_payment_changelist", "payments.view_payment"),
            NavItem(_("Refunds"), "currency_exchange", "admin:payments_refund_changelist", "payments.view_refund"),
            NavItem(_("Finance export"), "table_view", "admin:payments_payment_finance", "payments.view_payment"),
            NavItem(
                _("Reconciliation"),
                "fact_check",
                "admin:payments_reconciliationreport_changelist",
                "payments.view_reconciliationreport",
            ),
            NavItem(
                _("Provider notifications"),
                "notifications_active",
                "admin:payments_providernotification_changelist",
                "payments.view_providernotification",
            ),
        ],
    )
