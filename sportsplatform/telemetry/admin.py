"""Back office for devices and crowd flow (设备与客流), all through core.scoping: operators see
their own venues' devices and figures, bureau officials their region's, platform admins all.

Devices are registered, edited, disabled and given credentials through telemetry.domain; a new
secret is shown once, on the page that answers the action, and never again. Occupancy, traffic
history, raw events and rejected telemetry are read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter

from sportsplatform.core.admin import ScopedModelAdmin, ScopedRegionFilter, ScopedTabularInline
from sportsplatform.core.errors import NotFound, ValidationFailed

from .domain.devices import (
    device_problems,
    disable_device,
    enable_device,
    issue_credential,
    register_device,
    revoke_credential,
    rotate_credentials,
    update_device,
)
from .domain.occupancy import occupancy_level, reading_from_row
from .models import (
    CredentialKind,
    Device,
    DeviceCredential,
    GateEvent,
    RejectionCount,
    TrafficRollup,
    VenueOccupancy,
)


class VenueRegionFilter(ScopedRegionFilter):
    region_path = "venue__region"


class ReadOnlyMixin:
    """Figures the system writes: nobody adds, edits or deletes them by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- devices -------------------------------------------------------------------------------------


class DeviceForm(forms.ModelForm):
    class Meta:
        model = Device
        fields = ["venue", "kind", "code", "name"]

    def clean(self):
        cleaned = super().clean()
        venue = cleaned.get("venue") if "venue" in self.fields else self.instance.venue
        problems = device_problems(
            venue=venue, kind=cleaned.get("kind", ""), code=cleaned.get("code", ""), exclude_pk=self.instance.pk
        )
        for field, field_messages in problems.items():
            for message in field_messages:
                self.add_error(field if field in self.fields else None, message)
        return cleaned

    def validate_unique(self):
        # device_problems (the domain's check) has said it under the code field already.
        pass


