"""Administrative divisions in the back office: reference data every staff member may look up;
only platform admins change it (normally the regions loader does, through a data migration).
Divisions are never deleted: an abolished one keeps its code, gets `valid_to` and a successor."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import ChoicesDropdownFilter, DropdownFilter

from sportsplatform.core.scoping import regions_for, scope_for

from .models import Region


class ValidityFilter(DropdownFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [("current", _("in force")), ("abolished", _("abolished"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "current":
            return queryset.current(today)
        if self.value() == "abolished":
            return queryset.filter(valid_to__isnull=False, valid_to__lte=today)
        return queryset


class ProvinceFilter(DropdownFilter):
    title = _("province")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        return [(r.code, r.name) for r in Region.objects.filter(parent__isnull=True).order_by("code")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) == 6:
            return queryset.filter(code__startswith=value[:2])
        return queryset


@admin.register(Region)
class RegionAdmin(ModelAdmin):
    list_display = ["code", "name", "level", "parent", "in_force", "valid_from", "valid_to", "successor"]
    list_filter = [ProvinceFilter, ("level", ChoicesDropdownFilter), ValidityFilter]
    list_select_related = ["parent", "successor"]
    search_fields = ["^code", "name"]
    ordering = ["code"]
    autocomplete_fields = ["parent", "successor"]
    fieldsets = (
        (None, {"fields": ("code", "name", "level", "parent")}),
        (_("Validity"), {"fields": ("valid_from", "valid_to", "successor")}),
        (_("Location"), {"fields": ("lat", "lng")}),
    )
    list_per_page = 50

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj):
        return obj.valid_to is None or obj.valid_to > timezone.localdate()

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # The code is the primary key other records point at: fixed once created.
            return ["code"]
        return []

    def has_add_permission(self, request):
        return scope_for(request.user).everything and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return scope_for(request.user).everything and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            # Picking a region in another form: offer only the regions the user may assign.
            queryset = regions_for(request.user, queryset)
        return queryset, may_have_duplicates
