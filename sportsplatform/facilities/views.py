"""Public fitness-facility pages (健身设施): the list (facilities:list) and a facility
(facilities:detail). Views parse the query string with a form, call facilities.queries and
render; nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sportsplatform.core.geo import navigation_links
from sportsplatform.maps.views import tile_config, zoom_labels

from .forms import FacilityFilterForm
from .models import EquipmentCondition, Facility, FacilityKind
from .queries import Near, distance_m, get_published_facility, search_facilities, with_list_relations

PAGE_SIZE = 20
RESULTS_ID = "facility-results"

CONDITION_BADGES = {
    EquipmentCondition.GOOD: "badge-success",
    EquipmentCondition.WORN: "badge-warning",
    EquipmentCondition.BROKEN: "badge-error",
    EquipmentCondition.REMOVED: "badge-muted",
}


def format_distance(metres: float | None) -> str:
    if metres is None:
        return ""
    if metres < 1000:
        return _("%(m)s m") % {"m": int(round(metres, -1)) or 10}
    km = metres / 1000
    return _("%(km)s km") % {"km": f"{km:.1f}" if km < 100 else f"{km:.0f}"}


def format_length(metres: int | None) -> str:
    if not metres:
        return ""
    return _("%(km)s km") % {"km": f"{metres / 1000:.1f}"}


def format_area(area: Decimal | None) -> str:
    if area is None:
        return ""
    value = f"{area:,.0f}" if area >= 100 else f"{area.normalize():f}"
    return _("%(area)s m²") % {"area": value}


@dataclass(frozen=True)
class FacilityRow:
    facility: Facility
    distance: str
    length: str
    area: str


def _rows(facilities, near: Near | None) -> list[FacilityRow]:
    return [
        FacilityRow(
            facility=f,
            distance=format_distance(distance_m(f, near)),
            length=format_length(f.length_m) if f.kind == FacilityKind.TRAIL else "",
            area=format_area(f.area),
        )
        for f in facilities
    ]


@require_GET
def facility_list(request):
    form = FacilityFilterForm(request.GET)
    arguments = form.search_arguments()
    queryset = with_list_relations(search_facilities(**arguments))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "facilities/list.html",
        {
            "form": form,
            "near": arguments["near"],
            "is_filtered": form.is_filtered,
            "page": page,
            "rows": _rows(page.object_list, arguments["near"]),
            "results_id": RESULTS_ID,
        },
    )


@require_GET
def facility_detail(request, pk: int):
    facility = get_published_facility(pk)  # Http404 for unknown and unpublished ones
    nav = navigation_links(lat=float(facility.lat), lng=float(facility.lng), name=facility.name)
    equipment = [(item, CONDITION_BADGES.get(item.condition, "badge-muted")) for item in facility.equipment.all()]
    trail_map = None
    if facility.kind == FacilityKind.TRAIL and facility.path and len(facility.path) > 1:
        trail_map = {
            "line": [[float(lat), float(lng)] for lng, lat in facility.path],
            "trailKind": facility.trail_kind,
            "tiles": tile_config(),
            "labels": zoom_labels(),
        }
    return render(
        request,
        "facilities/detail.html",
        {
            "facility": facility,
            "nav": nav,
            "nav_apps": [
                ("amap", _("AMap"), nav.amap),
                ("baidu", _("Baidu Maps"), nav.baidu),
                ("tencent", _("Tencent Maps"), nav.tencent),
            ],
            "equipment": equipment,
            "length": format_length(facility.length_m),
            "area": format_area(facility.area),
            "trail_map": trail_map,
            "map_url": reverse("map:index") + "?" + urlencode({"focus": f"facility:{facility.pk}"}),
        },
    )
