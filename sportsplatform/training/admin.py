"""Back office of training (体育培训), all through core.scoping.

- Course applications: the organiser's staff (institution or venue operator; platform admins too)
  write a course with its coaches (their own, certified), sessions (inline, or generated weekly by
  the "Weekly sessions" button) and videos, submit it and see the bureau's decision on the review
  timeline; the bureau official of the course's region reviews it from buttons on the page
  (approvals.admin). Drafts and rejected applications are editable; submitted and published ones
  are read-only except their videos. A published course is cancelled with a reason (everyone is
  refunded in full). Every write goes through training.domain.
- Coaches with their certificates (scans are private files, opened through
  `training:certificate_scan`); expired certificates are flagged.
- Enrolments: read-only (the enrolment domain changes them).
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.decorators import action

from sportsplatform.accounts.models import Organisation
from sportsplatform.approvals.admin import ReviewedApplicationAdminMixin
from sportsplatform.approvals.domain.transitions import can_review
from sportsplatform.approvals.models import ApprovalAction, ApprovalStatus
from sportsplatform.core.admin import ScopedModelAdmin, ScopedRegionFilter, ScopedTabularInline
from sportsplatform.core.errors import DomainError
from sportsplatform.core.scoping import regions_for, scope_for
from sportsplatform.core.signups import ACTIVE
from sportsplatform.regions.models import RegionLevel
from sportsplatform.venues.models import Venue

from . import permissions, queries
from .domain import coaches as coach_domain
from .domain import courses as course_domain
from .domain import videos as video_domain
from .models import Coach, CoachCertificate, Course, CourseSession, CourseVideo, Enrolment

permissions.register()


def add_problems(form, problems: dict) -> None:
    """A domain error's field problems on a form: under the field when the form shows it."""
    for field, field_messages in (problems or {}).items():
        target = field if field in form.fields else None
        for message in field_messages if isinstance(field_messages, list | tuple) else [field_messages]:
            form.add_error(target, str(message))


_NUMBERS = re.compile(r"\d+")


