"""Back office for the venue register (场馆管理), all through core.scoping: operators see and edit
their own venues, bureau officials their region's, platform admins everything.

The change form edits the venue with its courts, weekly hours, dated exceptions, photos and
documents; every write goes through venues.domain (the forms ask the same domain checks first so
they show as field errors). The list has Excel export (selected rows, or everything in scope),
Excel import with a template, and the summary by type and region with its Excel report."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import BooleanRadioFilter, ChoicesDropdownFilter, DropdownFilter
from unfold.decorators import action
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget

from sportsplatform.accounts.models import Organisation, OrganisationKind
from sportsplatform.core import audit
from sportsplatform.core.admin import ScopedModelAdmin, ScopedRegionFilter, ScopedTabularInline
from sportsplatform.core.errors import NotFound, ValidationFailed
from sportsplatform.core.scoping import regions_for, require_visible, scope_for, visible_to
from sportsplatform.regions.models import RegionLevel

from . import permissions
from .domain import files as venue_files
from .domain.imports import ROW_FIELD, ImportRejected, RowError
from .domain.venues import (
    add_court,
    add_opening_exception,
    court_problems,
    create_venue,
    delete_venue,
    opening_exception_problems,
    publish_venue,
    remove_court,
    remove_opening_exception,
    set_sports,
    set_weekly_hours,
    unpublish_venue,
    update_court,
    update_opening_exception,
    update_venue,
    venue_problems,
    weekly_hours_problems,
)
from .interfaces.excel import column_labels, export_venues, import_venue_file, venue_template
from .interfaces.summaries import summary_workbook, venue_summary
from .interfaces.workbook import MAX_BYTES, MAX_ROWS, XLSX_CONTENT_TYPE, WorkbookError
from .models import (
    Amenity,
    Court,
    DocumentKind,
    OpeningException,
    OpeningHours,
    Sport,
    Venue,
    VenueDocument,
    VenuePhoto,
)

# Admin modules are imported by autodiscover at start-up, before any request: roles, audit
# registration and the sidebar group are in place whenever the back office serves a page.
permissions.register()


def add_problems(form, problems: dict) -> None:
    """Show a domain check's problems on a form: under the field when the form has it (and has
    not already complained about it), otherwise at the top."""
    for field, field_messages in problems.items():
        if field in form.errors:
            continue
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def is_org_staff_only(request) -> bool:
    """Operator (or other organisation) staff without a region of their own."""
    scope = scope_for(request.user)
    return not scope.everything and not scope.region_prefixes


# --- inlines --------------------------------------------------------------------------------------


class VenuePartInline(ScopedTabularInline):
    """A part of a venue (court, hours, photo...). Rows are checked by `row_problems` (the domain's
    checks) and written by VenueAdmin.save_formset through the domain."""

    extra = 0

    def row_problems(self, request, form, instance) -> dict:
        return {}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        inline = self
        base = formset.form

        class CheckedForm(base):
            def _post_clean(self):
                super()._post_clean()
                if self.cleaned_data.get("DELETE") or (self.instance.pk is None and not self.has_changed()):
                    return
                add_problems(self, inline.row_problems(request, self, self.instance))

        CheckedForm.__name__ = base.__name__
        formset.form = CheckedForm
        return formset


class CourtInline(VenuePartInline):
    model = Court
    fields = ["name", "kind", "sport", "capacity", "price_per_hour", "is_bookable", "order"]
    verbose_name = _("bookable unit")
    verbose_name_plural = _("bookable units (courts, fields, lanes, rooms)")

    def row_problems(self, request, form, instance):
        return court_problems(instance)


class WeeklyHoursFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        intervals = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or (form.instance.pk is None and not form.has_changed()):
                continue
            intervals.append((data.get("weekday"), data.get("opens"), data.get("closes")))
        problems = weekly_hours_problems(i for i in intervals if i[0] is not None)
        if problems:
            raise ValidationError(problems)


class OpeningHoursInline(VenuePartInline):
    model = OpeningHours
    formset = WeeklyHoursFormSet
    fields = ["weekday", "opens", "closes"]
    verbose_name = _("weekly opening interval")
    verbose_name_plural = _("weekly opening hours (a day without intervals is closed)")


class ExceptionForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        if data.get("is_closed"):
            # A closure has no hours; dropping them here keeps the database rule from complaining.
            data["opens"] = data["closes"] = None
        return data


class ExceptionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        by_date: dict = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or not data.get("date"):
                continue
            for other in by_date.get(data["date"], []):
                if data.get("is_closed") or other.get("is_closed"):
                    raise ValidationError(gettext("%(date)s appears twice.") % {"date": data["date"]})
                if data["opens"] < other["closes"] and other["opens"] < data["closes"]:
                    raise ValidationError(gettext("Hours on %(date)s overlap.") % {"date": data["date"]})
            by_date.setdefault(data["date"], []).append(data)


class OpeningExceptionInline(VenuePartInline):
    model = OpeningException
    form = ExceptionForm
    formset = ExceptionFormSet
    fields = ["date", "is_closed", "opens", "closes", "reason"]
    verbose_name_plural = _("holidays, closures and special hours")

    def get_queryset(self, request):
        # Past exceptions stay on record but are not edited here.
        return super().get_queryset(request).filter(date__gte=timezone.localdate() - timezone.timedelta(days=7))

    def row_problems(self, request, form, instance):
        # The other rows of this form are checked by ExceptionFormSet; here: the stored ones.
        return opening_exception_problems(instance)


class PhotoForm(forms.ModelForm):
    class Meta:
        model = VenuePhoto
        fields = ["image", "caption", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A stored photo is replaced by adding a new one: its file cannot change here.
            self.fields["image"].disabled = True
            self.fields["image"].required = False


class PhotoInline(VenuePartInline):
    model = VenuePhoto
    form = PhotoForm
    fields = ["preview", "image", "caption", "order"]
    readonly_fields = ["preview"]

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj or not obj.pk or not obj.thumbnail:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-width:160px;max-height:120px;border-radius:4px">',
            obj.thumbnail.url,
            obj.caption or gettext("photo"),
        )

    def row_problems(self, request, form, instance):
        upload = form.cleaned_data.get("image")
        if instance.pk is None:
            if not upload:
                return {"image": [gettext("Choose a photo to upload.")]}
            try:
                venue_files.inspect_photo(upload)
            except ValidationFailed as exc:
                return exc.fields
        return {}


class DocumentForm(forms.ModelForm):
    class Meta:
        model = VenueDocument
        fields = ["kind", "title", "file", "issued_on", "valid_until", "is_public"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "Drawings: PDF, DWG or DXF; inspection reports: PDF; indoor maps: PDF, PNG or JPEG; 3D models: "
            "glTF/GLB, IFC, DWG, DXF, OBJ, FBX or STL."
        )
        if self.instance.pk:
            # A new file is a new document: the stored one keeps its kind and file.
            for name in ("kind", "file"):
                self.fields[name].disabled = True
                self.fields[name].required = False


class DocumentInline(VenuePartInline):
    model = VenueDocument
    form = DocumentForm
    fields = ["kind", "title", "file", "issued_on", "valid_until", "is_public", "validity", "download"]
    readonly_fields = ["validity", "download"]

    @admin.display(description=_("validity"))
    def validity(self, obj):
        if not obj or not obj.pk:
            return ""
        if venue_files.is_expired(obj):
            return format_html(
                '<strong class="bo-expired" style="color:#b91c1c">⚠ {}</strong>',
                gettext("Expired on %(date)s") % {"date": obj.valid_until},
            )
        if obj.kind == DocumentKind.INSPECTION and obj.valid_until:
            return gettext("Valid until %(date)s") % {"date": obj.valid_until}
        return ""

    @admin.display(description=_("file"))
    def download(self, obj):
        if not obj or not obj.pk:
            return ""
        url = reverse("admin:venues_venue_document", args=[obj.venue_id, obj.pk])
        return format_html('<a href="{}">{}</a> ({} KB)', url, gettext("Download"), max(1, obj.size // 1024))

    def row_problems(self, request, form, instance):
        problems = {}
        if instance.pk is None:
            upload = form.cleaned_data.get("file")
            if not upload:
                return {"file": [gettext("Choose a file to upload.")]}
            try:
                venue_files.inspect_document(upload, kind=instance.kind)
            except ValidationFailed as exc:
                problems.update(exc.fields)
        for field, field_messages in venue_files.document_problems(instance).items():
            problems.setdefault(field, []).extend(field_messages)
        return problems


CREATE_FIELDS = (
    "name",
    "type",
    "ownership",
    "region",
    "address",
    "lat",
    "lng",
    "operator",
    "phone",
    "amenities",
    "floor_area",
    "site_area",
    "year_built",
    "star_rating",
    "capacity",
    "description",
    "is_published",
)


# --- the venue form -----------------------------------------------------------------------------


class VenueForm(forms.ModelForm):
    amenities = forms.MultipleChoiceField(
        label=_("services"),
        choices=Amenity.choices,
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
    )

    class Meta:
        model = Venue
        fields = [*CREATE_FIELDS, "sports"]

    def clean_amenities(self):
        return list(self.cleaned_data.get("amenities") or [])


# --- list filters ---------------------------------------------------------------------------------


class SportFilter(DropdownFilter):
    title = _("sport")
    parameter_name = "sport"

    def lookups(self, request, model_admin):
        return [(s.code, s.name) for s in Sport.objects.all()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        offered = Venue.sports.through.objects.filter(venue_id=OuterRef("pk"), sport__code=self.value())
        return queryset.filter(Exists(offered))


class ExpiredInspectionFilter(DropdownFilter):
    title = _("inspection reports")
    parameter_name = "inspection"

    def lookups(self, request, model_admin):
        return [("expired", _("has an expired report")), ("none", _("has no report"))]

    def queryset(self, request, queryset):
        reports = VenueDocument.objects.filter(venue_id=OuterRef("pk"), kind=DocumentKind.INSPECTION)
        if self.value() == "expired":
            return queryset.filter(Exists(venue_files.expired_inspection_reports(reports)))
        if self.value() == "none":
            return queryset.exclude(Exists(reports))
        return queryset


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("At most %(rows)s rows and %(mb)s MB.") % {"rows": MAX_ROWS, "mb": MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def describe_row_errors(rows: list[RowError], labels: dict[str, str], model) -> list[dict]:
    """Row errors as the import page lists them: row number and "column: message" lines."""
    described = []
    for row in rows:
        lines = []
        for field, field_messages in row.errors.items():
            label = labels.get(field)
            if label is None and field not in (ROW_FIELD, "__all__"):
                try:
                    label = str(model._meta.get_field(field).verbose_name)
                except FieldDoesNotExist:
                    label = field
            for message in field_messages:
                lines.append(f"{label}：{message}" if label else message)
        described.append({"number": row.number, "messages": lines})
    return described


# --- the venue admin ------------------------------------------------------------------------------


class ExcelRegisterMixin:
    """Excel export (selected rows or the whole scoped list), all-or-nothing import and the
    template, for a register admin (venues, facilities). Subclasses name their model's pieces."""

    excel_stem = ""  # file names: <stem>-YYYYMMDD.xlsx, <stem>-template.xlsx
    excel_audit_action = ""
    excel_import_title = ""
    excel_imported_message = ""  # with %(created)d and %(updated)d
    # Set by each admin (as staticmethods): queryset → xlsx bytes, (upload, actor) → result with
    # created/updated, () → template bytes, () → column labels for the error report.
    excel_export = excel_import = excel_template = excel_column_labels = None

    def _admin_url(self, name: str) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}")

    def _export(self, request, queryset):
        content = self.excel_export(queryset)
        audit.record(
            action=self.excel_audit_action,
            actor=request.user,
            ip=getattr(request, "client_ip", None),
            rows=queryset.count(),
            format="xlsx",
        )
        return xlsx_response(content, f"{self.excel_stem}-{timezone.localdate():%Y%m%d}.xlsx")

    @admin.action(description=_("Export selected to Excel"), permissions=["view"])
    def export_selected_xlsx(self, request, queryset):
        return self._export(request, queryset)

    # -- buttons above the list (unfold actions_list)
    @action(description=_("Import from Excel"), url_path="import-excel", permissions=["add"], icon="upload_file")
    def import_excel(self, request):
        form = ImportForm(request.POST or None, request.FILES or None)
        rejected = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = self.excel_import(upload, actor=request.user)
            except WorkbookError as exc:
                form.add_error("file", exc.message)
            except ImportRejected as exc:
                rejected = {
                    "message": str(exc.message),
                    "rows": describe_row_errors(exc.rows, self.excel_column_labels(), self.model),
                    "filename": PurePath(upload.name).name,
                }
            else:
                self.message_user(
                    request,
                    str(self.excel_imported_message) % {"created": result.created, "updated": result.updated},
                    messages.SUCCESS,
                )
                return redirect(self._admin_url("changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(self.excel_import_title),
            "form": form,
            "rejected": rejected,
            "template_url": self._admin_url("download_template"),
            "changelist_url": self._admin_url("changelist"),
            "max_rows": MAX_ROWS,
        }
        return TemplateResponse(request, "admin/venues/venue/import_excel.html", context)

    @action(description=_("Download template"), url_path="import-template", permissions=["add"], icon="download")
    def download_template(self, request):
        return xlsx_response(self.excel_template(), f"{self.excel_stem}-template.xlsx")

    @action(description=_("Export to Excel"), url_path="export-excel", permissions=["view"], icon="table_view")
    def export_all_xlsx(self, request):
        return self._export(request, self.get_queryset(request))


@admin.register(Venue)
class VenueAdmin(ExcelRegisterMixin, ScopedModelAdmin):
    form = VenueForm
    list_display = [
        "name",
        "type",
        "ownership",
        "region",
        "operator",
        "star_rating",
        "is_published",
        "bookable_courts",
    ]
    list_filter = [
        ("type", ChoicesDropdownFilter),
        ("ownership", ChoicesDropdownFilter),
        ScopedRegionFilter,
        SportFilter,
        ("is_published", BooleanRadioFilter),
        ExpiredInspectionFilter,
    ]
    list_select_related = ["region", "operator"]
    list_per_page = 50
    search_fields = ["search_text"]
    search_help_text = _("Name, address, county or sport")
    inlines = [CourtInline, OpeningHoursInline, OpeningExceptionInline, PhotoInline, DocumentInline]
    actions = ["export_selected_xlsx", "publish_selected", "unpublish_selected"]
    actions_list = ["import_excel", "download_template", "export_all_xlsx", "summary"]
    excel_stem = "venues"
    excel_audit_action = "venues.venue.exported"
    excel_import_title = _("Import venues from Excel")
    excel_imported_message = _("Imported: %(created)d venues created, %(updated)d updated.")
    excel_export = staticmethod(export_venues)
    excel_import = staticmethod(import_venue_file)
    excel_template = staticmethod(venue_template)
    excel_column_labels = staticmethod(column_labels)
    export_fields = [
        "name",
        "type",
        "ownership",
        "region",
        "operator",
        "address",
        "phone",
        "star_rating",
        "is_published",
        "bookable_courts",
    ]
    fieldsets = (
        (None, {"fields": ("name", "type", "ownership", "operator", "region", "address")}),
        (
            _("Location (WGS-84)"),
            {
                "fields": ("lat", "lng"),
                "description": _(
                    "GPS coordinates in decimal degrees. Points copied from AMap, Tencent or Baidu maps "
                    "(GCJ-02/BD-09) are off by several hundred metres. The point must lie in the county."
                ),
            },
        ),
        (_("Sports and services"), {"fields": ("sports", "amenities", "phone")}),
        (_("Facts"), {"fields": ("floor_area", "site_area", "year_built", "capacity", "star_rating")}),
        (_("Publication"), {"fields": ("description", "is_published")}),
    )

    # -- list
    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(bookable_courts=Count("courts", filter=Q(courts__is_bookable=True), distinct=True))
        )

    @admin.display(description=_("bookable units"), ordering="bookable_courts")
    def bookable_courts(self, obj):
        return getattr(obj, "bookable_courts", None)

    # -- form
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if is_org_staff_only(request):
            # Star ratings are awarded by the rating body (T/SCSVA 0004), not declared by operators.
            fields.append("star_rating")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = regions_for(request.user).filter(level=RegionLevel.COUNTY).order_by("code")
        elif db_field.name == "operator":
            operators = Organisation.objects.filter(kind=OrganisationKind.OPERATOR, is_active=True)
            kwargs["queryset"] = visible_to(request.user, operators).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "sports":
            kwargs["widget"] = UnfoldAdminCheckboxSelectMultipleWidget
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        scope = scope_for(request.user)
        if is_org_staff_only(request) and len(scope.organisation_ids) == 1:
            org = Organisation.objects.filter(pk=next(iter(scope.organisation_ids))).first()
            if org is not None:
                initial.setdefault("operator", org.pk)
                if org.region_id and org.region.level == RegionLevel.COUNTY:
                    initial.setdefault("region", org.region_id)
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class VenueDomainForm(form):
            def _post_clean(self):
                super()._post_clean()
                add_problems(self, venue_problems(venue=self.instance, actor=request.user))

        VenueDomainForm.__name__ = form.__name__
        return VenueDomainForm

    # -- writes, all through the domain
    def save_model(self, request, obj, form, change):
        if not self.instance_in_scope(request, obj):
            raise PermissionDenied
        if change:
            update_venue(venue=obj, actor=request.user)
            return
        created = create_venue(actor=request.user, **{name: getattr(obj, name) for name in CREATE_FIELDS})
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        venue = form.instance
        if "sports" in form.cleaned_data:
            set_sports(venue=venue, sports=form.cleaned_data["sports"], actor=request.user)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        venue = form.instance
        actor = request.user
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        model = formset.model
        if model is OpeningHours:
            self._save_weekly_hours(request, venue, formset)
            return
        for row, what in _formset_rows(formset):
            instance = row.instance
            if what == "delete":
                {
                    Court: lambda i: remove_court(court=i, actor=actor),
                    OpeningException: lambda i: remove_opening_exception(exception=i, actor=actor),
                    VenuePhoto: lambda i: venue_files.remove_photo(photo=i, actor=actor),
                    VenueDocument: lambda i: venue_files.remove_document(document=i, actor=actor),
                }[model](instance)
                formset.deleted_objects.append(instance)
            elif what == "change":
                {
                    Court: lambda i: update_court(court=i, actor=actor),
                    OpeningException: lambda i: update_opening_exception(exception=i, actor=actor),
                    VenuePhoto: lambda i: venue_files.update_photo(photo=i, actor=actor),
                    VenueDocument: lambda i: venue_files.update_document(document=i, actor=actor),
                }[model](instance)
                formset.changed_objects.append((instance, row.changed_data))
            else:
                formset.new_objects.append(self._add_part(model, venue, row, actor))

    @staticmethod
    def _add_part(model, venue, row, actor):
        i, data = row.instance, row.cleaned_data
        if model is Court:
            return add_court(
                venue=venue,
                name=i.name,
                sport=i.sport,
                price_per_hour=i.price_per_hour,
                kind=i.kind,
                capacity=i.capacity,
                is_bookable=i.is_bookable,
                order=i.order,
                actor=actor,
            )
        if model is OpeningException:
            return add_opening_exception(
                venue=venue,
                date=i.date,
                is_closed=i.is_closed,
                opens=i.opens,
                closes=i.closes,
                reason=i.reason,
                actor=actor,
            )
        if model is VenuePhoto:
            return venue_files.add_photo(
                venue=venue, upload=data["image"], caption=i.caption, order=i.order or 0, actor=actor
            )
        if model is VenueDocument:
            return venue_files.add_document(
                venue=venue,
                kind=i.kind,
                upload=data["file"],
                title=i.title,
                issued_on=i.issued_on,
                valid_until=i.valid_until,
                is_public=i.is_public,
                actor=actor,
            )
        raise TypeError(model)

    def _save_weekly_hours(self, request, venue, formset) -> None:
        if not any(True for _row in _formset_rows(formset)):
            return
        intervals = []
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or (row.instance.pk is None and not row.has_changed()):
                continue
            intervals.append((data["weekday"], data["opens"], data["closes"]))
        set_weekly_hours(venue=venue, intervals=intervals, actor=request.user)

    def delete_model(self, request, obj):
        delete_venue(venue=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for venue in queryset:
            delete_venue(venue=venue, actor=request.user)

    # -- bulk actions (Excel export, import and template: ExcelRegisterMixin)
    @admin.action(description=_("Publish selected venues"), permissions=["change"])
    def publish_selected(self, request, queryset):
        self._publish(request, queryset, publish_venue)

    @admin.action(description=_("Unpublish selected venues"), permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._publish(request, queryset, unpublish_venue)

    def _publish(self, request, queryset, write) -> None:
        done = 0
        for venue in queryset:
            write(venue=venue, actor=request.user)
            done += 1
        self.message_user(
            request, ngettext("%(count)d venue updated.", "%(count)d venues updated.", done) % {"count": done}
        )

    @action(description=_("Venue summary"), url_path="summary", permissions=["view"], icon="analytics")
    def summary(self, request):
        summary = venue_summary(user=request.user, region_code=request.GET.get("region") or None)
        if request.GET.get("format") == "xlsx":
            audit.record(
                action="venues.summary.exported",
                actor=request.user,
                ip=getattr(request, "client_ip", None),
                region=summary.region.code if summary.region else "",
            )
            code = summary.region.code if summary.region else "all"
            return xlsx_response(summary_workbook(summary), f"venue-summary-{code}-{timezone.localdate():%Y%m%d}.xlsx")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Venue summary"),
            "summary": summary,
            "changelist_url": reverse("admin:venues_venue_changelist"),
        }
        return TemplateResponse(request, "admin/venues/venue/summary.html", context)

    # -- documents are fetched through the scope, not from a public URL
    def get_urls(self):
        urls = super().get_urls()
        extra = [
            path(
                "<path:object_id>/documents/<int:document_id>/",
                self.admin_site.admin_view(self.document_view),
                name="venues_venue_document",
            )
        ]
        return extra + urls

    def document_view(self, request, object_id, document_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            document = require_visible(request.user, VenueDocument.objects.filter(venue_id=object_id), pk=document_id)
        except NotFound:
            return redirect("admin:venues_venue_changelist")
        if not document.is_public:
            audit.record(
                action="venues.document.downloaded",
                actor=request.user,
                obj=document,
                ip=getattr(request, "client_ip", None),
            )
        inline = document.content_type in ("application/pdf", "image/png", "image/jpeg")
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=not inline,
            filename=f"{document.title}{PurePath(document.file.name).suffix}",
            content_type=document.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


def _formset_rows(formset):
    """(form, "add" | "change" | "delete") for every form that asks for a write."""
    for form in formset.initial_forms:
        if formset.can_delete and formset._should_delete_form(form):
            yield form, "delete"
        elif form.has_changed():
            yield form, "change"
    for form in formset.extra_forms:
        if form.has_changed() and not (formset.can_delete and formset._should_delete_form(form)):
            yield form, "add"


@admin.register(Sport)
class SportAdmin(ModelAdmin):
    """The list of sports, read-only: it is reference data loaded by a migration, and its codes
    are what the API filters by."""

    list_display = ["name", "name_en", "code", "order"]
    search_fields = ["name", "name_en", "code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
