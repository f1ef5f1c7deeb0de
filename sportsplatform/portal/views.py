from datetime import timedelta

from django.apps import apps
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .context_processors import LARGE_TEXT_COOKIE
from .navigation import featured_entry, section_entries
from .queries import covered_regions

LARGE_TEXT_COOKIE_AGE = timedelta(days=365)


def home(request):
    sections = section_entries()
    return render(
        request,
        "portal/home.html",
        {
            "regions": covered_regions(),
            "sections": sections,
            "featured": featured_entry(sections),
            **upcoming(),
        },
    )


UPCOMING_LIMIT = 3


def upcoming(*, limit: int = UPCOMING_LIMIT) -> dict:
    """The soonest published events and courses whose sign-up is open now, for the home page's
    "coming up" section (portal/includes/upcoming.html); an app not installed shows nothing."""
    now = timezone.now()
    out = {"upcoming_events": [], "upcoming_courses": []}
    if apps.is_installed("sportsplatform.events"):
        from sportsplatform.events.queries import published_events

        events = list(published_events(open_only=True, now=now)[:limit])
        for event in events:
            # The cheapest group's price ("from ¥60"); groups are prefetched by published_events.
            event.lowest_price = min([group.price for group in event.groups.all()] or [event.fee])
        out["upcoming_events"] = events
    if apps.is_installed("sportsplatform.training"):
        from sportsplatform.training.queries import published_courses

        out["upcoming_courses"] = list(published_courses(open_only=True, include_ended=False, now=now)[:limit])
    return out


@require_POST
def large_text(request):
    """Switch the elderly-friendly large-text mode on (`large_text=1`) or off and go back.
    A plain form POST so it works without JavaScript; the cookie is read when rendering <html>,
    so the next page is drawn large from its first paint."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("portal:home")
    response = HttpResponseRedirect(next_url)
    if request.POST.get("large_text") == "1":
        response.set_cookie(
            LARGE_TEXT_COOKIE,
            "1",
            max_age=int(LARGE_TEXT_COOKIE_AGE.total_seconds()),
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response