class RefundTiersField(forms.Field):
    """Refund rules as lines "72 100" (hours before the first session, percent refunded)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{t.get('hours_before')} {t.get('percent')}" for t in value if isinstance(t, dict))
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
                    gettext("Line %(line)s: give the hours before the first class and the percentage, e.g. “72 100”.")
                    % {"line": number}
                )
            tiers.append({"hours_before": int(found[0]), "percent": int(found[1])})
        return tiers


# --- course applications ------------------------------------------------------------------------


class CourseForm(forms.ModelForm):
    refund_tiers = RefundTiersField(
        label=_("refund rules"),
        required=False,
        help_text=_(
            "One rule per line: hours before the first class, then the percentage refunded. “72 100” and "
            "“24 50”: everything back until 72 hours before, half until 24 hours before, nothing after."
        ),
    )

    class Meta:
        model = Course
        fields = ["organiser", *[f for f in course_domain.COURSE_FIELDS if f != "cover"], "cover", "coaches"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if "region" in self.fields:
            self.fields["region"].required = False
            self.fields["region"].help_text = gettext(
                "Courses at a venue are reviewed by the bureau of the venue's county; otherwise choose the county."
            )

    def clean(self):
        data = super().clean()
        if data.get("venue") is not None:
            data["region"] = data["venue"].region
        return data

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.instance.status not in course_domain.EDITABLE_STATUSES:
            return
        course = self.instance
        if course.venue_id:
            course.region_id = course.venue.region_id
        try:
            course_domain.validate_refund_tiers(course.refund_tiers)
            course_domain.validate_course(course)
        except DomainError as exc:
            add_problems(self, exc.fields)
        coaches = self.cleaned_data.get("coaches")
        organiser = self.cleaned_data.get("organiser") or getattr(course, "organiser", None)
        if coaches and organiser is not None and any(c.organisation_id != organiser.pk for c in coaches):
            self.add_error("coaches", gettext("Choose coaches from your own organisation's coach list."))


class WeeklySessionsForm(forms.Form):
    weekdays = forms.MultipleChoiceField(
        label=_("Days of the week"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    start = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}))
    first_day = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label=_("Topic"), required=False, max_length=128)
    place = forms.CharField(label=_("Place"), required=False, max_length=255)
    coach = forms.ModelChoiceField(label=_("Coach"), queryset=Coach.objects.none(), required=False)


class CancelCourseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=255, help_text=_("Required. Every student is told, and refunded in full.")
    )


class CourseSessionForm(forms.ModelForm):
    class Meta:
        model = CourseSession
        fields = ["starts_at", "ends_at", "topic", "place", "coach"]
        labels = {"coach": _("coach")}


class CourseSessionInline(ScopedTabularInline):
    model = CourseSession
    form = CourseSessionForm
    fields = ["starts_at", "ends_at", "topic", "place", "coach"]
    extra = 0
    tab = False

    def _editable(self, request, obj) -> bool:
        return obj is None or (
            obj.status in course_domain.EDITABLE_STATUSES and course_domain.can_edit_course(request.user, obj)
        )

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "coach":
            kwargs["queryset"] = Coach.objects.filter(organisation_id__in=_own_organisation_ids(request.user)).order_by(
                "name"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CourseVideoForm(forms.ModelForm):
    class Meta:
        model = CourseVideo
        fields = ["title", "file", "is_preview", "position", "duration_seconds"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A stored video is replaced by removing it and uploading a new one.
            for name in ("title", "file", "is_preview", "position", "duration_seconds"):
                self.fields[name].disabled = True
                self.fields[name].required = False


class CourseVideoInline(ScopedTabularInline):
    model = CourseVideo
    form = CourseVideoForm
    fields = ["title", "file", "is_preview", "position", "duration_seconds", "watch"]
    readonly_fields = ["watch"]
    extra = 0
    tab = False

    def _editable(self, request, obj) -> bool:
        return obj is None or course_domain.can_edit_course(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(request, obj)

    @admin.display(description=_("watch"))
    def watch(self, obj):
        if not obj or not obj.pk:
            return ""
        return format_html('<a href="{}">{}</a>', reverse("training:video", args=[obj.pk]), gettext("Watch"))


def _own_organisation_ids(user) -> list[int]:
    scope = scope_for(user)
    if scope.everything:
        return list(Organisation.objects.values_list("pk", flat=True))
    return sorted(scope.organisation_ids)


STATUS_FIELDS = ["status", "submitted_at", "decided_at", "decided_by", "decision_comment", "cancelled_at",
                 "cancel_reason", "taken"]  # fmt: skip


@admin.register(Course)
class CourseAdmin(ReviewedApplicationAdminMixin, ScopedModelAdmin):
    form = CourseForm
    list_display = ["title", "sport", "organiser", "region_name", "starts_on", "fee", "places", "review_status"]
    list_filter = [("status", ChoicesDropdownFilter), ScopedRegionFilter, "level", "sport"]
    list_filter_submit = True
    list_select_related = ["sport", "region", "organiser"]
    search_fields = ["title", "organiser__name", "place"]
    ordering = ["-starts_on", "-id"]
    inlines = [CourseSessionInline, CourseVideoInline]
    readonly_fields = STATUS_FIELDS
    actions_detail = [*ReviewedApplicationAdminMixin.actions_detail, "weekly_sessions", "cancel_published_course"]
    export_fields = ["title", "sport", "level", "organiser", "region", "venue", "place", "starts_on", "ends_on",
                     "fee", "quota", "taken", "status", "submitted_at", "decided_at", "cancelled_at"]  # fmt: skip
    filter_horizontal = ["coaches"]
    fieldsets = [
        (_("The course"), {"fields": ["title", "sport", "level", "description", "audience", "cover"]}),
        (_("Place"), {"fields": ["venue", "region", "place"]}),
        (
            _("Dates and class"),
            {
                "fields": [
                    "starts_on",
                    "ends_on",
                    "schedule_note",
                    "enrol_opens_at",
                    "enrol_closes_at",
                    "quota",
                    "min_age",
                    "max_age",
                ]
            },
        ),
        (_("Coaches"), {"fields": ["coaches"]}),
        (_("Fee and refunds"), {"fields": ["fee", "refund_tiers"]}),
        (_("Links"), {"fields": ["linked_exam", "linked_event"]}),
        (_("Organiser and contacts"), {"fields": ["organiser", "contact_phone"]}),
        (_("Review"), {"fields": STATUS_FIELDS}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return RequestForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "venue":
            kwargs["queryset"] = (
                Venue.objects.filter(is_published=True).select_related("region").order_by("region_id", "name")
            )
        elif db_field.name == "region":
            kwargs["queryset"] = regions_for(request.user).filter(level=RegionLevel.COUNTY).order_by("code")
        elif db_field.name == "organiser":
            kwargs["queryset"] = Organisation.objects.filter(
                pk__in=_own_organisation_ids(request.user), kind__in=course_domain.COURSE_ORGANISER_KINDS
            ).order_by("name")
        elif db_field.name == "linked_event":
            from sportsplatform.events.models import Event

            kwargs["queryset"] = Event.objects.filter(
                status=ApprovalStatus.APPROVED, cancelled_at__isnull=True
            ).order_by("-starts_at")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "coaches":
            kwargs["queryset"] = Coach.objects.filter(organisation_id__in=_own_organisation_ids(request.user)).order_by(
                "name"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # -- what is editable now
    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or course_domain.can_edit_course(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.status != ApprovalStatus.DRAFT or obj.submitted_at is not None):
            return False
        return super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.status in course_domain.EDITABLE_STATUSES:
            return fieldsets
        # Read-only: the refund rules in words instead of their JSON.
        return [
            (title, {**opts, "fields": ["refund_rule" if f == "refund_tiers" else f for f in opts["fields"]]})
            for title, opts in fieldsets
        ]

    @admin.display(description=_("refund rules"))
    def refund_rule(self, obj):
        from sportsplatform.booking.domain.handler import describe_refund_tiers

        return describe_refund_tiers(obj.refund_tiers or [])

    def get_readonly_fields(self, request, obj=None):
        readonly = list(STATUS_FIELDS)
        if obj is not None:
            readonly.append("organiser")
            if obj.status not in course_domain.EDITABLE_STATUSES:
                readonly.append("refund_rule")
                readonly += [name for name in (*course_domain.COURSE_FIELDS, "coaches") if name not in readonly]
        return readonly

    # -- columns
    @admin.display(description=_("region"), ordering="region_id")
    def region_name(self, obj):
        return obj.region.name

    @admin.display(description=_("places"))
    def places(self, obj):
        return f"{obj.taken}/{obj.quota}"

    @admin.display(description=_("review status"), ordering="status")
    def review_status(self, obj):
        if obj.cancelled_at:
            return gettext("cancelled")
        return obj.get_status_display()

    # -- writes through the domain
    def _data(self, form) -> dict:
        names = [n for n in (*course_domain.COURSE_FIELDS, "coaches") if n in form.cleaned_data and n in form.fields]
        if form.instance.pk is not None:
            names = [n for n in names if n in form.changed_data]
        return {name: form.cleaned_data[name] for name in names}

    def save_model(self, request, obj, form, change):
        if not change:
            course = course_domain.create_course(
                actor=request.user, organiser=form.cleaned_data["organiser"], data=self._data(form)
            )
            obj.pk = course.pk
            obj._state.adding = False
            obj.refresh_from_db()
            return
        data = self._data(form)
        if data:
            course_domain.update_course(course=obj, actor=request.user, data=data)

    def save_related(self, request, form, formsets, change):
        # Coaches were set by the domain (save_model); the inlines go through it too.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        # The domain saves the rows; the admin's change message reads these lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        course = form.instance
        if formset.model is CourseVideo:
            for row in formset.deleted_forms:
                if row.instance.pk:
                    video_domain.delete_video(video=row.instance, actor=request.user)
            for row in formset.extra_forms:
                if row.has_changed() and not formset._should_delete_form(row) and row.cleaned_data.get("file"):
                    video_domain.upload_video(
                        course=course,
                        actor=request.user,
                        title=row.cleaned_data.get("title", ""),
                        file=row.cleaned_data["file"],
                        is_preview=row.cleaned_data.get("is_preview", False),
                        position=row.cleaned_data.get("position") or 0,
                        duration_seconds=row.cleaned_data.get("duration_seconds") or 0,
                    )
            return
        if formset.model is CourseSession:
            if not formset.has_changed():
                return
            rows = []
            for row in formset.forms:
                if formset._should_delete_form(row) or (not row.has_changed() and row.instance.pk is None):
                    continue
                rows.append(
                    {name: row.cleaned_data.get(name) for name in ("starts_at", "ends_at", "topic", "place", "coach")}
                )
            course_domain.update_course(course=course, actor=request.user, data={"sessions": rows})

    # -- weekly sessions
    def has_weekly_sessions_permission(self, request, object_id=None):
        if object_id is None:
            return True
        course = self._application(request, object_id)
        return course.status in course_domain.EDITABLE_STATUSES and course_domain.can_edit_course(request.user, course)

    @action(
        description=_("Weekly sessions"),
        url_path="weekly-sessions",
        permissions=["weekly_sessions"],
        icon="event_repeat",
    )
    def weekly_sessions(self, request, object_id):
        course = self._application(request, object_id)
        change_url = reverse("admin:training_course_change", args=[course.pk])
        form = WeeklySessionsForm(
            request.POST or None, initial={"first_day": course.starts_on, "last_day": course.ends_on}
        )
        form.fields["coach"].queryset = Coach.objects.filter(organisation_id=course.organiser_id).order_by("name")
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                course_domain.update_course(
                    course=course,
                    actor=request.user,
                    data={
                        "weekly": {
                            "weekdays": [int(d) for d in data["weekdays"]],
                            "start": data["start"],
                            "end": data["end"],
                            "first_day": data["first_day"],
                            "last_day": data["last_day"],
                            "topic": data["topic"],
                            "place": data["place"],
                            "coach": data["coach"],
                        }
                    },
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                for problems in (exc.fields or {}).values():
                    for problem in problems:
                        form.add_error(None, str(problem))
            else:
                self.message_user(
                    request,
                    gettext("%(n)d sessions scheduled.") % {"n": course.sessions.count()},
                    messages.SUCCESS,
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": course,
            "title": gettext("Weekly sessions of “%s”") % course,
            "intro": gettext("The course's sessions are replaced by one on each chosen day between the two dates."),
            "form": form,
            "submit": gettext("Schedule the sessions"),
            "back_url": change_url,
        }
        return TemplateResponse(request, "training/office/admin_form.html", context)

    # -- cancelling a published course
    def has_cancel_published_course_permission(self, request, object_id=None):
        if object_id is None:
            return True
        course = self._application(request, object_id)
        return course.is_published and (
            course_domain.can_edit_course(request.user, course) or can_review(request.user, course)
        )

    @action(
        description=_("Cancel the course"),
        url_path="cancel-course",
        permissions=["cancel_published_course"],
        icon="event_busy",
    )
    def cancel_published_course(self, request, object_id):
        course = self._application(request, object_id)
        change_url = reverse("admin:training_course_change", args=[course.pk])
        form = CancelCourseForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                course_domain.cancel_course(course=course, actor=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                for problem in (exc.fields or {}).get("reason", []):
                    form.add_error("reason", str(problem))
                if not form.errors:
                    form.add_error(None, str(exc.message))
            else:
                self.message_user(
                    request,
                    gettext("“%(name)s” is cancelled; its students are refunded.") % {"name": course},
                    messages.SUCCESS,
                )
                return redirect(change_url)
        active = course.enrolments.filter(status__in=ACTIVE).count()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": course,
            "application": course,
            "title": gettext("Cancel “%s”") % course,
            "intro": gettext(
                "%(count)s enrolments are active. Cancelling ends the course for everyone: paid fees are refunded "
                "in full and every student is told the reason."
            )
            % {"count": active},
            "form": form,
            "submit": gettext("Cancel the course"),
            "danger": True,
            "back_url": change_url,
        }
        return TemplateResponse(request, "training/office/admin_form.html", context)

    # -- review steps through the training domain
    def review(self, request, application, step, comment):
        functions = {
            ApprovalAction.SUBMITTED: lambda: course_domain.submit_course(course=application, actor=request.user),
            ApprovalAction.APPROVED: lambda: course_domain.approve_course(
                course=application, actor=request.user, comment=comment
            ),
            ApprovalAction.REJECTED: lambda: course_domain.reject_course(
                course=application, actor=request.user, comment=comment
            ),
            ApprovalAction.RETURNED: lambda: course_domain.return_course(
                course=application, actor=request.user, comment=comment
            ),
            ApprovalAction.WITHDRAWN: lambda: course_domain.withdraw_course(
                course=application, actor=request.user, comment=comment
            ),
        }
        return functions[step]()


# --- coaches ------------------------------------------------------------------------------------


class CertificateForm(forms.ModelForm):
    class Meta:
        model = CoachCertificate
        fields = ["kind", "name", "level", "number", "issued_by", "issued_on", "valid_until", "scan"]

    def _post_clean(self):
        super()._post_clean()
        if self.errors or not self.has_changed():
            return
        data = {n: self.cleaned_data.get(n) for n in coach_domain.CERTIFICATE_FIELDS if n in self.cleaned_data}
        if not data.get("scan"):
            data.pop("scan", None)
        probe = CoachCertificate(pk=self.instance.pk, coach_id=self.instance.coach_id)
        try:
            coach_domain.apply_certificate(probe, data)
        except DomainError as exc:
            add_problems(self, exc.fields)


class CertificateInline(ScopedTabularInline):
    model = CoachCertificate
    form = CertificateForm
    fields = ["kind", "name", "level", "number", "issued_by", "issued_on", "valid_until", "scan", "validity",
              "scan_link"]  # fmt: skip
    readonly_fields = ["validity", "scan_link"]
    extra = 0
    tab = False

    @admin.display(description=_("validity"))
    def validity(self, obj):
        return _certificate_validity(obj)

    @admin.display(description=_("scan"))
    def scan_link(self, obj):
        if not obj or not obj.pk or not obj.scan:
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("training:certificate_scan", args=[obj.pk]), gettext("Open the scan")
        )


def _certificate_validity(obj) -> str:
    if not obj or not obj.pk:
        return ""
    status = queries.certificate_status(obj)
    return {
        "valid": gettext("valid"),
        "expiring": gettext("expires soon"),
        "expired": gettext("expired"),
    }[status]


class CoachForm(forms.ModelForm):
    class Meta:
        model = Coach
        fields = ["organisation", "name", "gender", "photo", "sports", "years_coaching", "bio", "phone", "is_public"]


@admin.register(Coach)
class CoachAdmin(ScopedModelAdmin):
    form = CoachForm
    list_display = ["name", "organisation", "years_coaching", "certified", "is_public"]
    list_filter = ["is_public", "sports"]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__name"]
    ordering = ["organisation__name", "name", "id"]
    inlines = [CertificateInline]
    filter_horizontal = ["sports"]

    def get_queryset(self, request):
        from django.db.models import Exists, OuterRef, Q

        today = timezone.localdate()
        valid = CoachCertificate.objects.filter(coach_id=OuterRef("pk")).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
        return super().get_queryset(request).annotate(has_valid=Exists(valid))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = Organisation.objects.filter(
                pk__in=_own_organisation_ids(request.user), kind__in=course_domain.COURSE_ORGANISER_KINDS
            ).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["organisation"] if obj is not None else []

    @admin.display(description=_("certified"), boolean=True, ordering="has_valid")
    def certified(self, obj):
        return bool(getattr(obj, "has_valid", False))

    def save_model(self, request, obj, form, change):
        data = {n: form.cleaned_data[n] for n in coach_domain.COACH_FIELDS if n in form.cleaned_data}
        if "sports" in form.cleaned_data:
            data["sports"] = form.cleaned_data["sports"]
        if not change:
            coach = coach_domain.create_coach(
                actor=request.user, organisation=form.cleaned_data["organisation"], data=data
            )
            obj.pk = coach.pk
            obj._state.adding = False
            obj.refresh_from_db()
        else:
            coach_domain.update_coach(coach=obj, actor=request.user, data=data)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        coach = form.instance
        for row in formset.deleted_forms:
            if row.instance.pk:
                coach_domain.remove_certificate(certificate=row.instance, actor=request.user)
        for row in formset.forms:
            if formset._should_delete_form(row) or not row.has_changed():
                continue
            data = {n: row.cleaned_data.get(n) for n in coach_domain.CERTIFICATE_FIELDS if n in row.cleaned_data}
            if not data.get("scan"):
                data.pop("scan", None)
            if row.instance.pk:
                stored = CoachCertificate.objects.get(pk=row.instance.pk)
                coach_domain.update_certificate(certificate=stored, actor=request.user, data=data)
            else:
                coach_domain.add_certificate(coach=coach, actor=request.user, data=data)


@admin.register(CoachCertificate)
class CoachCertificateAdmin(ScopedModelAdmin):
    """Every certificate in scope, soonest expiry first: the list to renew from. Changed on the
    coach's page."""

    list_display = ["coach", "organisation", "kind", "name", "level", "number", "valid_until", "validity"]
    list_filter = ["kind"]
    list_select_related = ["coach", "coach__organisation"]
    search_fields = ["number", "coach__name", "name"]
    ordering = ["valid_until", "id"]
    fields = ["coach", "kind", "name", "level", "number", "issued_by", "issued_on", "valid_until"]
    readonly_fields = fields

    @admin.display(description=_("organisation"))
    def organisation(self, obj):
        return obj.coach.organisation

    @admin.display(description=_("validity"))
    def validity(self, obj):
        return _certificate_validity(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- enrolments ---------------------------------------------------------------------------------


@admin.register(Enrolment)
class EnrolmentAdmin(ScopedModelAdmin):
    """Read-only: enrolments change through training.domain.enrolments (enrol, payment, withdrawal,
    promotion, cancellation)."""

    list_display = ["student_name", "course", "status", "user", "created_at"]
    list_filter = [("status", ChoicesDropdownFilter), ScopedRegionFilter]
    list_select_related = ["course", "user"]
    search_fields = ["student_name", "course__title", "=user__phone"]
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    fields = ["course", "user", "status", "student_name", "student_birth_date", "guardian_phone", "note", "order",
              "waitlisted_at", "promoted_at", "confirmed_at", "closed_at", "close_reason", "created_at"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
