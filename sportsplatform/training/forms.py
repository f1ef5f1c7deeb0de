"""Forms of the public training pages: the course search (filters in the query string, so a search
can be shared; a value the form does not understand is dropped and named rather than answered with
an error page), the enrolment form and the withdrawal confirmation. They parse input only; the
rules (age limits, places, one enrolment per person) are the training domain's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sportsplatform.accounts.phones import normalise_phone, validate_mainland_phone
from sportsplatform.venues.forms import REGION_FIELDS, RegionCascadeFields
from sportsplatform.venues.page_queries import Option, sport_options

from .models import CourseLevel

FEE_FREE = "free"
FEE_PAID = "paid"


@dataclass
class CourseFilters:
    """What the search asks published_courses for, plus the labels of the filters it ignored."""

    q: str = ""
    region: str = ""
    sport: str = ""
    level: str = ""
    fee: str = ""
    open_only: bool = False
    date_from: date | None = None
    date_to: date | None = None
    ignored: list[str] = field(default_factory=list)

    def search_kwargs(self) -> dict:
        return {
            "q": self.q,
            "region": self.region or None,
            "sport": self.sport or None,
            "level": self.level or None,
            "fee": self.fee or None,
            "open_only": self.open_only,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }

    @property
    def ignored_names(self) -> str:
        separator = "、" if (get_language() or "").startswith("zh") else ", "
        return separator.join(self.ignored)

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.region or self.sport or self.level or self.fee or self.open_only) or bool(
            self.date_from or self.date_to
        )


def _choices(options: list[Option], blank) -> list[tuple[str, str]]:
    return [("", blank), *((o.value, o.label) for o in options)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CourseSearchForm(RegionCascadeFields):
    """体育培训 search: words, region cascade (province → city → county), sport, level, free or
    paid, open for enrolment now, and a date range the course must overlap."""

    q = forms.CharField(
        label=_("Course, organiser or place"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )
    sport = forms.ChoiceField(label=_("Sport"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    fee = forms.ChoiceField(
        label=_("Fee"),
        required=False,
        choices=[("", _("Free and paid")), (FEE_FREE, _("Free")), (FEE_PAID, _("Paid"))],
    )
    open_only = forms.BooleanField(label=_("Open for enrolment now"), required=False)
    date_from = forms.DateField(label=_("Start of range"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("End of range"), required=False, widget=DateInput())

    field_order = [
        "q",
        "province",
        "city",
        "county",
        "sport",
        "level",
        "fee",
        "open_only",
        "date_from",
        "date_to",
        "region",
    ]

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data is not None else {}
        self.region_not_found = False
        self._expand_region(data)
        super().__init__(data, **kwargs)
        self.fields["sport"].choices = _choices(sport_options(), _("All sports"))
        self.fields["level"].choices = _choices(
            [Option(value, label) for value, label in CourseLevel.choices], _("All levels")
        )
        self._set_region_choices(data)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the date range is before its start."))
        return cleaned

    def filters(self) -> CourseFilters:
        """The understood filters; every field with a bad value is left out and named in `ignored`."""
        self.is_valid()
        data = self.cleaned_data
        ignored = [str(self.fields[name].label) for name in self.errors if name in self.fields]
        if self.region_not_found:
            ignored.append(str(_("Region")))
        region = next((data.get(name) for name in reversed(REGION_FIELDS) if data.get(name)), "")
        return CourseFilters(
            q=(data.get("q") or "").strip(),
            region=region,
            sport=data.get("sport") or "",
            level=data.get("level") or "",
            fee=data.get("fee") or "",
            # An unticked box means "either": no filter rather than "closed only".
            open_only=bool(data.get("open_only")),
            date_from=data.get("date_from"),
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
            ignored=ignored,
        )


class EnrolForm(forms.Form):
    """Who takes the course. The birth date is asked for when the course has age limits (the
    domain checks them against the first day); the contact phone is a mainland mobile number."""

    student_name = forms.CharField(
        label=_("Student's name"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    student_birth_date = forms.DateField(
        label=_("Student's date of birth"),
        required=False,
        widget=DateInput(attrs={"autocomplete": "bday"}),
    )
    guardian_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("The organiser calls this number about class changes. For a child, a parent's number."),
    )
    note = forms.CharField(
        label=_("Note for the organiser (optional)"),
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        birth = self.fields["student_birth_date"]
        birth.widget.attrs["max"] = timezone.localdate().isoformat()
        if course.min_age is not None or course.max_age is not None:
            birth.required = True
            birth.help_text = age_rule(course)

    def clean_student_name(self):
        return " ".join(self.cleaned_data["student_name"].split())

    def clean_student_birth_date(self):
        value = self.cleaned_data.get("student_birth_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth is in the future."), code="future")
        return value

    def clean_guardian_phone(self):
        value = normalise_phone(self.cleaned_data["guardian_phone"])
        validate_mainland_phone(value)
        return value

    def enrol_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "student_name": data["student_name"],
            "student_birth_date": data.get("student_birth_date"),
            "guardian_phone": data["guardian_phone"],
            "note": data.get("note", ""),
        }


def age_rule(course) -> str:
    """The course's age limits in words ("" when it has none)."""
    low, high = course.min_age, course.max_age
    if low is not None and high is not None:
        return _("For ages %(low)s to %(high)s on the first day.") % {"low": low, "high": high}
    if low is not None:
        return _("For ages %(low)s and over on the first day.") % {"low": low}
    if high is not None:
        return _("For ages up to %(high)s on the first day.") % {"high": high}
    return ""


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=255, required=False)
