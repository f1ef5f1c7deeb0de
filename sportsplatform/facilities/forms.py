"""The public facility list's filter form: text, kind (and trail kind), region as a cascade
(city/prefecture, then county), and "near me" ordering from the browser's position."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sportsplatform.regions.queries import children_of
from sportsplatform.venues.queries import Near

from .models import FacilityKind, TrailKind

PROVINCE = "510000"


def _parse_near(value: str) -> Near | None:
    try:
        lat_s, lng_s = value.split(",")
        lat, lng = float(lat_s), float(lng_s)
    except (ValueError, AttributeError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return Near(lat=lat, lng=lng)


class FacilityFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=64,
        help_text=_("Name, address or county"),
        widget=forms.TextInput(attrs={"type": "search", "enterkeyhint": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("facility", "Kind"),
        required=False,
        choices=[("", _("All kinds")), *FacilityKind.choices],
    )
    trail_kind = forms.ChoiceField(
        label=_("Trail kind"),
        required=False,
        choices=[("", _("All trails")), *TrailKind.choices],
    )
    city = forms.ChoiceField(label=_("City or prefecture"), required=False)
    county = forms.ChoiceField(label=_("County or district"), required=False)
    near = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cities = list(children_of(PROVINCE).values_list("code", "name"))
        self.fields["city"].choices = [("", _("All of Sichuan")), *cities]
        city = self.data.get("city", "") if self.is_bound else ""
        counties = []
        if city in {code for code, _name in cities}:
            counties = list(children_of(city).values_list("code", "name"))
        self.fields["county"].choices = [("", _("All counties")), *counties]
        # The cascade: without a city there is no county to choose.
        if not counties:
            self.fields["county"].widget.attrs["disabled"] = True

    def clean(self):
        data = super().clean()
        # A trail kind only narrows trails.
        if data.get("trail_kind") and data.get("kind") not in ("", FacilityKind.TRAIL):
            data["trail_kind"] = ""
        if data.get("trail_kind"):
            data["kind"] = FacilityKind.TRAIL
        return data

    def search_arguments(self) -> dict:
        """Keyword arguments for facilities.queries.search_facilities; invalid values are dropped
        rather than reported (a filter bar has nothing to correct)."""
        self.is_valid()  # fields that failed are simply absent from cleaned_data
        data = self.cleaned_data
        return {
            "q": data.get("q", ""),
            "kind": data.get("kind", ""),
            "trail_kind": data.get("trail_kind", ""),
            "region": data.get("county") or data.get("city") or "",
            "near": _parse_near(data.get("near", "")),
        }

    @property
    def is_filtered(self) -> bool:
        args = self.search_arguments()
        return bool(args["q"] or args["kind"] or args["trail_kind"] or args["region"])