class CredentialInline(ReadOnlyMixin, ScopedTabularInline):
    model = DeviceCredential
    extra = 0
    can_delete = False
    fields = ["key_id", "kind", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = fields
    verbose_name_plural = _("credentials (secrets are shown only when issued)")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("telemetry.view_devicecredential")


@admin.register(Device)
class DeviceAdmin(ScopedModelAdmin):
    form = DeviceForm
    list_display = ["code", "name", "venue", "kind", "status_badge", "last_seen_at", "active_credentials"]
    list_filter = [VenueRegionFilter, ("kind", ChoicesDropdownFilter), ("status", ChoicesDropdownFilter)]
    search_fields = ["code", "name", "venue__name"]
    list_select_related = ["venue"]
    autocomplete_fields = ["venue"]
    readonly_fields = ["status", "last_seen_at", "created_at"]
    inlines = [CredentialInline]
    actions = [
        "rotate_secret",
        "rotate_secret_and_revoke_old",
        "issue_mqtt_password",
        "disable_selected",
        "enable_selected",
    ]
    list_per_page = 50

    def get_inlines(self, request, obj):
        # A new device gets its first credential from register_device, shown on the next page.
        return self.inlines if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["venue", "kind", "code", "name", *([] if obj is None else self.readonly_fields)]

    def get_readonly_fields(self, request, obj=None):
        # The venue is chosen once: a device cannot move to another venue (its events stay put).
        return [*self.readonly_fields, "venue"] if obj is not None else []

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_credential_count=Count("credentials", filter=Q(credentials__revoked_at__isnull=True)),
            )
        )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        colour = {"online": "green", "offline": "base", "disabled": "red"}.get(obj.status, "base")
        return format_html('<span class="bo-status bo-status-{}">{}</span>', colour, obj.get_status_display())

    @admin.display(description=_("active credentials"), ordering="active_credential_count")
    def active_credentials(self, obj):
        return obj.active_credential_count

    def has_delete_permission(self, request, obj=None):
        # Deleting a device deletes its raw events; platform admins only.
        return request.user.has_perm("telemetry.delete_device") and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not self.instance_in_scope(request, obj):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if change:
            update_device(device=obj, kind=obj.kind, code=obj.code, name=obj.name, actor=request.user)
            return
        device, issued = register_device(
            venue=obj.venue, kind=obj.kind, code=obj.code, name=obj.name, actor=request.user
        )
        obj.pk, obj.status, obj.created_at = device.pk, device.status, device.created_at
        request._issued_credentials = [(device, issued)]

    def response_add(self, request, obj, post_url_continue=None):
        issued = getattr(request, "_issued_credentials", None)
        if issued:
            return self._issued_page(request, issued, title=gettext("Device registered"))
        return super().response_add(request, obj, post_url_continue)

    def _issued_page(self, request, issued, *, title):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "issued": [
                {
                    "device": device,
                    "kind": credential.credential.get_kind_display(),
                    "key_id": credential.key_id,
                    "secret": credential.secret,
                    "topic": f"venues/{device.venue_id}/gates/{device.code}/events",
                }
                for device, credential in issued
            ],
            "changelist_url": reverse("admin:telemetry_device_changelist"),
            "gates_path": reverse("api:telemetry-gates"),
        }
        response = TemplateResponse(request, "admin/telemetry/device/credential_issued.html", context)
        response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
        return response

    def _editable(self, request, queryset):
        return [d for d in queryset.select_related("venue") if self.has_change_permission(request, d)]

    @admin.action(description=_("Issue a new secret (old ones stay valid until revoked)"), permissions=["change"])
    def rotate_secret(self, request, queryset):
        return self._rotate(request, queryset, revoke_old=False)

    @admin.action(description=_("Issue a new secret and revoke the old ones now"), permissions=["change"])
    def rotate_secret_and_revoke_old(self, request, queryset):
        return self._rotate(request, queryset, revoke_old=True)

    def _rotate(self, request, queryset, *, revoke_old: bool):
        issued = []
        for device in self._editable(request, queryset)[:50]:
            try:
                issued.append((device, rotate_credentials(device=device, actor=request.user, revoke_old=revoke_old)))
            except (NotFound, ValidationFailed) as exc:
                self.message_user(request, f"{device}: {exc.message}", messages.ERROR)
        if not issued:
            return None
        return self._issued_page(request, issued, title=gettext("New device secrets"))

    @admin.action(description=_("Issue an MQTT password (for a broker that checks passwords)"), permissions=["change"])
    def issue_mqtt_password(self, request, queryset):
        issued = []
        for device in self._editable(request, queryset)[:50]:
            issued.append(
                (device, issue_credential(device=device, kind=CredentialKind.MQTT_PASSWORD, actor=request.user))
            )
        if not issued:
            return None
        return self._issued_page(request, issued, title=gettext("New MQTT passwords"))

    @admin.action(description=_("Disable selected devices"), permissions=["change"])
    def disable_selected(self, request, queryset):
        devices = self._editable(request, queryset)
        for device in devices:
            disable_device(device=device, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d device disabled.", "%(count)d devices disabled.", len(devices))
            % {"count": len(devices)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Enable selected devices"), permissions=["change"])
    def enable_selected(self, request, queryset):
        devices = self._editable(request, queryset)
        for device in devices:
            enable_device(device=device, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d device enabled.", "%(count)d devices enabled.", len(devices)) % {"count": len(devices)},
            messages.SUCCESS,
        )


@admin.register(DeviceCredential)
class DeviceCredentialAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["key_id", "device", "kind", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = [("kind", ChoicesDropdownFilter)]
    search_fields = ["key_id", "device__code", "device__venue__name"]
    list_select_related = ["device__venue"]
    readonly_fields = list_display
    actions = ["revoke_selected"]

    def has_change_permission(self, request, obj=None):
        # Revoking is the only change, and only through the action.
        return request.user.has_perm("telemetry.change_devicecredential") and obj is None

    @admin.action(description=_("Revoke selected credentials"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        revoked = 0
        for credential in queryset.filter(revoked_at__isnull=True).select_related("device"):
            revoke_credential(credential=credential, actor=request.user)
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d credential revoked.", "%(count)d credentials revoked.", revoked) % {"count": revoked},
            messages.SUCCESS,
        )


# --- figures -------------------------------------------------------------------------------------


@admin.register(VenueOccupancy)
class VenueOccupancyAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["venue", "people_inside", "capacity", "level", "today_in", "today_out", "updated_at", "alerted_at"]
    list_filter = [VenueRegionFilter]
    search_fields = ["venue__name"]
    list_select_related = ["venue"]
    ordering = ["-current"]

    def _reading(self, obj):
        return reading_from_row(venue_id=obj.venue_id, capacity=obj.venue.capacity, row=obj)

    @admin.display(description=_("people inside"), ordering="current")
    def people_inside(self, obj):
        return self._reading(obj).current

    @admin.display(description=_("capacity"))
    def capacity(self, obj):
        return obj.venue.capacity

    @admin.display(description=_("level"))
    def level(self, obj):
        level = occupancy_level(self._reading(obj).current, obj.venue.capacity)
        return level.label if level else "—"


@admin.register(TrafficRollup)
class TrafficRollupAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["venue", "granularity", "bucket_start", "entries", "exits", "peak_occupancy"]
    list_filter = [("granularity", ChoicesDropdownFilter), VenueRegionFilter]
    search_fields = ["venue__name"]
    list_select_related = ["venue"]
    # Millions of rows: newest first along the (granularity, bucket_start) index, no COUNT(*) per
    # page, no date hierarchy (it scans the table for its years).
    ordering = ["-granularity", "-bucket_start"]
    show_full_result_count = False


@admin.register(GateEvent)
class GateEventAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["at", "venue", "device", "direction", "count", "event_id", "received_at"]
    list_filter = [("direction", ChoicesDropdownFilter), VenueRegionFilter]
    search_fields = ["event_id", "venue__name", "device__code"]
    list_select_related = ["venue", "device"]
    ordering = ["-id"]  # newest received first, by the primary key (no index on `at` alone)
    show_full_result_count = False


@admin.register(RejectionCount)
class RejectionCountAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["day", "channel", "reason", "key_id", "venue", "count", "last_at", "last_detail"]
    list_filter = [("channel", ChoicesDropdownFilter), "reason", "day"]
    search_fields = ["key_id", "reason", "venue__name"]
    list_select_related = ["venue"]
    ordering = ["-day", "-last_at"]
