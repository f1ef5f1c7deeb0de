"""The ledger in the back office: accounts with their balances and transactions with their entries,
read-only (every row is written by ledger.domain.posting.post). Scoped like everything else: a
venue's settlement account lies in the venue's region; cards and providers only platform admins see."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from sportsplatform.core.admin import ScopedModelAdmin

from .models import Entry, LedgerAccount, Transaction


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EntryInline(ReadOnlyMixin, TabularInline):
    model = Entry
    fields = ["account", "amount", "balance_after"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["key", "name", "kind", "balance", "allow_negative", "created_at"]
    list_filter = ["kind"]
    search_fields = ["key", "name"]
    ordering = ["key"]
    readonly_fields = ["key", "name", "kind", "user", "venue", "balance", "allow_negative", "created_at"]
    fields = [*readonly_fields, "entries_link"]
    readonly_fields = [*readonly_fields, "entries_link"]

    @admin.display(description=_("entries"))
    def entries_link(self, obj):
        url = reverse("admin:ledger_entry_changelist") + "?" + urlencode({"q": obj.key})
        return format_html('<a class="text-primary-600 underline" href="{}">{}</a>', url, _("Show every entry"))


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["reference", "kind", "order", "memo", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["reference", "order__number", "memo"]
    list_select_related = ["order", "actor"]
    ordering = ["-created_at", "-id"]
    readonly_fields = ["reference", "kind", "order", "memo", "actor", "created_at"]
    fields = readonly_fields
    inlines = [EntryInline]
    show_full_result_count = False


@admin.register(Entry)
class EntryAdmin(ReadOnlyMixin, ScopedModelAdmin):
    """Every movement, searchable by account key ("card:42"), reference or order number."""

    list_display = ["transaction", "account", "amount", "balance_after", "created_at"]
    search_fields = ["=account__key", "=transaction__reference", "=transaction__order__number"]
    list_select_related = ["transaction", "account"]
    ordering = ["-transaction_id", "-id"]
    readonly_fields = ["transaction", "account", "amount", "balance_after"]
    fields = readonly_fields
    show_full_result_count = False

    @admin.display(description=_("time"), ordering="transaction__created_at")
    def created_at(self, obj):
        return obj.transaction.created_at
