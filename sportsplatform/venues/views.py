"""Public venue pages: search (venues:list), a venue (venues:detail) and venue opening
(venues:opening, 场馆开放). Views parse the query string with a form, call the read functions of
queries.py / page_queries.py and render; nothing here writes."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from sportsplatform.core.geo import navigation_links

from .forms import OpeningSearchForm, VenueSearchForm
from .models import Amenity, Venue, VenueDocument, VenuePhoto
from .page_queries import sport_label, upcoming_exceptions, weekly_pattern, with_cover_photo
from .queries import (
    Near,
    OpenState,
    distance_m,
    opening_state,
    public_documents,
    published_venues,
    search_venues,
    with_detail_relations,
    with_list_relations,
)

PAGE_SIZE = 12
RESULTS_TARGET = "venue-results"  # the id htmx swaps on the list pages


@dataclass(frozen=True)
class VenueRow:
    """One venue as a list shows it."""

    venue: Venue
    state: OpenState
    sports: list[str]
    cover: VenuePhoto | None = None
    distance: str = ""


def format_distance(metres: float | None) -> str:
    if metres is None:
        return ""
    if metres < 1000:
        return _("%(m)s m") % {"m": int(round(metres, -1)) or 10}
    km = metres / 1000
    return _("%(km)s km") % {"km": f"{km:.1f}" if km < 100 else f"{km:.0f}"}


def _rows(venues, *, near: Near | None = None, now=None) -> list[VenueRow]:
    return [
        VenueRow(
            venue=v,
            state=opening_state(v, now),
            sports=[sport_label(s) for s in v.sports.all()],
            cover=next(iter(getattr(v, "cover_photos", [])), None),
            distance=format_distance(distance_m(v, near)),
        )
        for v in venues
    ]


def _wants_results_only(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and htmx.target == RESULTS_TARGET and not htmx.history_restore_request


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def venue_list(request):
    form = VenueSearchForm(request.GET)
    filters = form.filters()
    now = timezone.now()
    venues = with_cover_photo(with_list_relations(search_venues(**filters.search_kwargs(), at=now), at=now))
    page = _page(request, venues)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": _rows(page.object_list, near=filters.near, now=now),
        "results_target": RESULTS_TARGET,
    }
    template = "venues/_list_results.html" if _wants_results_only(request) else "venues/list.html"
    return render(request, template, context)


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def venue_opening(request):
    form = OpeningSearchForm(request.GET)
    filters = form.filters()
    now = timezone.now()
    venues = with_list_relations(search_venues(**filters.search_kwargs(), at=now), at=now)
    page = _page(request, venues)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": _rows(page.object_list, now=now),
        "results_target": RESULTS_TARGET,
        "now": timezone.localtime(now),
    }
    template = "venues/_opening_results.html" if _wants_results_only(request) else "venues/opening.html"
    return render(request, template, context)


def _fitness_map_url(venue: Venue) -> str:
    # The fitness map is another app's page; link to it only once it exists.
    try:
        url = reverse("map:index")
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode({'focus': f'venue:{venue.pk}'})}"


@dataclass(frozen=True)
class AmenityItem:
    code: str
    label: str


@require_GET
def venue_detail(request, pk: int):
    now = timezone.now()
    venue = get_object_or_404(with_detail_relations(published_venues(), at=now), pk=pk)
    state = opening_state(venue, now, week=True)
    today = timezone.localtime(now).date()
    known_amenities = dict(Amenity.choices)
    documents = [
        {"doc": d, "expired": d.valid_until is not None and d.valid_until < today} for d in public_documents(venue)
    ]
    context = {
        "venue": venue,
        "state": state,
        "today": today,
        "sports": [sport_label(s) for s in venue.sports.all()],
        "photos": list(venue.photos.all()),
        "week": weekly_pattern(venue),
        "exceptions": upcoming_exceptions(venue),
        "courts": list(venue.courts.all()),
        "amenities": [AmenityItem(code, known_amenities[code]) for code in venue.amenities if code in known_amenities],
        "documents": documents,
        "nav": navigation_links(
            lat=float(venue.lat),
            lng=float(venue.lng),
            name=venue.name,
            tencent_key=getattr(settings, "TENCENT_MAP_KEY", ""),
        ),
        "map_url": _fitness_map_url(venue),
        "map_tiles": {
            "url": getattr(settings, "MAP_TILE_URL", ""),
            "subdomains": getattr(settings, "MAP_TILE_SUBDOMAINS", ""),
            "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
        },
    }
    return render(request, "venues/detail.html", context)


@require_GET
def public_document(request, pk: int):
    """A published document of a published venue, as a download. Documents are served only
    through here (and the scoped back-office download), never from /media/ directly, so a private
    drawing or inspection report cannot be fetched by guessing its file name."""
    document = get_object_or_404(
        VenueDocument.objects.select_related("venue"), pk=pk, is_public=True, venue__is_published=True
    )
    extension = os.path.splitext(document.file.name)[1]
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=f"{document.title}{extension}")
    response["Content-Type"] = document.content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response
