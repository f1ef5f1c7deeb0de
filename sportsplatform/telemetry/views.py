"""Live occupancy streams (server-sent events) for the venue pages, the map and the data screen.

    /live/venues/<id>/occupancy/stream          one published venue
    /live/occupancy/stream?venues=1,2,3         up to 200 venues (the venue opening page)
    /live/occupancy/stream?region=510100        every published venue of a region (the screen)

Public data, like the venue pages that show it. Each stream sends a `snapshot` event, then an
`occupancy` event per change, and ends after TELEMETRY_STREAM_SECONDS; EventSource reconnects
by itself, so a stream never holds a worker thread for long."""

from __future__ import annotations

import re

from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET

from sportsplatform.regions.models import Region, scope_prefix
from sportsplatform.venues.models import Venue

from .domain.live import StreamFilter, occupancy_stream

MAX_VENUES = 200
IDS_RE = re.compile(r"^\d{1,10}(,\d{1,10})*$")
REGION_RE = re.compile(r"^[1-9]\d{5}$")


def _stream(stream_filter: StreamFilter) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        occupancy_stream(stream_filter, language=get_language()), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events on as they come
    return response


@require_GET
def venue_occupancy_stream(request, pk: int):
    if not Venue.objects.filter(pk=pk, is_published=True).exists():
        raise Http404
    return _stream(StreamFilter(venue_ids=frozenset({pk})))


@require_GET
def occupancy_stream_view(request):
    venues = request.GET.get("venues", "").strip()
    region = request.GET.get("region", "").strip()
    if venues:
        if not IDS_RE.match(venues):
            return HttpResponseBadRequest(gettext("venues: give venue ids separated by commas."))
        ids = frozenset(int(v) for v in venues.split(","))
        if len(ids) > MAX_VENUES:
            return HttpResponseBadRequest(gettext("venues: at most 200 venues per stream."))
        return _stream(StreamFilter(venue_ids=ids))
    if region:
        if not REGION_RE.match(region) or not Region.objects.filter(code=region).exists():
            return HttpResponseBadRequest(gettext("region: give a six-digit division code, e.g. 510100."))
        return _stream(StreamFilter(region_prefix=scope_prefix(region)))
    return HttpResponseBadRequest(gettext("Give venues=<ids> or region=<code>."))
