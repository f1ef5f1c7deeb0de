"""The public venue search forms. Filters live in the query string so a search can be shared; a
value the form does not understand is dropped (the page says which filter it ignored) rather than
answered with an error page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sportsplatform.core.errors import NotFound
from sportsplatform.regions.queries import ancestors, get_region

from .models import VenueType
from .page_queries import Option, region_options, sport_options
from .queries import Near

REGION_FIELDS = ("province", "city", "county")


@dataclass
class VenueFilters:
    """What the search asks search_venues for, plus the labels of the filters it ignored."""

    q: str = ""
    region: str = ""
    sport: str = ""
    type: str = ""
    open_now: bool | None = None
    bookable: bool | None = None
    near: Near | None = None
    ignored: list[str] = field(default_factory=list)

    def search_kwargs(self) -> dict:
        return {
            "q": self.q,
            "region": self.region,
            "sport": self.sport,
            "type": self.type,
            "open_now": self.open_now,
            "bookable": self.bookable,
            "near": self.near,
        }

    @property
    def ignored_names(self) -> str:
        separator = "、" if (get_language() or "").startswith("zh") else ", "
        return separator.join(self.ignored)

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.region or self.sport or self.type or self.open_now or self.bookable)


def _choices(options: list[Option], blank) -> list[tuple[str, str]]:
    return [("", blank), *((o.value, o.label) for o in options)]


def parse_near(value: str) -> Near | None:
    """`lat,lng` in WGS-84 degrees (what the browser's geolocation gives) → Near, or None."""
    try:
        lat_text, lng_text = value.split(",")
        lat, lng = float(lat_text), float(lng_text)
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):  # also rejects nan
        return None
    return Near(lat=lat, lng=lng)


class RegionCascadeFields(forms.Form):
    """The province → city → county selects, and a hidden `region` code that fills them (a link
    from another page). Search forms of venues, courses and others inherit it; call
    `_expand_region(data)` before and `_set_region_choices(data)` after `super().__init__`."""

    province = forms.ChoiceField(label=_("Province"), required=False)
    city = forms.ChoiceField(label=_("City / prefecture"), required=False)
    county = forms.ChoiceField(label=_("County / district"), required=False)
    # A single division code (e.g. from a link on another page); fills the three selects.
    region = forms.CharField(required=False, widget=forms.HiddenInput)

    region_not_found = False

    def _expand_region(self, data) -> None:
        code = (data.get("region") or "").strip()
        if not code or any(data.get(name) for name in REGION_FIELDS):
            return
        try:
            region = get_region(code) if code.isdigit() and len(code) == 6 else None
        except NotFound:
            region = None
        if region is None:
            self.region_not_found = True
            return
        for name, division in zip(REGION_FIELDS, [*ancestors(region), region], strict=False):
            data[name] = division.code

    def _set_region_choices(self, data) -> None:
        # Each select offers the children of the level above, when that level's value is valid:
        # a city that is not in the chosen province is "not a valid choice" and so ignored.
        parent: str | None = None
        blanks = {"province": _("All provinces"), "city": _("All cities"), "county": _("All counties")}
        for level, name in enumerate(REGION_FIELDS):
            options = region_options(parent) if (level == 0 or parent) else []
            self.fields[name].choices = _choices(options, blanks[name])
            self.fields[name].widget.attrs["data-region-level"] = name
            chosen = data.get(name) or ""
            parent = chosen if chosen in {o.value for o in options} else None
            if level == 2 or parent is None:
                # Nothing to offer below: the next select stays empty (disabled until one picks).
                for below in REGION_FIELDS[level + 1 :]:
                    self.fields[below].choices = _choices([], blanks[below])
                    self.fields[below].widget.attrs.update({"data-region-level": below, "disabled": True})
                break


class OpeningSearchForm(RegionCascadeFields):
    """场馆开放: name, region cascade (province → city → county) and venue type."""

    q = forms.CharField(
        label=_("Venue name or address"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )
    type = forms.ChoiceField(label=_("Venue type"), required=False)

    field_order = ["q", "province", "city", "county", "type", "region"]

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data is not None else {}
        self.region_not_found = False
        self._expand_region(data)
        super().__init__(data, **kwargs)
        self.fields["type"].choices = _choices(
            [Option(value, label) for value, label in VenueType.choices], _("All types")
        )
        self._set_region_choices(data)

    def filters(self) -> VenueFilters:
        """The understood filters; every field with a bad value is left out and named in `ignored`."""
        self.is_valid()
        data = self.cleaned_data
        ignored = [str(self.fields[name].label) for name in self.errors if name in self.fields]
        if self.region_not_found:
            ignored.append(str(_("Region")))
        region = next((data.get(name) for name in reversed(REGION_FIELDS) if data.get(name)), "")
        return VenueFilters(
            q=(data.get("q") or "").strip(),
            region=region,
            type=data.get("type") or "",
            ignored=ignored,
        )


class VenueSearchForm(OpeningSearchForm):
    """Venue search: the opening page's filters plus sport, open now, bookable and a location."""

    sport = forms.ChoiceField(label=_("Sport"), required=False)
    open_now = forms.BooleanField(label=_("Open now only"), required=False)
    bookable = forms.BooleanField(label=_("Bookable online"), required=False)
    near = forms.CharField(label=_("Your location"), required=False, widget=forms.HiddenInput)

    field_order = ["q", "province", "city", "county", "sport", "type", "open_now", "bookable", "near", "region"]

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["q"].label = _("Name, address or sport")
        self.fields["sport"].choices = _choices(sport_options(), _("All sports"))

    def clean_near(self):
        value = (self.cleaned_data.get("near") or "").strip()
        if not value:
            return None
        near = parse_near(value)
        if near is None:
            raise forms.ValidationError(_("Not a location."), code="invalid")
        return near

    def filters(self) -> VenueFilters:
        filters = super().filters()
        data = self.cleaned_data
        filters.sport = data.get("sport") or ""
        # An unticked box means "either": no filter, rather than "closed" / "not bookable".
        filters.open_now = True if data.get("open_now") else None
        filters.bookable = True if data.get("bookable") else None
        filters.near = data.get("near")
        return filters
