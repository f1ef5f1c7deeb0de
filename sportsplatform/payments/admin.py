"""Payments in the back office, all read-only (only the payment domain writes them), scoped like
their orders: payments and refunds (a failed refund is listed, with its failure, and can be tried
again), the providers' notifications and the daily reconciliation reports (platform admins), and
the finance export of money received and refunded per day and venue (Excel)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateFilter
from unfold.decorators import action

from sportsplatform.core import audit
from sportsplatform.core.admin import ScopedModelAdmin, ScopedRegionFilter
from sportsplatform.core.errors import DomainError

from . import permissions
from .domain.reconcile import reconcile_day
from .domain.refunds import retry_refund
from .domain.sync import sync_payment
from .interfaces.finance import XLSX, finance_report, finance_workbook
from .models import (
    OPEN_PAYMENT_STATUSES,
    Payment,
    ProviderNotification,
    ReconciliationReport,
    Refund,
    RefundStatus,
)
from .providers.registry import enabled_codes

permissions.register()

MAX_EXPORT_DAYS = 366


class ReadOnlyAdmin(ScopedModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FinanceForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", gettext("The end is before the start."))
            elif (end - start).days >= MAX_EXPORT_DAYS:
                self.add_error("end", gettext("At most a year at a time."))
        return data


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["out_trade_no", "order", "provider", "channel", "amount", "status", "late", "refunded_amount",
                    "created_at", "succeeded_at"]  # fmt: skip
    list_filter = [("status", ChoicesDropdownFilter), "provider", ScopedRegionFilter, ("created_at", RangeDateFilter)]
    list_filter_submit = True
    list_select_related = ["order"]
    search_fields = ["=out_trade_no", "=order__number", "=provider_transaction_id"]
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    fields = ["order", "provider", "channel", "out_trade_no", "amount", "status", "late", "provider_transaction_id",
              "refunded_amount", "expires_at", "created_at", "succeeded_at", "closed_at", "queried_at",
              "failure"]  # fmt: skip
    readonly_fields = fields
    actions_list = ["finance"]
    actions_detail = ["query_provider"]

    def has_act_permission(self, request, object_id=None):
        return request.user.has_perm("orders.change_order") and (
            object_id is None or self.get_queryset(request).filter(pk=object_id).exists()
        )

    @action(description=_("Ask the provider"), url_path="query", permissions=["act"], icon="sync")
    def query_provider(self, request, object_id):
        payment = self.get_queryset(request).filter(pk=object_id).first()
        if payment is None:
            raise PermissionDenied
        if payment.status not in OPEN_PAYMENT_STATUSES:
            self.message_user(request, gettext("Only payments awaiting the payer are asked about."), messages.INFO)
        else:
            try:
                payment = sync_payment(payment=payment, actor=request.user)
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("The provider says: %(status)s.") % {"status": payment.get_status_display()},
                    messages.SUCCESS,
                )
        return redirect("admin:payments_payment_change", payment.pk)

    @action(description=_("Finance export"), url_path="finance", permissions=["view"], icon="table_view")
    def finance(self, request):
        today = timezone.localdate()
        data = {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
        data.update({k: v for k, v in request.GET.items() if k in ("start", "end")})
        form = FinanceForm(data)
        report = None
        if form.is_valid():
            report = finance_report(user=request.user, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
            if request.GET.get("format") == "xlsx":
                audit.record(
                    action="payments.finance.exported",
                    actor=request.user,
                    ip=getattr(request, "client_ip", None),
                    start=str(report.start),
                    end=str(report.end),
                    payments=len(report.payments),
                    refunds=len(report.refunds),
                )
                response = HttpResponse(finance_workbook(report), content_type=XLSX)
                filename = f"payments-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"
                response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
                return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Finance export"),
            "form": form,
            "report": report,
            "export_query": urlencode({k: v for k, v in data.items() if v}),
            "changelist_url": reverse("admin:payments_payment_changelist"),
        }
        return TemplateResponse(request, "admin/payments/payment/finance.html", context)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["out_refund_no", "order", "amount", "status", "reason", "failure", "attempts", "requested_by",
                    "created_at", "succeeded_at"]  # fmt: skip
    list_filter = [("status", ChoicesDropdownFilter), ScopedRegionFilter, ("created_at", RangeDateFilter)]
    list_filter_submit = True
    list_select_related = ["order", "requested_by"]
    search_fields = ["=out_refund_no", "=order__number"]
    ordering = ["-created_at", "-id"]
    fields = ["order", "payment", "out_refund_no", "amount", "reason", "status", "provider_refund_id", "failure",
              "attempts", "last_attempt_at", "requested_by", "created_at", "succeeded_at"]  # fmt: skip
    readonly_fields = fields
    actions = ["retry_selected"]
    actions_detail = ["retry"]

    def has_retry_permission(self, request, object_id=None):
        if not request.user.has_perm("payments.change_refund"):
            return False
        return object_id is None or self.get_queryset(request).filter(pk=object_id).exists()

    def _retry(self, request, refund) -> bool:
        try:
            refund = retry_refund(refund=refund, actor=request.user)
        except DomainError as exc:
            self.message_user(request, f"{refund.out_refund_no}: {exc.message}", messages.WARNING)
            return False
        if refund.status == RefundStatus.SUCCEEDED:
            return True
        self.message_user(
            request,
            gettext("%(number)s: %(status)s %(failure)s")
            % {"number": refund.out_refund_no, "status": refund.get_status_display(), "failure": refund.failure},
            messages.WARNING,
        )
        return False

    @action(description=_("Try the refund again"), url_path="retry", permissions=["retry"], icon="replay")
    def retry(self, request, object_id):
        refund = self.get_queryset(request).filter(pk=object_id).first()
        if refund is None:
            raise PermissionDenied
        if self._retry(request, refund):
            self.message_user(request, gettext("Refunded."), messages.SUCCESS)
        return redirect("admin:payments_refund_change", refund.pk)

    @admin.action(description=_("Try the selected refunds again"), permissions=["retry"])
    def retry_selected(self, request, queryset):
        done = sum(self._retry(request, refund) for refund in queryset.exclude(status=RefundStatus.SUCCEEDED))
        self.message_user(request, gettext("%(count)d refunds made.") % {"count": done}, messages.SUCCESS)


@admin.register(ProviderNotification)
class ProviderNotificationAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "kind", "notification_id", "out_trade_no", "outcome"]
    list_filter = ["provider", "kind", "outcome"]
    search_fields = ["=notification_id", "=out_trade_no"]
    ordering = ["-received_at"]
    fields = ["received_at", "provider", "kind", "notification_id", "out_trade_no", "outcome", "payload"]
    readonly_fields = fields
    show_full_result_count = False


class ReconcileForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    provider = forms.ChoiceField(label=_("Provider"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", gettext("Every provider")), *[(c, c) for c in enabled_codes()]]

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day >= timezone.localdate():
            raise forms.ValidationError(gettext("Statements cover whole days: choose a day before today."))
        return day


@admin.register(ReconciliationReport)
class ReconciliationReportAdmin(ReadOnlyAdmin):
    list_display = ["day", "provider", "status", "payments_count", "payments_total", "provider_payments_total",
                    "refunds_total", "provider_refunds_total", "mismatch_count", "updated_at"]  # fmt: skip
    list_filter = ["provider", "status", ("day", RangeDateFilter)]
    list_filter_submit = True
    ordering = ["-day", "provider"]
    fields = ["day", "provider", "status", "error", "payments_count", "payments_total", "provider_payments_count",
              "provider_payments_total", "refunds_count", "refunds_total", "provider_refunds_count",
              "provider_refunds_total", "mismatch_table", "updated_at"]  # fmt: skip
    readonly_fields = fields
    actions_list = ["run"]

    @admin.display(description=_("mismatches"))
    def mismatch_count(self, obj):
        return obj.mismatch_count

    @admin.display(description=_("mismatches"))
    def mismatch_table(self, obj):
        if not obj.mismatches:
            return "—"
        problems = {
            "missing_at_provider": gettext("not in the provider's statement"),
            "missing_here": gettext("not in our records"),
            "amount_differs": gettext("amounts differ"),
        }
        kinds = {"payment": gettext("payment"), "refund": gettext("refund")}
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    kinds.get(m["kind"], m["kind"]),
                    m.get("out_refund_no") or m.get("out_trade_no"),
                    problems.get(m["problem"], m["problem"]),
                    m.get("ours") or "—",
                    m.get("theirs") or "—",
                )
                for m in obj.mismatches
            ),
        )
        return format_html(
            '<table class="bo-table"><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            gettext("Kind"),
            gettext("Number"),
            gettext("Problem"),
            gettext("Ours (yuan)"),
            gettext("Provider's (yuan)"),
            rows,
        )

    def has_run_permission(self, request):
        return request.user.has_perm("payments.add_reconciliationreport")

    @action(description=_("Reconcile a day"), url_path="run", permissions=["run"], icon="fact_check")
    def run(self, request):
        yesterday = timezone.localdate() - timedelta(days=1)
        form = ReconcileForm(request.POST or None, initial={"day": yesterday})
        if request.method == "POST" and form.is_valid():
            day: date = form.cleaned_data["day"]
            reports = reconcile_day(day=day, provider_code=form.cleaned_data["provider"] or None, actor=request.user)
            for report in reports:
                level = messages.SUCCESS if report.status == "matched" else messages.WARNING
                self.message_user(
                    request,
                    gettext("%(provider)s %(day)s: %(status)s (%(count)d mismatches).")
                    % {
                        "provider": report.provider,
                        "day": report.day,
                        "status": report.get_status_display(),
                        "count": report.mismatch_count,
                    },
                    level,
                )
            return redirect("admin:payments_reconciliationreport_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Reconcile a day"),
            "form": form,
            "changelist_url": reverse("admin:payments_reconciliationreport_changelist"),
        }
        return TemplateResponse(request, "admin/payments/reconciliationreport/run.html", context)
