"""Orders in the back office, scoped (an operator sees its venues' orders, an official their
region's, platform admins all). Everything on an order is read-only — money moves only through the
payment domain — with its lines, payments, refunds and events inline. Two actions on an order:
refund (an amount and a reason → payments.domain.refunds.refund_order) and cancel (→
orders.domain.cancel.cancel_order, in full: staff cancel for reasons of their own, e.g. a court
closed, so the buyer gets everything back)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateFilter
from unfold.decorators import action

from sportsplatform.core.admin import ScopedModelAdmin, ScopedRegionFilter
from sportsplatform.core.errors import DomainError
from sportsplatform.payments import permissions
from sportsplatform.payments.domain.refunds import refund_order, refundable_amount
from sportsplatform.payments.models import Payment, Refund

from .domain.cancel import cancel_order, refund_preview
from .models import Order, OrderEvent, OrderLine, OrderStatus, PaymentMethod

permissions.register()


class ReadOnlyInline(TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Part of the order: whoever may see the order sees its lines, payments, refunds and history.
        return request.user.has_perm("orders.view_order")


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["description", "quantity", "unit_price", "amount"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["out_trade_no", "provider_name", "channel", "amount", "status", "late", "succeeded_at", "refunded_amount"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    @admin.display(description=_("payment method"))
    def provider_name(self, obj):
        return PaymentMethod(obj.provider).label if obj.provider in PaymentMethod.values else obj.provider


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["out_refund_no", "amount", "status", "reason", "failure", "attempts", "requested_by", "succeeded_at"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by")


def status_label(value: str) -> str:
    return OrderStatus(value).label if value in OrderStatus.values else value


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["at", "action", "status_before", "status_after", "actor", "note"]
    readonly_fields = fields
    ordering = ["at", "id"]
    verbose_name_plural = _("Order history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("status before"))
    def status_before(self, obj):
        return status_label(obj.from_status)

    @admin.display(description=_("status after"))
    def status_after(self, obj):
        return status_label(obj.to_status)


class RefundForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(label=_("Reason"), max_length=128, help_text=_("Shown to the buyer."))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=128, help_text=_("Shown to the buyer."))


@admin.register(Order)
class OrderAdmin(ScopedModelAdmin):
    list_display = ["number", "user", "kind", "venue", "status", "amount", "refunded_amount", "payment_method",
                    "created_at"]  # fmt: skip
    list_filter = [("status", ChoicesDropdownFilter), "kind", ScopedRegionFilter, ("created_at", RangeDateFilter)]
    list_filter_submit = True
    list_select_related = ["user", "venue"]
    search_fields = ["=number", "venue__name", "=user__phone", "=payments__out_trade_no"]
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    fields = ["number", "user", "kind", "venue", "status", "subtotal", "discount", "amount", "refunded_amount",
              "payment_method", "expires_at", "paid_at", "closed_at", "created_at", "note"]  # fmt: skip
    readonly_fields = fields
    inlines = [OrderLineInline, PaymentInline, RefundInline, OrderEventInline]
    actions_detail = ["refund", "cancel"]
    export_fields = ["number", "user", "kind", "venue", "status", "subtotal", "discount", "amount",
                     "refunded_amount", "payment_method", "paid_at", "created_at"]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # nothing on an order is edited by hand; the actions below change it

    def has_act_permission(self, request, object_id=None):
        if not request.user.has_perm("orders.change_order"):
            return False
        if object_id is None:
            return True
        return self.get_queryset(request).filter(pk=object_id).exists()

    def _order(self, request, object_id) -> Order:
        order = self.get_queryset(request).filter(pk=object_id).first()
        if order is None or not self.has_act_permission(request, object_id):
            raise PermissionDenied
        return order

    def _page(self, request, order, *, form, title, intro, submit):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": order,
            "title": title,
            "intro": intro,
            "form": form,
            "submit": submit,
            "back_url": reverse("admin:orders_order_change", args=[order.pk]),
        }
        return TemplateResponse(request, "admin/orders/order/action_form.html", context)

    @action(description=_("Refund"), url_path="refund", permissions=["act"], icon="currency_exchange")
    def refund(self, request, object_id):
        order = self._order(request, object_id)
        left = refundable_amount(order=order)
        form = RefundForm(request.POST or None, initial={"amount": left})
        if request.method == "POST" and form.is_valid():
            try:
                refund = refund_order(
                    order=order,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except DomainError as exc:
                for name, problems in (exc.fields or {}).items():
                    if name in form.fields:
                        for problem in problems:
                            form.add_error(name, str(problem))
                if not form.errors:
                    form.add_error(None, str(exc.message))
            else:
                level = messages.SUCCESS if refund.status == "succeeded" else messages.WARNING
                self.message_user(
                    request,
                    gettext("Refund %(number)s of %(amount)s yuan: %(status)s.")
                    % {"number": refund.out_refund_no, "amount": refund.amount, "status": refund.get_status_display()},
                    level,
                )
                return redirect("admin:orders_order_change", order.pk)
        intro = gettext("Paid %(amount)s yuan; %(left)s yuan can still be refunded, back the way it was paid.") % {
            "amount": order.amount,
            "left": left,
        }
        return self._page(request, order, form=form, title=gettext("Refund order %s") % order.number, intro=intro,
                          submit=gettext("Refund"))  # fmt: skip

    @action(description=_("Cancel order"), url_path="cancel", permissions=["act"], icon="cancel")
    def cancel(self, request, object_id):
        order = self._order(request, object_id)
        form = CancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                order = cancel_order(
                    order=order, actor=request.user, reason=form.cleaned_data["reason"], full_refund=True
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                self.message_user(
                    request,
                    gettext("Order %(number)s is now %(status)s.")
                    % {"number": order.number, "status": order.get_status_display()},
                    messages.SUCCESS,
                )
                return redirect("admin:orders_order_change", order.pk)
        if order.status == OrderStatus.PAID:
            quote = refund_preview(order=order, full_refund=True)
            intro = gettext(
                "The order is paid: the buyer gets %(amount)s yuan back in full, whatever the refund policy."
            ) % {"amount": quote.amount}
        elif order.status == OrderStatus.PENDING_PAYMENT:
            intro = gettext("The order is not paid yet: its payment is stopped and what it holds is freed.")
        else:
            intro = gettext("An order that is %(status)s cannot be cancelled.") % {"status": order.get_status_display()}
        return self._page(request, order, form=form, title=gettext("Cancel order %s") % order.number, intro=intro,
                          submit=gettext("Cancel the order"))  # fmt: skip
