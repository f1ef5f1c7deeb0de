"""Security and audit pages of the back office, and the admin site's own settings.

- Audit log (auditlog's LogEntry): read-only for everyone, superusers included; nobody changes
  or deletes an audit record through the back office. Platform admins read all entries, others
  the entries they made and those about objects they can see (backoffice.queries).
- Login attempts and lockouts (django-axes): platform admins only, with an "unlock" action.
- Authenticator devices (django-otp): platform admins may remove a lost device; secrets are
  never shown and devices are only enrolled by their owner.
- SMS codes and API tokens are not shown at all: they are secrets (hashes, but still).
- Groups are not offered: permissions come from roles (core.roles), not from groups."""

from __future__ import annotations

import json

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import (
    BooleanRadioFilter,
    DropdownFilter,
    RangeDateTimeFilter,
)

from sportsplatform.core import audit
from sportsplatform.core.admin import export_csv
from sportsplatform.core.scoping import scope_for

from .events import event_label
from .queries import audit_entries_visible_to

admin.site.index_template = "backoffice/index.html"
admin.site.index_title = _("Dashboard")
admin.site.site_title = _("Sichuan Digital Sports Venues · Management")
admin.site.site_header = _("Venue management platform")

for model in (LogEntry, AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


def _client_ip(request) -> str | None:
    return getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR") or None


class PlatformAdminOnlyMixin:
    """Pages for platform admins only (model permission and the platform-wide scope)."""

    def has_module_permission(self, request):
        return scope_for(request.user).everything and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return scope_for(request.user).everything and super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- audit log --------------------------------------------------------------------------------


class AuditedTypeFilter(DropdownFilter):
    """Filter by kind of object. The choices are the audited models, not a DISTINCT over the
    (large) audit table."""

    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        models = [*auditlog.get_models(), LogEntry]
        types = ContentType.objects.get_for_models(*models)
        choices = []
        for model, content_type in types.items():
            label = _("sign-in and other events") if model is LogEntry else model._meta.verbose_name
            choices.append((str(content_type.pk), str(label)))
        return sorted(choices, key=lambda c: c[1])

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(content_type_id=int(value))
        return queryset


class AuditActionFilter(DropdownFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(str(value), label) for value, label in LogEntry.Action.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(action=int(value))
        return queryset


@admin.register(LogEntry)
class AuditLogEntryAdmin(ModelAdmin):
    list_display = ["timestamp", "actor_name", "event", "resource", "change_summary", "remote_addr"]
    list_filter = [AuditActionFilter, AuditedTypeFilter, ("timestamp", RangeDateTimeFilter)]
    list_filter_submit = True
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_repr", "actor__username", "actor__display_name", "=object_pk"]
    ordering = ["-timestamp", "-pk"]
    # A COUNT(*) over the whole audit table on every page is wasted work.
    show_full_result_count = False
    list_per_page = 50
    actions = [export_csv]
    export_fields = ["timestamp", "actor_name", "event", "resource", "change_summary", "remote_addr"]
    fields = ["timestamp", "actor_name", "remote_addr", "event", "resource", "changes_table", "details"]
    readonly_fields = fields

    def get_queryset(self, request):
        return audit_entries_visible_to(request.user, super().get_queryset(request))

    def get_export_fields(self, request):
        return list(self.export_fields)

    # Audit records are protected: nobody adds, changes or deletes them here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        if obj is None:
            return True
        return audit_entries_visible_to(request.user).filter(pk=obj.pk).exists()

    @admin.display(description=_("who"), ordering="actor__username")
    def actor_name(self, obj):
        if obj.actor_id is None:
            return _("system")
        actor = obj.actor
        name = actor.display_name or actor.username
        return f"{name} ({actor.username})" if name != actor.username else name

    @admin.display(description=_("event"))
    def event(self, obj):
        code = (obj.additional_data or {}).get("action") if isinstance(obj.additional_data, dict) else None
        if code:
            return event_label(code)
        return obj.get_action_display()

    @admin.display(description=_("object"))
    def resource(self, obj):
        model = obj.content_type.model_class() if obj.content_type_id else None
        if model is None or model is LogEntry:
            return obj.object_repr if model is None else ""
        label = f"{model._meta.verbose_name} · {obj.object_repr}"
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.object_pk])
        except NoReverseMatch:
            return label
        return format_html('<a href="{}" class="text-primary-600">{}</a>', url, label)

    @admin.display(description=_("changes"))
    def change_summary(self, obj):
        # Updates only (a creation lists every field), and field names only: changes_display_dict
        # would look up every related value (N+1).
        if obj.action != LogEntry.Action.UPDATE or not obj.changes:
            return ""
        model = obj.content_type.model_class()
        return ", ".join(field_label(model, name) for name in obj.changes_dict)

    @admin.display(description=_("before and after"))
    def changes_table(self, obj):
        changes = obj.changes_dict if obj.changes else {}
        if not changes:
            return _("No field changes")
        model = obj.content_type.model_class()
        display = obj.changes_display_dict  # choices and related objects as people read them
        rows = []
        for name, values in changes.items():
            label = field_label(model, name)
            shown = display.get(label) or display.get(name) or values
            rows.append((label, _value(shown, 0), _value(shown, 1)))
        body = format_html_join(
            "",
            '<tr class="border-t border-base-200 dark:border-base-800"><td class="py-1 pr-4 font-medium">{}</td>'
            '<td class="py-1 pr-4 text-red-700 dark:text-red-400">{}</td>'
            '<td class="py-1 text-green-700 dark:text-green-400">{}</td></tr>',
            rows,
        )
        return format_html(
            '<table class="text-sm"><thead><tr><th class="pr-4 text-left">{}</th><th class="pr-4 text-left">{}</th>'
            '<th class="text-left">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("field"),
            _("before"),
            _("after"),
            body,
        )

    @admin.display(description=_("details"))
    def details(self, obj):
        data = obj.additional_data
        if not data:
            return ""
        return format_html(
            '<pre class="text-xs whitespace-pre-wrap">{}</pre>', json.dumps(data, ensure_ascii=False, indent=2)
        )


