"""The coupon back office (消费券): bureaus prepare, issue and close batches for their region, see
the coupons claimed and redeemed, and the subsidy settlement per venue with its Excel export.
Everything lists through core.scoping: a city bureau sees its city's batches only, never the
province's or another city's; an operator sees redemptions at its own venues."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action, display
from unfold.widgets import INPUT_CLASSES, UnfoldAdminCheckboxSelectMultipleWidget, UnfoldAdminSelectWidget

from sportsplatform.core import audit
from sportsplatform.core.admin import ScopedModelAdmin, ScopedRegionFilter
from sportsplatform.core.errors import DomainError
from sportsplatform.core.scoping import visible_to

from . import permissions
from .domain.batches import close_batch, issue_batch, issuing_bureaus, target_errors
from .interfaces.excel import settlement_workbook
from .models import BatchStatus, Coupon, CouponBatch, CouponRedemption
from .queries import settlement

permissions.register()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

STATUS_BADGES = {BatchStatus.DRAFT: "info", BatchStatus.ISSUED: "success", BatchStatus.CLOSED: "warning"}


def _as_list(messages_) -> list:
    return messages_ if isinstance(messages_, list) else [messages_]


class CouponBatchForm(forms.ModelForm):
    class Meta:
        model = CouponBatch
        fields = [
            "name",
            "description",
            "issuer",
            "face_value",
            "min_spend",
            "total_count",
            "per_user_limit",
            "valid_from",
            "valid_until",
            "regions",
            "venues",
            "sports",
        ]

    def clean(self):
        data = super().clean()
        issuer = data.get("issuer")
        if issuer is not None:
            # The batch lies in its bureau's region: that is what scoping checks next.
            self.instance.region = issuer.region
            for name, errors in target_errors(
                region=issuer.region, venues=data.get("venues") or [], regions=data.get("regions") or []
            ).items():
                self.add_error(name, errors)
        face, minimum = data.get("face_value"), data.get("min_spend")
        if face is not None and minimum and face > minimum:
            self.add_error("min_spend", gettext("The minimum spend must be at least the face value, or zero for none."))
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end <= start:
            self.add_error("valid_until", gettext("The end of validity must be after its start."))
        total, per_user = data.get("total_count"), data.get("per_user_limit")
        if total and per_user and per_user > total:
            self.add_error("per_user_limit", gettext("The limit per person cannot exceed the number of coupons."))
        return data


@admin.register(CouponBatch)
class CouponBatchAdmin(ScopedModelAdmin):
    form = CouponBatchForm
    list_display = [
        "name",
        "issuer",
        "face_value",
        "min_spend",
        "claimed_display",
        "per_user_limit",
        "valid_from",
        "valid_until",
        "status_display",
    ]
    list_filter = ["status", ScopedRegionFilter]
    search_fields = ["name", "issuer__name"]
    autocomplete_fields = ["venues"]
    list_select_related = ["issuer"]
    ordering = ["-valid_from", "-id"]
    actions = ["issue_selected", "close_selected"]
    readonly_fields = ["claimed_count", "status", "issued_at", "closed_at", "created_by"]
    fieldsets = [
        (None, {"fields": ["name", "description", "issuer", "status"]}),
        (_("Coupons"), {"fields": ["face_value", "min_spend", "total_count", "per_user_limit", "claimed_count"]}),
        (_("Validity"), {"fields": ["valid_from", "valid_until"]}),
        (_("Where it can be used"), {"fields": ["regions", "venues", "sports"]}),
        (_("Batch history"), {"fields": ["created_by", "issued_at", "closed_at"]}),
    ]

    @display(description=_("claimed"))
    def claimed_display(self, obj):
        return f"{obj.claimed_count} / {obj.total_count}"

    @display(description=_("status"), label=STATUS_BADGES)
    def status_display(self, obj):
        return obj.status, obj.get_status_display()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != BatchStatus.DRAFT:
            # An issued batch is a promise to the public: its terms no longer change.
            readonly += [f for f in CouponBatchForm.Meta.fields if f not in readonly]
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "issuer":
            kwargs["queryset"] = issuing_bureaus(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "sports":
            # A dozen sports: ticking boxes beats a two-pane chooser on any screen.
            kwargs.setdefault("widget", UnfoldAdminCheckboxSelectMultipleWidget)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        bureaus = list(issuing_bureaus(request.user)[:2])
        if len(bureaus) == 1:
            initial.setdefault("issuer", bureaus[0].pk)
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Only drafts can be deleted: an issued batch has claims and a subsidy attached.
        if obj is not None and obj.status != BatchStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    # -- issue / close
    def _run(self, request, batches, write, done_message) -> None:
        done = 0
        for batch in batches:
            try:
                write(batch=batch, actor=request.user)
                done += 1
            except DomainError as exc:
                detail = "; ".join(
                    str(m) for msgs in exc.fields.values() for m in (msgs if isinstance(msgs, list) else [msgs])
                )
                self.message_user(request, f"{batch.name}: {exc.message} {detail}".strip(), messages.ERROR)
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Issue selected batches"), permissions=["change"])
    def issue_selected(self, request, queryset):
        self._run(request, queryset, issue_batch, gettext("%(count)d batch(es) issued."))

    @admin.action(description=_("Close selected batches"), permissions=["change"])
    def close_selected(self, request, queryset):
        self._run(request, queryset, close_batch, gettext("%(count)d batch(es) closed."))

    def delete_queryset(self, request, queryset):
        queryset.filter(status=BatchStatus.DRAFT).delete()


class ReadOnlyMixin:
    """Claims and redemptions are written by the domain only (claiming, checkout, release)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Coupon)
class CouponAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["code", "batch", "user", "sequence", "status", "claimed_at", "used_at"]
    list_filter = ["status", ScopedRegionFilter]
    search_fields = ["code", "batch__name", "user__username", "user__phone"]
    list_select_related = ["batch", "user"]
    ordering = ["-claimed_at", "-id"]
    readonly_fields = ["code", "batch", "user", "sequence", "status", "claimed_at", "used_at"]
    fields = readonly_fields
    show_full_result_count = False


def _date_input():
    # ISO dates: what <input type="date"> accepts as its value, whatever the UI language.
    return forms.DateInput(attrs={"type": "date", "class": " ".join(INPUT_CLASSES)}, format="%Y-%m-%d")


class SettlementForm(forms.Form):
    start = forms.DateField(label=_("Start date"), widget=_date_input())
    end = forms.DateField(label=_("End date"), widget=_date_input())
    batch = forms.TypedChoiceField(
        label=_("Coupon batch"), coerce=int, required=False, empty_value=None, widget=UnfoldAdminSelectWidget
    )

    def __init__(self, *args, batches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].choices = [("", gettext("All batches"))] + [(b.pk, b.name) for b in batches]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", gettext("The end of the period must not be before its start."))
        return data


def this_month() -> tuple[date, date]:
    today = timezone.localdate()
    return today.replace(day=1), today


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["coupon", "order", "venue", "batch", "discount", "applied_at", "released_at", "release_reason"]
    list_filter = [ScopedRegionFilter]
    search_fields = ["coupon__code", "order__number", "venue__name", "batch__name"]
    list_select_related = ["coupon", "order", "venue", "batch"]
    ordering = ["-applied_at", "-id"]
    readonly_fields = list_display
    fields = list_display
    actions_list = ["settlement"]

    @action(description=_("Subsidy settlement"), url_path="settlement", permissions=["view"], icon="account_balance")
    def settlement(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        start, end = this_month()
        batches = visible_to(request.user, CouponBatch.objects.exclude(status=BatchStatus.DRAFT)).order_by(
            "-valid_from", "-id"
        )
        data = {"start": start, "end": end, **{k: v for k, v in request.GET.items() if k in ("start", "end", "batch")}}
        form = SettlementForm(data, batches=batches.only("id", "name"))
        report = None
        if form.is_valid():
            report = settlement(
                user=request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                batch=form.cleaned_data.get("batch"),
            )
            if request.GET.get("format") == "xlsx":
                audit.record(
                    action="coupons.settlement.exported",
                    actor=request.user,
                    ip=getattr(request, "client_ip", None),
                    start=str(report.start),
                    end=str(report.end),
                    rows=len(report.rows),
                )
                response = HttpResponse(settlement_workbook(report), content_type=XLSX)
                filename = f"coupon-settlement-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"
                response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
                return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Subsidy settlement"),
            "form": form,
            "report": report,
            "export_query": urlencode({k: v for k, v in data.items() if v not in (None, "")}),
            "changelist_url": reverse("admin:coupons_couponredemption_changelist"),
        }
        return TemplateResponse(request, "admin/coupons/couponredemption/settlement.html", context)
