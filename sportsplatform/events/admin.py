"""Back office of events (赛事活动), all through core.scoping.

- Event applications: the organiser's staff (operator or institution staff; platform admins too)
  write an application with its entry groups, sign-up questions and documents (private files,
  downloaded through `events:office_attachment`), submit it, and see the bureau's decision on the
  review timeline; the bureau official of the event's region (county, its city, the province)
  reads it and approves, returns or rejects it from buttons on the page (approvals.admin). Every
  write goes through events.domain.applications; the forms ask the same checks first so they
  show as field errors. What is editable follows the review status (see the domain's docstring):
  drafts and rejected applications fully, submitted ones not at all, published events only their
  description, cover and contacts. Drafts never submitted are the organiser's own: the bureau
  sees an application once it has been submitted.
- Registrations: read-only lists (the registration domain changes them).
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.decorators import action
from unfold.widgets import UnfoldAdminFileFieldWidget

from sportsplatform.approvals.admin import ReviewedApplicationAdminMixin
from sportsplatform.approvals.models import ApprovalAction, ApprovalStatus
from sportsplatform.core.admin import ScopedModelAdmin, ScopedRegionFilter, ScopedTabularInline
from sportsplatform.core.errors import DomainError
from sportsplatform.core.scoping import regions_for
from sportsplatform.regions.models import RegionLevel
from sportsplatform.venues.models import Venue

from . import permissions
from .domain import applications as apps
from .models import Event, EventAttachment, EventGroup, Registration, RegistrationField

permissions.register()


def add_problems(form, problems: dict) -> None:
    """A domain check's problems on a form: under the field when the form shows it."""
    for field, field_messages in problems.items():
        if field in form.errors:
            continue
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)


# --- friendly editors for the JSON fields --------------------------------------------------------

_NUMBERS = re.compile(r"\d+")


class RefundTiersField(forms.Field):
    """Refund rules as lines "72 100" (hours before the start, percent refunded) instead of JSON."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                f"{tier.get('hours_before')} {tier.get('percent')}" for tier in value if isinstance(tier, dict)
            )
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        tiers = []
        for number, line in enumerate((value or "").splitlines(), 1):
            if not line.strip():
                continue
            found = _NUMBERS.findall(line)
            if len(found) != 2:
                raise forms.ValidationError(
                    gettext("Line %(line)s: give the hours before the start and the percentage, e.g. “72 100”.")
                    % {"line": number}
                )
            tiers.append({"hours_before": int(found[0]), "percent": int(found[1])})
        return sorted(tiers, key=lambda t: -t["hours_before"])


class PrivateFileWidget(UnfoldAdminFileFieldWidget):
    """An upload field that does not link the stored file: private files are not under a public
    URL, they are downloaded through events:office_* views that check who asks."""

    def is_initial(self, value):
        return False


class ChoicesField(forms.Field):
    """The choices of a choice question, one per line."""

    widget = forms.Textarea(attrs={"rows": 2, "cols": 20})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


# --- inlines --------------------------------------------------------------------------------------


class ApplicationPartInline(ScopedTabularInline):
    """Groups, questions and documents: editable while the application is a draft (or rejected),
    stored by EventAdmin.save_formset through the domain."""

    extra = 0
    tab = False

    def _parts_editable(self, request, obj) -> bool:
        return obj is None or (apps.parts_editable(obj) and apps.can_apply(request.user, obj))

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parts_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parts_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parts_editable(request, obj)


class CheckedRowsFormSet(forms.BaseInlineFormSet):
    """Checks each row with the domain's check (`row_problems`) so problems show on the row."""

    def row_problems(self, instance) -> dict:
        return {}

    def clean(self):
        super().clean()
        for row in self.forms:
            if not hasattr(row, "cleaned_data") or row.errors or self._should_delete_form(row):
                continue
            if not row.has_changed() and row.instance.pk is None:
                continue
            add_problems(row, self.row_problems(row.instance))


class GroupFormSet(CheckedRowsFormSet):
    def row_problems(self, instance):
        return apps.group_problems(instance, entry_mode=self.instance.entry_mode)


class QuestionFormSet(CheckedRowsFormSet):
    def row_problems(self, instance):
        return apps.field_problems(instance)


POSITION_LABEL = pgettext_lazy("sort order", "order")


class GroupForm(forms.ModelForm):
    class Meta:
        model = EventGroup
        fields = ["name", "quota", "fee", "min_age", "max_age", "team_min", "team_max", "waitlist_limit", "position"]
        labels = {"position": POSITION_LABEL}


