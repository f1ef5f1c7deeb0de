"""Back office for fitness facilities (健身设施), through core.scoping like venues: the managing
organisation's staff see their own, bureau officials their region's. A trail's route is edited as
GeoJSON text and validated; its start becomes the facility's point and its length is computed.
Writes go through facilities.domain; Excel import/export as for venues."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.contrib.filters.admin import BooleanRadioFilter, ChoicesDropdownFilter
from unfold.widgets import UnfoldAdminTextareaWidget

from sportsplatform.accounts.models import Organisation, OrganisationKind
from sportsplatform.core.admin import ScopedModelAdmin, ScopedRegionFilter, ScopedTabularInline, lies_in_scope
from sportsplatform.core.errors import ValidationFailed
from sportsplatform.core.scoping import regions_for, scope_for, visible_to
from sportsplatform.regions.models import RegionLevel
from sportsplatform.venues.admin import ExcelRegisterMixin, add_problems

from . import permissions
from .domain.facilities import (
    add_equipment,
    create_facility,
    delete_facility,
    equipment_problems,
    facility_problems,
    parse_path,
    publish_facility,
    remove_equipment,
    unpublish_facility,
    update_equipment,
    update_facility,
)
from .interfaces.excel import column_labels, export_facilities, facility_template, import_facility_file
from .models import Equipment, Facility

permissions.register()

CREATE_FIELDS = (
    "kind",
    "trail_kind",
    "name",
    "region",
    "address",
    "lat",
    "lng",
    "path",
    "managing_organisation",
    "managing_body",
    "area",
    "year_built",
    "phone",
    "opening_hours",
    "description",
    "is_published",
)


class EquipmentInline(ScopedTabularInline):
    model = Equipment
    extra = 0
    fields = ["kind", "count", "installed_on", "condition", "last_inspected_on"]

    def instance_in_scope(self, request, instance) -> bool:
        try:
            facility = instance.facility
        except ObjectDoesNotExist:
            return False
        return facility is not None and lies_in_scope(request.user, facility)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        base = formset.form

        class CheckedForm(base):
            def _post_clean(self):
                super()._post_clean()
                if self.cleaned_data.get("DELETE") or (self.instance.pk is None and not self.has_changed()):
                    return
                add_problems(self, equipment_problems(self.instance))

        CheckedForm.__name__ = base.__name__
        formset.form = CheckedForm
        return formset


class RouteField(forms.CharField):
    """A trail's route as GeoJSON text (LineString, Feature, or [[lng, lat], ...])."""

    widget = UnfoldAdminTextareaWidget

    def prepare_value(self, value):
        if isinstance(value, list | dict):
            return json.dumps(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_path(value)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.fields["path"][0]) from None


