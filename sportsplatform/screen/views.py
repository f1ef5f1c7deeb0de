"""/screen/: the data screen (数据展示平台) for sports bureau officials and platform admins, one
responsive page: the 1920×1080 big screen, and below 1200 px the same figures in one column for a
phone. The first figures are rendered into the page; the page then follows
`GET /api/v1/dashboard/summary` (the same domain function) as the figures move.

Who may open it: domain/access.py. Anonymous visitors and sessions that may not enter the back
office (an SMS-only sign-in, a missing second factor) go to the staff sign-in; signed-in users
who are not officials or admins get 403; a region outside the scope 404."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from sportsplatform.accounts.security import back_office_session_ok
from sportsplatform.core.errors import NotFound, NotPermitted
from sportsplatform.regions.domain.sync import CODE_RE

from .domain.access import home_regions, resolve_region, screen_breadcrumb, screen_regions
from .domain.boundaries import boundary_path, boundary_version
from .domain.summary import SUMMARY_CACHE_SECONDS, region_summary
from .labels import screen_labels

BOUNDARY_MAX_AGE = 365 * 24 * 3600
# How often the page asks for fresh figures when no live stream tells it that something moved,
# and, while the stream is up, for what the stream does not announce (bookings, open now).
POLL_SECONDS = 5
LIVE_POLL_SECONDS = 15


def _stream_url() -> str | None:
    """The telemetry app's occupancy stream (server-sent events), when it is installed."""
    try:
        return reverse("live:occupancy-stream")
    except NoReverseMatch:
        return None


def _sign_in(request):
    return HttpResponseRedirect(reverse("accounts:password_login") + "?" + urlencode({"next": request.get_full_path()}))


@require_GET
def screen_view(request):
    user = request.user
    if not user.is_authenticated or not back_office_session_ok(request):
        return _sign_in(request)
    code = request.GET.get("region") or None
    if code is not None and not CODE_RE.match(code):
        raise Http404
    try:
        region = resolve_region(user, code)
        roots = home_regions(user)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc.message)) from None
    except NotFound:
        raise Http404 from None
    summary = {**region_summary(region=region), "breadcrumb": screen_breadcrumb(user, region)}
    choices = list(screen_regions(user).filter(valid_to__isnull=True).order_by("code").values("code", "name", "level"))
    context = {
        "region": region,
        "summary": summary,
        "roots": roots,
        "region_choices": choices,
        "screen_config": {
            "summaryUrl": reverse("api:dashboard-summary"),
            "screenUrl": reverse("screen:index"),
            "streamUrl": _stream_url(),
            # A gate count arrives as an `occupancy` event; the stream's `snapshot` repeats what
            # the page already shows.
            "streamEvents": ["occupancy"],
            "pollSeconds": POLL_SECONDS,
            "livePollSeconds": LIVE_POLL_SECONDS,
            "cacheSeconds": SUMMARY_CACHE_SECONDS,
            "labels": screen_labels(),
        },
    }
    response = render(request, "screen/screen.html", context)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
def boundary_view(request, code: str, version: str):
    """A boundary file under its content hash: public geography, cacheable for a year."""
    path = boundary_path(code)
    if path is None or boundary_version(code) != version:
        raise Http404
    response = FileResponse(path.open("rb"), content_type="application/geo+json")
    patch_cache_control(response, public=True, max_age=BOUNDARY_MAX_AGE, immutable=True)
    return response