class GroupInline(ApplicationPartInline):
    model = EventGroup
    form = GroupForm
    formset = GroupFormSet
    fields = ["name", "quota", "taken", "fee", "min_age", "max_age", "team_min", "team_max", "waitlist_limit",
              "position"]  # fmt: skip
    readonly_fields = ["taken"]
    min_num = 0


class QuestionForm(forms.ModelForm):
    choices = ChoicesField(label=_("choices"), required=False, help_text=_("Choice questions: one choice per line."))

    class Meta:
        model = RegistrationField
        fields = ["key", "label", "kind", "required", "choices", "help_text", "per_member", "position"]
        labels = {"position": POSITION_LABEL}


class QuestionInline(ApplicationPartInline):
    model = RegistrationField
    form = QuestionForm
    formset = QuestionFormSet
    fields = ["label", "key", "kind", "required", "choices", "help_text", "per_member", "position"]


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = EventAttachment
        fields = ["kind", "title", "file"]
        widgets = {"file": PrivateFileWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A stored document is replaced by removing it and adding a new one.
            for name in ("kind", "title", "file"):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].required = False


class AttachmentInline(ApplicationPartInline):
    model = EventAttachment
    form = AttachmentForm
    fields = ["kind", "title", "file", "download"]
    readonly_fields = ["download"]

    def get_fields(self, request, obj=None):
        # Stored files are private: shown only through the download link, never as a /media/ URL
        # (which is not served) — the upload field appears only while documents may be added.
        if obj is not None and not self.has_add_permission(request, obj):
            return ["kind", "title", "download"]
        return self.fields

    def has_view_permission(self, request, obj=None):
        # Part of the application: whoever may see the event sees its documents.
        return request.user.has_perm("events.view_event")

    @admin.display(description=_("download"))
    def download(self, obj):
        if not obj or not obj.pk:
            return ""
        url = reverse("events:office_attachment", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download"))


# --- the application form ------------------------------------------------------------------------


APPLICATION_FORM_FIELDS = ("organiser", *apps.APPLICATION_FIELDS)


class EventForm(forms.ModelForm):
    refund_tiers = RefundTiersField(
        label=_("refund rules"),
        required=False,
        help_text=_(
            "One rule per line: hours before the start, then the percentage refunded. “72 100” and "
            "“24 50”: everything back until 72 hours before, half until 24 hours before, nothing after."
        ),
    )

    class Meta:
        model = Event
        fields = [*APPLICATION_FORM_FIELDS]
        widgets = {"safety_plan": PrivateFileWidget}
        # msgids shared with other apps ("level" is also a crowd level) get this app's meaning.
        labels = {"level": pgettext_lazy("event", "level")}

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if "region" in self.fields:
            self.fields["region"].required = False
            self.fields["region"].help_text = gettext(
                "Events at a venue are reviewed by the bureau of the venue's county; otherwise choose the county."
            )

    def clean(self):
        data = super().clean()
        venue = data.get("venue")
        if venue is not None and "region" in self.fields:
            # The region follows the venue: the bureau of the venue's county reviews the event.
            data["region"] = venue.region
        return data

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        event = self.instance
        if event.venue_id is not None:
            event.region_id = event.venue.region_id
        if event.pk is None or event.status in apps.EDITABLE_STATUSES:
            add_problems(self, apps.event_problems(event))
            if (
                self.request is not None
                and event.venue_id is None
                and event.region_id
                and not regions_for(self.request.user).filter(pk=event.region_id).exists()
            ):
                add_problems(self, {"region": [gettext("You cannot file events in this region.")]})
        else:
            for name in ("contact_name", "contact_phone"):
                if name in self.fields and not (getattr(event, name) or "").strip():
                    self.add_error(name, gettext("This field is required."))


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=255, help_text=_("Required. Every registrant is told, and refunded in full.")
    )


STATUS_FIELDS = ["status", "submitted_at", "decided_at", "decided_by", "decision_comment", "cancelled_at",
                 "cancel_reason"]  # fmt: skip