class FacilityForm(forms.ModelForm):
    path = RouteField(
        label=_("route (GeoJSON)"),
        required=False,
        help_text=_(
            'Trails only: a GeoJSON LineString, e.g. {"type": "LineString", "coordinates": [[104.06, 30.64], '
            "[104.07, 30.65]]} (longitude first, WGS-84). The start becomes the point; the length is computed."
        ),
    )

    class Meta:
        model = Facility
        fields = list(CREATE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lat", "lng"):
            if name in self.fields:
                # A trail's point is its start; other kinds are checked by the domain.
                self.fields[name].required = False


@admin.register(Facility)
class FacilityAdmin(ExcelRegisterMixin, ScopedModelAdmin):
    form = FacilityForm
    list_display = ["name", "kind", "trail_kind", "region", "managing", "length_m", "equipment_total", "is_published"]
    list_filter = [
        ("kind", ChoicesDropdownFilter),
        ("trail_kind", ChoicesDropdownFilter),
        ScopedRegionFilter,
        ("is_published", BooleanRadioFilter),
    ]
    list_select_related = ["region", "managing_organisation"]
    list_per_page = 50
    search_fields = ["search_text"]
    inlines = [EquipmentInline]
    actions = ["export_selected_xlsx", "publish_selected", "unpublish_selected"]
    actions_list = ["import_excel", "download_template", "export_all_xlsx"]
    excel_stem = "facilities"
    excel_audit_action = "facilities.facility.exported"
    excel_import_title = _("Import fitness facilities from Excel")
    excel_imported_message = _("Imported: %(created)d facilities created, %(updated)d updated.")
    excel_export = staticmethod(export_facilities)
    excel_import = staticmethod(import_facility_file)
    excel_template = staticmethod(facility_template)
    excel_column_labels = staticmethod(column_labels)
    readonly_fields = ["length_m"]
    fieldsets = (
        (None, {"fields": ("name", "kind", "trail_kind", "region", "address")}),
        (_("Location (WGS-84)"), {"fields": ("lat", "lng", "path", "length_m")}),
        (
            _("Management"),
            {"fields": ("managing_organisation", "managing_body", "phone", "opening_hours")},
        ),
        (_("Facts"), {"fields": ("area", "year_built")}),
        (_("Publication"), {"fields": ("description", "is_published")}),
    )
    export_fields = ["name", "kind", "trail_kind", "region", "address", "managing", "length_m", "is_published"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(equipment_sum=Sum("equipment__count"))

    @admin.display(description=_("managed by"))
    def managing(self, obj):
        return obj.managing_organisation.name if obj.managing_organisation_id else obj.managing_body

    @admin.display(description=_("equipment"), ordering="equipment_sum")
    def equipment_total(self, obj):
        return getattr(obj, "equipment_sum", None) or 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = regions_for(request.user).filter(level=RegionLevel.COUNTY).order_by("code")
        elif db_field.name == "managing_organisation":
            operators = Organisation.objects.filter(kind=OrganisationKind.OPERATOR, is_active=True)
            kwargs["queryset"] = visible_to(request.user, operators).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        scope = scope_for(request.user)
        if not scope.everything and not scope.region_prefixes and len(scope.organisation_ids) == 1:
            initial.setdefault("managing_organisation", next(iter(scope.organisation_ids)))
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class FacilityDomainForm(form):
            def _post_clean(self):
                super()._post_clean()
                add_problems(self, facility_problems(facility=self.instance, actor=request.user))

        FacilityDomainForm.__name__ = form.__name__
        return FacilityDomainForm

    def save_model(self, request, obj, form, change):
        if not self.instance_in_scope(request, obj):
            raise PermissionDenied
        if change:
            update_facility(facility=obj, actor=request.user)
            return
        created = create_facility(actor=request.user, **{name: getattr(obj, name) for name in CREATE_FIELDS})
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        facility, actor = form.instance, request.user
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.initial_forms:
            if formset.can_delete and formset._should_delete_form(row):
                remove_equipment(equipment=row.instance, actor=actor)
                formset.deleted_objects.append(row.instance)
            elif row.has_changed():
                update_equipment(equipment=row.instance, actor=actor)
                formset.changed_objects.append((row.instance, row.changed_data))
        for row in formset.extra_forms:
            if not row.has_changed() or (formset.can_delete and formset._should_delete_form(row)):
                continue
            i = row.instance
            formset.new_objects.append(
                add_equipment(
                    facility=facility,
                    kind=i.kind,
                    count=i.count,
                    installed_on=i.installed_on,
                    condition=i.condition,
                    last_inspected_on=i.last_inspected_on,
                    actor=actor,
                )
            )

    def delete_model(self, request, obj):
        delete_facility(facility=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for facility in queryset:
            delete_facility(facility=facility, actor=request.user)

    @admin.action(description=_("Publish selected facilities"), permissions=["change"])
    def publish_selected(self, request, queryset):
        self._publish(request, queryset, publish_facility)

    @admin.action(description=_("Unpublish selected facilities"), permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._publish(request, queryset, unpublish_facility)

    def _publish(self, request, queryset, write) -> None:
        done = 0
        for facility in queryset:
            write(facility=facility, actor=request.user)
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d facility updated.", "%(count)d facilities updated.", done) % {"count": done},
        )
