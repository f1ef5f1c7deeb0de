"""Sports cards in the back office (platform admins): number, holder, balance (the ledger account's),
status; freeze and unfreeze through wallet.domain.cards. Balances change only through the ledger."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from sportsplatform.core.admin import ScopedModelAdmin
from sportsplatform.core.errors import DomainError

from .domain.cards import freeze_card, unfreeze_card
from .models import CardStatus, SportsCard

STATUS_BADGES = {CardStatus.ACTIVE: "success", CardStatus.FROZEN: "danger"}


@admin.register(SportsCard)
class SportsCardAdmin(ScopedModelAdmin):
    list_display = ["number", "user", "balance_display", "status_display", "opened_at"]
    list_filter = ["status"]
    search_fields = ["=number", "user__username", "=user__phone"]
    list_select_related = ["user", "account"]
    ordering = ["-opened_at", "-id"]
    readonly_fields = ["number", "user", "balance_display", "status", "status_reason", "opened_at", "entries_link"]
    fields = readonly_fields
    actions = ["freeze_selected", "unfreeze_selected"]

    @display(description=_("balance (yuan)"))
    def balance_display(self, obj):
        return f"{obj.account.balance:.2f}"

    @display(description=_("status"), label=STATUS_BADGES)
    def status_display(self, obj):
        return obj.status, obj.get_status_display()

    @display(description=_("statement"))
    def entries_link(self, obj):
        url = reverse("admin:ledger_entry_changelist") + "?" + urlencode({"q": obj.account.key})
        return format_html('<a class="text-primary-600 underline" href="{}">{}</a>', url, gettext("Show every entry"))

    def has_add_permission(self, request):
        return False  # cards are opened by their holders (wallet.domain.cards.open_card)

    def has_delete_permission(self, request, obj=None):
        return False

    def _run(self, request, queryset, write, message):
        done = 0
        for card in queryset.select_related("account"):
            try:
                write(card=card, actor=request.user, reason=gettext("Changed in the back office"))
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{card.number}: {exc.message}", messages.WARNING)
        if done:
            self.message_user(request, message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Freeze selected cards"), permissions=["change"])
    def freeze_selected(self, request, queryset):
        self._run(request, queryset, freeze_card, gettext("%(count)d card(s) frozen."))

    @admin.action(description=_("Unfreeze selected cards"), permissions=["change"])
    def unfreeze_selected(self, request, queryset):
        self._run(request, queryset, unfreeze_card, gettext("%(count)d card(s) unfrozen."))
