"""The fitness map (健身地图) page and the navigation links its popups ask for.

The page is a shell: Leaflet draws what `GET /api/v1/map/features` returns for the visible area.
Deep links to AMap, Baidu and Tencent Maps are built here on the server, because the WGS-84 →
GCJ-02 conversion belongs to one maintained library (core.geo), not to a copy in JavaScript."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from sportsplatform.core.geo import navigation_links
from sportsplatform.facilities.models import FacilityKind, TrailKind
from sportsplatform.facilities.queries import published_facilities
from sportsplatform.venues.models import VenueType
from sportsplatform.venues.queries import published_venues

# The read API's path is part of the fixed v1 contract (API.md), so the page may name it.
FEATURES_URL = "/api/v1/map/features"
FOCUS_RE = re.compile(r"^(venue|facility):([0-9]{1,12})$")
LINKS_CACHE_SECONDS = 3600
# Sichuan's extent (WGS-84): the first view shows the whole province.
SICHUAN_BOUNDS = [[26.03, 97.35], [34.32, 108.55]]


@dataclass(frozen=True)
class FilterOption:
    # "venue:<type>", "facility:<kind>" or "trail:<trail kind>": map.js matches features against
    # these and asks the features API for the type codes in them.
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class FilterGroup:
    key: str
    legend: str
    options: list[FilterOption]


def _filter_groups(selected: set[str] | None) -> list[FilterGroup]:
    """The filter panel's checkboxes. `selected` None (no `types` in the query): everything on."""
    point_kinds = [k for k in FacilityKind if k != FacilityKind.TRAIL]
    groups = [
        ("venue", _("Venues"), [(f"venue:{t.value}", t.label) for t in VenueType]),
        ("facility", _("Fitness facilities"), [(f"facility:{k.value}", k.label) for k in point_kinds]),
        ("trail", _("Fitness trails"), [(f"trail:{k.value}", k.label) for k in TrailKind]),
    ]
    return [
        FilterGroup(
            key=key,
            legend=legend,
            options=[FilterOption(v, label, selected is None or v in selected) for v, label in options],
        )
        for key, legend, options in groups
    ]


def _selected_types(request) -> set[str] | None:
    if "types" not in request.GET:
        return None
    values = set()
    for raw in request.GET.getlist("types"):
        values.update(v for v in raw.split(",") if v)
    return values


def _focus(raw: str) -> dict | None:
    """`venue:<id>` or `facility:<id>` → where the map opens, if that place is published."""
    match = FOCUS_RE.match(raw or "")
    if not match:
        return None
    layer, pk = match.group(1), int(match.group(2))
    if layer == "venue":
        row = published_venues().filter(pk=pk).values("id", "name", "lat", "lng").first()
        path = None
    else:
        row = published_facilities().filter(pk=pk).values("id", "name", "lat", "lng", "path").first()
        path = row.pop("path") if row else None
    if row is None:
        return None
    focus = {"layer": layer, "id": row["id"], "name": row["name"], "lat": float(row["lat"]), "lng": float(row["lng"])}
    if path and len(path) > 1:
        lats = [float(p[1]) for p in path]
        lngs = [float(p[0]) for p in path]
        focus["bounds"] = [[min(lats), min(lngs)], [max(lats), max(lngs)]]
    return focus


def tile_config() -> dict:
    """MAP_TILE_URL may hold several XYZ templates separated by spaces (Tianditu serves the base
    map and its labels as two layers); none means no tiles, and the features still show."""
    url = getattr(settings, "MAP_TILE_URL", "") or ""
    return {
        "urls": url.split(),
        "subdomains": getattr(settings, "MAP_TILE_SUBDOMAINS", "") or "abc",
        "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", "") or "",
    }


def zoom_labels() -> dict[str, str]:
    return {"zoomIn": _("Zoom in"), "zoomOut": _("Zoom out")}


def _labels() -> dict[str, str]:
    """Every string map.js shows, translated here so the Chinese page has no English in it."""
    return {
        **zoom_labels(),
        "closePopup": _("Close"),
        "openNow": _("Open now"),
        "closedNow": _("Closed now"),
        "details": _("Details"),
        "navigate": _("Navigate"),
        "amap": _("AMap"),
        "baidu": _("Baidu Maps"),
        "tencent": _("Tencent Maps"),
        "navigateWith": _("Navigate with %(app)s to %(name)s"),
        "linksLoading": _("Loading navigation links…"),
        "linksFailed": _("Navigation links could not be loaded."),
        "loading": _("Loading places…"),
        "loadFailed": _("The places could not be loaded. Move the map to try again."),
        "shown": _("%(count)s places in this area."),
        "shownOne": _("1 place in this area."),
        "truncated": _("Too many places to show at once. Zoom in to see them all."),
        "noneShown": _("No places in this area. Zoom out or change the filters."),
        "cluster": _("%(count)s places, zoom in"),
        "clustered": _("%(count)s places in this area, grouped. Zoom in to see each one."),
        "locating": _("Finding your location…"),
        "located": _("Showing places near you."),
        "locationDenied": _("Location access was denied. Allow it in your browser settings, or move the map yourself."),
        "locationUnavailable": _("Your location could not be found. Move the map yourself."),
        "locationUnsupported": _("This browser cannot share your location. Move the map yourself."),
        "youAreHere": _("You are here"),
        "trailLength": _("%(km)s km long"),
        "venue": _("Venue"),
        "facility": _("Fitness facility"),
        "trail": _("Fitness trail"),
        # Venue popups: people inside now (telemetry).
        "occupancyInside": _("%(count)s people inside"),
        "occupancy_comfortable": _("comfortable"),
        "occupancy_busy": _("busy"),
        "occupancy_full": _("full"),
    }


@require_GET
def index(request):
    selected = _selected_types(request)
    config = {
        "featuresUrl": FEATURES_URL,
        "linksUrl": reverse("map:links", args=["LAYER", 0]).replace("LAYER", "{layer}").replace("/0/", "/{id}/"),
        "tiles": tile_config(),
        "bounds": SICHUAN_BOUNDS,
        "focus": _focus(request.GET.get("focus", "")),
        "labels": _labels(),
        "occupancyUrl": reverse("api:venue-occupancy", args=[0]).replace("/0/", "/{id}/"),
        "occupancyStreamUrl": reverse("live:venue-occupancy-stream", args=[0]).replace("/0/", "/{id}/"),
    }
    groups = _filter_groups(selected)
    # Popups name a feature's type in the page's language, whatever language the API answered in.
    config["typeLabels"] = {option.value: option.label for group in groups for option in group.options}
    context = {
        "filter_groups": groups,
        "map_config": config,
        "facilities_url": reverse("facilities:list"),
    }
    return render(request, "maps/index.html", context)


@require_GET
def links(request, layer: str, pk: int):
    """The three navigation deep links for a published venue or facility (a trail: its start)."""
    if layer == "venue":
        row = published_venues().filter(pk=pk).values("name", "lat", "lng").first()
    elif layer == "facility":
        row = published_facilities().filter(pk=pk).values("name", "lat", "lng").first()
    else:
        row = None
    if row is None:
        raise Http404
    nav = navigation_links(lat=float(row["lat"]), lng=float(row["lng"]), name=row["name"])
    response = JsonResponse(
        {
            "name": row["name"],
            "amap": nav.amap,
            "baidu": nav.baidu,
            "tencent": nav.tencent,
            "gcj02": {"lat": round(nav.gcj02.lat, 6), "lng": round(nav.gcj02.lng, 6)},
        }
    )
    patch_cache_control(response, public=True, max_age=LINKS_CACHE_SECONDS)
    return response
