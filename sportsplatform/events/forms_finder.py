"""Forms of the venue finder (events:finder) and of an enquiry to a venue. They parse the input;
the rules (dates, limits, who may send) are the domain's (events.domain.recommend / enquiries),
whose field errors the views put back on these forms."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sportsplatform.core.errors import DomainError
from sportsplatform.core.geo import LatLng
from sportsplatform.venues.forms import REGION_FIELDS, OpeningSearchForm, parse_near
from sportsplatform.venues.page_queries import sport_options

from .domain.recommend import MAX_PARTICIPANTS, VenueNeed, VenueSetting


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def default_dates():
    first = timezone.localdate() + timedelta(days=30)
    return first, first + timedelta(days=1)


class VenueFinderForm(OpeningSearchForm):
    """What the event needs; the region cascade (province → city → county) comes from the venue
    search's form, the other fields are the finder's own."""

    sport = forms.ChoiceField(label=_("Sport"))
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())
    participants = forms.IntegerField(
        label=_("Participants"),
        min_value=1,
        max_value=MAX_PARTICIPANTS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    budget_per_day = forms.DecimalField(
        label=_("Budget per day (yuan)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "100"}),
        help_text=_("Optional: for the venue hire only."),
    )
    setting = forms.ChoiceField(
        label=_("Indoor or outdoor"),
        required=False,
        choices=VenueSetting.CHOICES,
        widget=forms.RadioSelect,
    )
    near = forms.CharField(label=_("Your location"), required=False, widget=forms.HiddenInput)

    field_order = ["sport", "starts_on", "ends_on", "participants", "province", "city", "county",
                   "budget_per_day", "setting", "near", "region"]  # fmt: skip

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        if data is None:
            # The venue search's form always binds (to fill the region cascade); the finder's
            # empty form must not show "required" errors before anything was asked.
            self.is_bound = False
        del self.fields["q"]
        del self.fields["type"]
        self.fields["sport"].choices = [("", _("Choose a sport")), *((o.value, o.label) for o in sport_options())]
        first, last = default_dates()
        self.fields["starts_on"].initial = first
        self.fields["ends_on"].initial = last

    def clean_near(self):
        value = (self.cleaned_data.get("near") or "").strip()
        if not value:
            return None
        near = parse_near(value)
        if near is None:
            raise forms.ValidationError(_("Not a location."), code="invalid")
        return LatLng(near.lat, near.lng)

    def clean(self):
        # The domain checks these again (check_need); here they show with the other field errors.
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and starts_on < timezone.localdate():
            self.add_error("starts_on", _("The first day cannot be in the past."))
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day must be on or after the first day."))
        return data

    def need(self) -> VenueNeed:
        data = self.cleaned_data
        region = next((data.get(name) for name in reversed(REGION_FIELDS) if data.get(name)), "")
        return VenueNeed(
            sport=data["sport"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            participants=data["participants"],
            region=region,
            point=data.get("near"),
            budget_per_day=data.get("budget_per_day"),
            setting=data.get("setting") or "",
        )


class EnquiryForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("On behalf of"), coerce=int, required=False)
    sport = forms.ChoiceField(label=_("Sport"), required=False)
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())
    participants = forms.IntegerField(
        label=_("Participants"),
        min_value=1,
        max_value=MAX_PARTICIPANTS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    budget = forms.DecimalField(
        label=_("Budget (yuan)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "100"}),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the event is, what you need from the venue (courts, seating, changing rooms, parking)."),
    )

    def __init__(self, data=None, *, organisations=(), **kwargs):
        super().__init__(data, **kwargs)
        self.organisations = {o.pk: o for o in organisations}
        if organisations:
            self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
            self.fields["organisation"].required = True
        else:
            del self.fields["organisation"]
        self.fields["sport"].choices = [("", _("Not fixed yet")), *((o.value, o.label) for o in sport_options())]

    def add_domain_error(self, exc: DomainError) -> None:
        """Put the domain's field errors on the fields; the rest above the form."""
        placed = False
        for name, problems in (exc.fields or {}).items():
            if name in self.fields:
                for problem in problems:
                    self.add_error(name, str(problem))
                placed = True
        if not placed:
            self.add_error(None, str(exc.message))


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    EnquiryForm.add_domain_error(form, exc)