@admin.register(Event)
class EventAdmin(ReviewedApplicationAdminMixin, ScopedModelAdmin):
    form = EventForm
    list_display = ["title", "sport", "event_level", "region_name", "organiser", "starts_at", "review_status",
                    "submitted_at"]  # fmt: skip
    list_filter = [("status", ChoicesDropdownFilter), ScopedRegionFilter, "level", "sport"]
    list_filter_submit = True
    list_select_related = ["sport", "region", "organiser"]
    search_fields = ["title", "organiser__name", "location"]
    ordering = ["-starts_at", "-id"]
    inlines = [GroupInline, QuestionInline, AttachmentInline]
    readonly_fields = STATUS_FIELDS
    actions_detail = [*ReviewedApplicationAdminMixin.actions_detail, "cancel_published_event"]
    export_fields = [
        *("title", "sport", "level", "region", "organiser", "venue", "location", "starts_at", "ends_at", "fee"),
        *("expected_participants", "status", "submitted_at", "decided_at", "cancelled_at"),
    ]
    fieldsets = [
        (
            _("The event"),
            {
                "fields": [
                    "title",
                    "sport",
                    "level",
                    "entry_mode",
                    "expected_participants",
                    "description",
                    "rules",
                    "cover",
                ]
            },
        ),
        (_("Place"), {"fields": ["venue", "region", "location"]}),
        (
            _("Dates"),
            {"fields": ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"]},
        ),
        (_("Fee and refunds"), {"fields": ["fee", "refund_tiers"]}),
        (_("Results and scoring"), {"fields": ["result_kind", "drop_highest", "drop_lowest"]}),
        (_("Organiser and contacts"), {"fields": ["organiser", "contact_name", "contact_phone", "safety_plan"]}),
        (_("Review"), {"fields": STATUS_FIELDS}),
    ]

    # -- who sees what: drafts never submitted are the organiser's own
    def scope_queryset(self, request, queryset):
        return apps.visible_applications(request.user, queryset)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return RequestForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "venue":
            # Any published venue of the platform, not only the organiser's own.
            kwargs["queryset"] = (
                Venue.objects.filter(is_published=True).select_related("region").order_by("region_id", "name")
            )
        elif db_field.name == "region":
            kwargs["queryset"] = regions_for(request.user).filter(level=RegionLevel.COUNTY).order_by("code")
        elif db_field.name == "organiser":
            kwargs["queryset"] = apps.organisers_for(request.user).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # -- what is editable now
    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or (bool(apps.editable_fields(obj)) and apps.can_apply(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        # Only drafts that never reached the bureau; anything else is withdrawn or cancelled.
        if obj is not None and (obj.status != ApprovalStatus.DRAFT or obj.submitted_at is not None):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = [*STATUS_FIELDS, "refund_rules", "safety_plan_file"]
        if obj is not None:
            readonly.append("organiser")
            editable = apps.editable_fields(obj) if self.has_change_permission(request, obj) else frozenset()
            readonly += [name for name in apps.APPLICATION_FIELDS if name not in editable]
        return readonly

    def get_fieldsets(self, request, obj=None):
        # Read-only refund rules are shown in words, not as the stored JSON.
        readonly = set(self.get_readonly_fields(request, obj))
        swap = {
            "safety_plan": ["safety_plan_file"] if "safety_plan" in readonly else ["safety_plan", "safety_plan_file"]
        }
        if "refund_tiers" in readonly:
            swap["refund_tiers"] = ["refund_rules"]
        if obj is None:
            swap["safety_plan"] = ["safety_plan"]
        return [
            (title, {**options, "fields": [g for f in options["fields"] for g in swap.get(f, [f])]})
            for title, options in self.fieldsets
            # A new application has no review yet.
            if obj is not None or options["fields"] is not STATUS_FIELDS
        ]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        organisers = list(apps.organisers_for(request.user)[:2])
        if len(organisers) == 1:
            initial.setdefault("organiser", organisers[0].pk)
        return initial

    @admin.display(description=_("safety plan"))
    def safety_plan_file(self, obj):
        if not obj or not obj.pk or not obj.safety_plan:
            return "—"
        url = reverse("events:office_safety_plan", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download"))

    @admin.display(description=_("refund rules"))
    def refund_rules(self, obj):
        from sportsplatform.booking.domain.handler import describe_refund_tiers

        return describe_refund_tiers(obj.refund_tiers or []) if obj else ""

    # -- list columns
    @admin.display(description=pgettext_lazy("event", "level"), ordering="level")
    def event_level(self, obj):
        return obj.get_level_display()

    @admin.display(description=_("region"), ordering="region_id")
    def region_name(self, obj):
        return obj.region.name

    @admin.display(description=_("review status"), ordering="status")
    def review_status(self, obj):
        return apps.status_label(obj)

    # -- writes through the domain
    def _data(self, form) -> dict:
        names = [n for n in apps.APPLICATION_FIELDS if n in form.cleaned_data and n in form.fields]
        if form.instance.pk is not None:
            names = [n for n in names if n in form.changed_data]
        return {name: form.cleaned_data[name] for name in names}

    def save_model(self, request, obj, form, change):
        if not change:
            event = apps.create_event(
                actor=request.user, organiser=form.cleaned_data["organiser"], data=self._data(form)
            )
            obj.pk = event.pk
            obj._state.adding = False
            obj.refresh_from_db()
            return
        data = self._data(form)
        if data:
            apps.update_event(event=obj, actor=request.user, data=data)

    def save_formset(self, request, form, formset, change):
        event = form.instance
        # The admin's history message reads these; the domain writes the rows (and the audit).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is EventAttachment:
            for row in formset.deleted_forms:
                if row.instance.pk:
                    apps.remove_attachment(attachment=row.instance, actor=request.user)
            for row in formset.extra_forms:
                if row.has_changed() and not formset._should_delete_form(row) and row.cleaned_data.get("file"):
                    apps.add_attachment(
                        event=event,
                        actor=request.user,
                        kind=row.cleaned_data["kind"],
                        title=row.cleaned_data.get("title", ""),
                        file=row.cleaned_data["file"],
                    )
            return
        key = {EventGroup: "groups", RegistrationField: "fields"}.get(formset.model)
        if key is None or not formset.has_changed():
            return super().save_formset(request, form, formset, change)
        names = apps.GROUP_FIELDS if key == "groups" else apps.QUESTION_FIELDS
        rows = []
        for row in formset.forms:
            if not row.has_changed() and row.instance.pk is None:
                continue
            if formset._should_delete_form(row):
                continue
            values = {name: row.cleaned_data.get(name) for name in names if name in row.cleaned_data}
            values["id"] = row.instance.pk
            rows.append(values)
        apps.update_event(event=event, actor=request.user, data={key: rows})

    # -- review steps through the events domain
    def review(self, request, application, step, comment):
        functions = {
            ApprovalAction.SUBMITTED: lambda: apps.submit_event(event=application, actor=request.user),
            ApprovalAction.APPROVED: lambda: apps.approve_event(event=application, actor=request.user, comment=comment),
            ApprovalAction.REJECTED: lambda: apps.reject_event(event=application, actor=request.user, comment=comment),
            ApprovalAction.RETURNED: lambda: apps.return_event(event=application, actor=request.user, comment=comment),
            ApprovalAction.WITHDRAWN: lambda: apps.withdraw_event(
                event=application, actor=request.user, comment=comment
            ),
        }
        return functions[step]()

    # -- cancelling a published event
    def has_cancel_published_event_permission(self, request, object_id=None):
        if object_id is None:
            return True
        return apps.can_cancel(request.user, self._application(request, object_id))

    @action(
        description=_("Cancel the event"),
        url_path="cancel-event",
        permissions=["cancel_published_event"],
        icon="event_busy",
    )
    def cancel_published_event(self, request, object_id):
        event = self._application(request, object_id)
        form = CancelEventForm(request.POST or None)
        change_url = reverse("admin:events_event_change", args=[event.pk])
        if request.method == "POST" and form.is_valid():
            try:
                apps.cancel_event(event=event, actor=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                for problem in (exc.fields or {}).get("reason", []):
                    form.add_error("reason", str(problem))
                if not form.errors:
                    form.add_error(None, str(exc.message))
            else:
                self.message_user(
                    request, gettext("“%(name)s” is cancelled; its registrations are refunded.") % {"name": event},
                    messages.SUCCESS,
                )  # fmt: skip
                return redirect(change_url)
        registrations = event.registrations.filter(status__in=["pending_payment", "confirmed", "waitlisted"]).count()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": event,
            "application": event,
            "title": gettext("Cancel “%s”") % event,
            "intro": gettext(
                "%(count)s registrations are active. Cancelling ends the event for everyone: paid entry fees "
                "are refunded in full and every registrant is told the reason."
            )
            % {"count": registrations},
            "form": form,
            "back_url": change_url,
        }
        return TemplateResponse(request, "events/office/cancel_event.html", context)


@admin.register(Registration)
class RegistrationAdmin(ScopedModelAdmin):
    """Read-only: registrations change through events.domain.registrations (sign-up, payment,
    withdrawal, promotion, cancellation)."""

    list_display = ["participant_name", "team_name", "event", "group", "status", "user", "created_at"]
    list_filter = [("status", ChoicesDropdownFilter), ScopedRegionFilter]
    list_select_related = ["event", "group__event", "user"]
    search_fields = ["participant_name", "team_name", "event__title", "=user__phone"]
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    fields = ["event", "group", "user", "status", "participant_name", "team_name", "bib", "order", "waitlisted_at",
              "promoted_at", "confirmed_at", "closed_at", "close_reason", "created_at"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from . import admin_enquiries  # noqa: F401,E402
