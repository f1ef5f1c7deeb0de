"""Back-office building blocks that put every admin list, form, filter and export through the one
scoping mechanism (core.scoping).

    @admin.register(Venue)
    class VenueAdmin(ScopedModelAdmin):
        list_filter = [ScopedRegionFilter]

gives a changelist, change/delete views, autocomplete, filters and a CSV export that only ever see
`visible_to(user, ...)`; foreign-key choices narrowed to what the user may pick; and a form that
refuses, with a field error, an object that would end up outside the user's scope.

An out-of-scope id in a URL answers exactly like a missing one: Django's change, delete and history
views fetch the object through `get_queryset`, so they redirect to the index with "doesn't exist".
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.contrib.filters.admin import DropdownFilter

from . import audit
from .scoping import editable_by, regions_for, scope_for, visible_to

# --- scope checks on unsaved instances ---------------------------------------------------------


def resolve_path(instance: models.Model, path: str):
    """The value at a scoping path (``"organisation__region"``) on an instance, without touching the
    database more than following the foreign keys needs. A foreign key yields its raw id (a
    Region's id is its code); a missing link yields None."""
    obj = instance
    parts = path.split("__")
    for i, name in enumerate(parts):
        if obj is None:
            return None
        last = i == len(parts) - 1
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            return getattr(obj, name, None)
        if field.is_relation and field.many_to_one:
            raw = getattr(obj, field.attname)
            if last:
                return raw
            if raw is None:
                # An inline row on an add page points at its parent before the parent is saved:
                # follow the (unsaved) parent object Django put on the row, not its missing id.
                obj = field.get_cached_value(obj, default=None)
                continue
            obj = getattr(obj, name)
        else:
            return getattr(obj, field.attname)
    return None


def lies_in_scope(user, instance: models.Model) -> bool:
    """Whether `instance`, as it would be saved, lies inside the user's scope (the same rule
    `visible_to` applies in SQL, evaluated on the unsaved object)."""
    scope = scope_for(user)
    if scope.everything:
        return True
    model = type(instance)
    region_path = getattr(model, "scope_region_field", None)
    org_path = getattr(model, "scope_organisation_field", None)
    if region_path and scope.allows_region(resolve_path(instance, region_path)):
        return True
    return bool(org_path) and scope.allows_organisation(resolve_path(instance, org_path))


OUT_OF_SCOPE_MESSAGE = _("This lies outside the region or organisation you are responsible for.")


def _scope_error_field(form, model) -> str | None:
    """The form field the out-of-scope error is attached to: the region or organisation field if
    the form shows it, otherwise a non-field error."""
    for path in (getattr(model, "scope_region_field", None), getattr(model, "scope_organisation_field", None)):
        if not path:
            continue
        name = path.split("__")[0].removesuffix("_id")
        if name in form.fields:
            return name
    return None


def scoped_form_class(form_class, *, admin_instance, request):
    """A subclass of the admin's form that rejects an instance outside the user's scope with a
    field error, after Django has built the instance from the cleaned data."""

    class ScopedForm(form_class):
        def _post_clean(self):
            super()._post_clean()
            if not admin_instance.instance_in_scope(request, self.instance):
                self.add_error(_scope_error_field(self, type(self.instance)), OUT_OF_SCOPE_MESSAGE)

    ScopedForm.__name__ = form_class.__name__
    ScopedForm.__qualname__ = form_class.__qualname__
    return ScopedForm


# --- CSV export ------------------------------------------------------------------------------

# Cells that a spreadsheet would treat as a formula (CSV injection, OWASP).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if hasattr(value, "tzinfo") and hasattr(value, "astimezone") and timezone.is_aware(value):
        value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    text = strip_tags(str(value)).strip()
    if text.startswith(_FORMULA_PREFIXES):
        text = "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_rows(model_admin, request, queryset: models.QuerySet, fields: Iterable[str]) -> Iterator[str]:
    """The CSV text of `queryset`, header first, as a stream of lines. The first chunk carries a
    UTF-8 byte-order mark so Excel opens Chinese text correctly."""
    fields = list(fields)
    writer = csv.writer(_Echo())
    header = [_cell(label_for_field(name, model_admin.model, model_admin)) for name in fields]
    yield "\ufeff" + writer.writerow(header)
    for obj in queryset.iterator(chunk_size=1000):
        row = []
        for name in fields:
            try:
                field, _attr, value = lookup_field(name, obj, model_admin)
            except (AttributeError, FieldDoesNotExist):
                value = None
                field = None
            if field is not None and getattr(field, "flatchoices", None):
                value = dict(field.flatchoices).get(value, value)
            row.append(_cell(value))
        yield writer.writerow(row)


@admin.action(description=_("Export selected as CSV"))
def export_csv(model_admin, request, queryset):
    """Admin action: the selected rows (or, with "select all", the whole filtered list) as CSV.
    The queryset Django hands to an action comes from the changelist, so it is already scoped."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    fields = model_admin.get_export_fields(request)
    opts = model_admin.model._meta
    filename = f"{opts.model_name}-{timezone.localdate():%Y%m%d}.csv"
    audit.record(
        action="backoffice.export.csv",
        actor=request.user,
        ip=getattr(request, "client_ip", None),
        model=opts.label,
        rows=queryset.count(),
    )
    response = StreamingHttpResponse(
        csv_rows(model_admin, request, queryset, fields), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


# --- admin mixins ----------------------------------------------------------------------------


class ScopedAdminMixin:
    """Puts a ModelAdmin (or inline) through core.scoping. Subclasses change `scope_queryset` and
    `instance_in_scope` only when a model reaches its scope indirectly (users via memberships)."""

    csv_export = True
    # Columns of the CSV export; defaults to the changelist columns.
    export_fields: tuple[str, ...] | list[str] | None = None

    # -- what the user may see
    def scope_queryset(self, request, queryset: models.QuerySet) -> models.QuerySet:
        return visible_to(request.user, queryset)

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def instance_in_scope(self, request, instance: models.Model) -> bool:
        """Whether an (unsaved) instance would lie in the user's scope once saved."""
        return lies_in_scope(request.user, instance)

    def _object_check(self, request, kind: str, obj, queryset) -> bool:
        # Cached per request: the change view asks view, change and delete permission for the
        # same object, each of which would otherwise cost a query.
        if obj is None or obj.pk is None:
            return True
        cache = request.__dict__.setdefault("_scoped_object_cache", {})
        key = (kind, self.model._meta.label, obj.pk)
        if key not in cache:
            cache[key] = queryset.filter(pk=obj.pk).exists()
        return cache[key]

    def object_in_scope(self, request, obj) -> bool:
        """Whether a stored object is reachable through this admin's scoped queryset."""
        return self._object_check(request, "view", obj, self.get_queryset(request))

    def object_editable(self, request, obj) -> bool:
        return self.object_in_scope(request, obj) and self._object_check(
            request, "change", obj, editable_by(request.user, self.model._default_manager.all())
        )

    # -- permissions: model permission (roles) AND the object lies in scope
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.object_in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.object_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.object_editable(request, obj)

    # -- choices in forms
    def scoped_choices(self, request, related_model, queryset=None) -> models.QuerySet | None:
        """Choices for a relation to `related_model`: regions the user may assign, objects the
        related admin shows the user, or whatever the scope shows. None: not a scoped model."""
        from sportsplatform.regions.models import Region

        if related_model is Region:
            return regions_for(request.user, queryset if queryset is not None else Region.objects.all())
        related_admin = self.admin_site._registry.get(related_model)
        if isinstance(related_admin, ScopedAdminMixin):
            qs = related_admin.get_queryset(request)
            return qs if queryset is None else qs & queryset
        if getattr(related_model, "scope_region_field", None) or getattr(
            related_model, "scope_organisation_field", None
        ):
            return visible_to(request.user, queryset if queryset is not None else related_model._default_manager.all())
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            narrowed = self.scoped_choices(request, db_field.remote_field.model)
            if narrowed is not None:
                kwargs["queryset"] = narrowed
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            narrowed = self.scoped_choices(request, db_field.remote_field.model)
            if narrowed is not None:
                kwargs["queryset"] = narrowed
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # -- writes
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return scoped_form_class(form, admin_instance=self, request=request)

    def save_model(self, request, obj, form, change):
        # The form has already refused out-of-scope data with a field error; this is the last line
        # for code paths that bypass the form (a custom view calling save_model directly).
        if not self.instance_in_scope(request, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    # -- search: Django searches inside get_queryset's result; keep it that way for subclasses
    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return self.scope_queryset(request, queryset), may_have_duplicates

    # -- export
    def get_export_fields(self, request) -> list[str]:
        if self.export_fields:
            return list(self.export_fields)
        return [f for f in self.get_list_display(request) if f != "action_checkbox"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if (
            self.csv_export
            and self.actions is not None
            and IS_POPUP_VAR not in request.GET
            and self.has_view_permission(request)
        ):
            actions["export_csv"] = (export_csv, "export_csv", export_csv.short_description)
        return actions


class ScopedModelAdmin(ScopedAdminMixin, ModelAdmin):
    """unfold's ModelAdmin put through the scope."""


class ScopedInlineMixin:
    """Inlines show only related rows in the user's scope and offer scoped choices."""

    def get_queryset(self, request):
        return visible_to(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            narrowed = ScopedAdminMixin.scoped_choices(self, request, db_field.remote_field.model)
            if narrowed is not None:
                kwargs["queryset"] = narrowed
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = scoped_form_class(formset.form, admin_instance=self, request=request)
        return formset

    def instance_in_scope(self, request, instance) -> bool:
        return lies_in_scope(request.user, instance)


class ScopedTabularInline(ScopedInlineMixin, TabularInline):
    pass


class ScopedStackedInline(ScopedInlineMixin, StackedInline):
    pass


# --- filters ---------------------------------------------------------------------------------


def region_code_lookup(region_path: str) -> str:
    # Region's pk is its code: Django filters "<fk>__code" on the FK column without a join.
    return f"{region_path.removesuffix('_id')}__code"


class ScopedRegionFilter(DropdownFilter):
    """Filter a changelist by region, listing only regions in the user's scope. Choosing a city
    includes its counties (GB/T 2260 code prefix). The model's `scope_region_field` says where its
    region is; set `region_path` on a subclass to filter on another path."""

    title = _("region")
    parameter_name = "region"
    region_path: str | None = None

    def _path(self, model) -> str:
        return self.region_path or model.scope_region_field

    def lookups(self, request, model_admin):
        from sportsplatform.regions.models import RegionLevel

        indent = {RegionLevel.PROVINCE: "", RegionLevel.PREFECTURE: "\u3000", RegionLevel.COUNTY: "\u3000\u3000"}
        regions = regions_for(request.user).order_by("code").only("code", "name", "level", "valid_to")
        choices = []
        for region in regions:
            label = f"{indent.get(region.level, '')}{region.name} {region.code}"
            if region.valid_to:
                label += gettext(" (abolished)")
            choices.append((region.code, label))
        return choices

    def queryset(self, request, queryset):
        from sportsplatform.regions.models import scope_prefix

        value = self.value()
        if not value:
            return queryset
        if value not in {code for code, _label in self.lookup_choices}:
            # Not one of the user's regions: show nothing rather than guess.
            return queryset.none()
        return queryset.filter(**{f"{region_code_lookup(self._path(queryset.model))}__startswith": scope_prefix(value)})


class ScopedRelatedFilter(DropdownFilter):
    """Filter by a foreign key, listing only the related objects the user may see. Subclass with
    `field_name` (and `title`); the parameter is ``<field_name>__id__exact``."""

    field_name: str = ""

    def __init__(self, request, params, model, model_admin):
        self.parameter_name = f"{self.field_name}__id__exact"
        if not self.title:
            self.title = model._meta.get_field(self.field_name).verbose_name
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        related_model = model_admin.model._meta.get_field(self.field_name).remote_field.model
        qs = ScopedAdminMixin.scoped_choices(model_admin, request, related_model)
        if qs is None:
            qs = related_model._default_manager.none()
        return [(str(obj.pk), str(obj)) for obj in qs]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value not in {pk for pk, _label in self.lookup_choices}:
            return queryset.none()
        return queryset.filter(**{f"{self.field_name}_id": value})