def field_label(model, name: str) -> str:
    """A field's name as the UI shows it. Fields declared without a verbose_name get their
    attribute name ("organisation"), which the catalogues usually translate as a word."""
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except (AttributeError, FieldDoesNotExist):
        return name
    return gettext(label) if label == name.replace("_", " ") else label


def _value(values, index) -> str:
    if not isinstance(values, list | tuple) or len(values) <= index:
        return ""
    value = values[index]
    if value in (None, "None", ""):
        return "—"
    if value in (True, "True"):
        return gettext("Yes")
    if value in (False, "False"):
        return gettext("No")
    return str(value)


# --- sign-in attempts and lockouts ------------------------------------------------------------


class LockedOutFilter(DropdownFilter):
    title = _("locked out")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        if self.value() == "no":
            return queryset.filter(failures_since_start__lt=settings.AXES_FAILURE_LIMIT)
        return queryset


@admin.register(AccessAttempt)
class AccessAttemptAdmin(PlatformAdminOnlyMixin, ModelAdmin):
    list_display = ["username", "ip_address", "failures_since_start", "locked_out", "attempt_time", "path_info"]
    list_filter = [LockedOutFilter, ("attempt_time", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    actions = ["unlock"]
    fields = ["username", "ip_address", "failures_since_start", "attempt_time", "path_info", "user_agent"]
    readonly_fields = fields

    @admin.display(description=_("locked out"), boolean=True)
    def locked_out(self, obj):
        return obj.failures_since_start >= settings.AXES_FAILURE_LIMIT

    def has_unlock_permission(self, request):
        return scope_for(request.user).everything and request.user.has_perm("axes.delete_accessattempt")

    @admin.action(description=_("Unlock the selected accounts"), permissions=["unlock"])
    def unlock(self, request, queryset):
        usernames = sorted({u for u in queryset.values_list("username", flat=True) if u})
        for username in usernames:
            axes_reset(username=username)
            audit.record(
                action="security.lockout.unlocked", actor=request.user, ip=_client_ip(request), username=username
            )
        self.message_user(
            request,
            ngettext("Unlocked %(count)d account.", "Unlocked %(count)d accounts.", len(usernames))
            % {"count": len(usernames)},
            messages.SUCCESS,
        )


@admin.register(AccessLog)
class AccessLogAdmin(PlatformAdminOnlyMixin, ModelAdmin):
    list_display = ["username", "ip_address", "attempt_time", "logout_time", "path_info"]
    list_filter = [("attempt_time", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    fields = ["username", "ip_address", "attempt_time", "logout_time", "path_info", "user_agent"]
    readonly_fields = fields


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(PlatformAdminOnlyMixin, ModelAdmin):
    list_display = ["username", "ip_address", "attempt_time", "locked_out", "path_info"]
    list_filter = [("locked_out", BooleanRadioFilter), ("attempt_time", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    fields = ["username", "ip_address", "attempt_time", "locked_out", "path_info", "user_agent"]
    readonly_fields = fields


# --- authenticator devices --------------------------------------------------------------------


# django-otp names its model in plain English (no gettext): give the back office a translatable name.
TOTPDevice._meta.verbose_name = _("authenticator device")
TOTPDevice._meta.verbose_name_plural = _("authenticator devices")


@admin.register(TOTPDevice)
class AuthenticatorDeviceAdmin(PlatformAdminOnlyMixin, ModelAdmin):
    """Lets a platform admin remove a lost authenticator so its owner can enrol a new one at the
    next sign-in. The shared secret is never displayed."""

    # django-otp's field names carry no translations: label the columns here.
    list_display = ["owner", "device_name", "is_confirmed", "created", "last_used"]
    list_filter = [("confirmed", BooleanRadioFilter)]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__display_name"]
    fields = ["owner", "device_name", "is_confirmed", "created", "last_used"]
    readonly_fields = fields

    @admin.display(description=_("user"), ordering="user__username")
    def owner(self, obj):
        return obj.user

    @admin.display(description=_("device"))
    def device_name(self, obj):
        return obj.name

    @admin.display(description=_("confirmed"), boolean=True)
    def is_confirmed(self, obj):
        return obj.confirmed

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, obj):
        return obj.created_at

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, obj):
        return obj.last_used_at

    def has_delete_permission(self, request, obj=None):
        return scope_for(request.user).everything and request.user.has_perm("otp_totp.delete_totpdevice")

    def delete_model(self, request, obj):
        audit.record(action="accounts.otp.device_removed", actor=request.user, obj=obj.user, ip=_client_ip(request))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            self.delete_model(request, device)
