"""Reads of the venue register: search with filters and ordering, opening state. Pages, the API
and the map all call these; nothing here writes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Exists, ExpressionWrapper, F, FloatField, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from sportsplatform.core.geo import bbox_around, haversine_m
from sportsplatform.regions.models import Region

from .models import Court, OpeningException, OpeningHours, Venue

# --- opening state ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DayHours:
    date: date
    intervals: tuple[tuple[time, time], ...]
    exception_reason: str = ""
    is_exception: bool = False

    @property
    def is_closed_all_day(self) -> bool:
        return not self.intervals


@dataclass(frozen=True)
class OpenState:
    open_now: bool
    today: DayHours
    closes_at: time | None = None
    opens_at: time | None = None  # next opening today, when closed now
    week: tuple[DayHours, ...] = field(default_factory=tuple)


def hours_on(venue: Venue, day: date) -> DayHours:
    """The venue's opening intervals on `day`: its dated exceptions if any, else the weekly
    pattern. Uses prefetched opening_hours / opening_exceptions when present."""
    exceptions = [e for e in venue.opening_exceptions.all() if e.date == day]
    if exceptions:
        if any(e.is_closed for e in exceptions):
            reason = next((e.reason for e in exceptions if e.is_closed), "")
            return DayHours(day, (), reason, True)
        intervals = tuple(sorted((e.opens, e.closes) for e in exceptions))
        return DayHours(day, intervals, exceptions[0].reason, True)
    intervals = tuple(sorted((h.opens, h.closes) for h in venue.opening_hours.all() if h.weekday == day.weekday()))
    return DayHours(day, intervals)


def opening_state(venue: Venue, at: datetime | None = None, *, week: bool = False) -> OpenState:
    now = timezone.localtime(at)
    today = hours_on(venue, now.date())
    current = now.time()
    closes_at = next((c for o, c in today.intervals if o <= current < c), None)
    opens_at = None if closes_at else next((o for o, _c in today.intervals if o > current), None)
    days = ()
    if week:
        days = tuple(hours_on(venue, now.date() + timezone.timedelta(days=n)) for n in range(7))
    return OpenState(closes_at is not None, today, closes_at, opens_at, days)


def open_now_q(at: datetime | None = None) -> Q:
    """SQL filter: venues open at `at` (default now), honouring dated exceptions."""
    now = timezone.localtime(at)
    day, t = now.date(), now.time()
    exception_today = OpeningException.objects.filter(venue=OuterRef("pk"), date=day)
    open_by_exception = exception_today.filter(is_closed=False, opens__lte=t, closes__gt=t)
    open_by_pattern = OpeningHours.objects.filter(
        venue=OuterRef("pk"), weekday=day.weekday(), opens__lte=t, closes__gt=t
    )
    return Q(Exists(open_by_exception)) | (~Q(Exists(exception_today)) & Q(Exists(open_by_pattern)))


# --- search ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Near:
    lat: float
    lng: float
    radius_m: float | None = None


def published_venues() -> QuerySet[Venue]:
    return Venue.objects.filter(is_published=True)


def search_venues(
    *,
    q: str = "",
    region: str = "",
    sport: str = "",
    type: str = "",
    ownership: str = "",
    bookable: bool | None = None,
    open_now: bool | None = None,
    near: Near | None = None,
    at: datetime | None = None,
    queryset: QuerySet[Venue] | None = None,
) -> QuerySet[Venue]:
    """Published venues matching every given filter. Ordered by distance when `near` is given
    (annotating `distance_sort`), else by star rating and name.

    Chinese names are matched as substrings of `search_text` (name, address, sports): a LIKE scan
    that stays fast at provincial scale (tens of thousands of rows) and, unlike word indexes,
    needs no segmentation for two-character queries such as 羽毛 or 武侯."""
    qs = queryset if queryset is not None else published_venues()
    for term in (q or "").split():
        qs = qs.filter(search_text__contains=term.lower())
    if region:
        # IN (subquery on the small regions table): indexable, unlike a LIKE on the FK column.
        qs = qs.filter(region__in=Region.objects.within(region).values("code"))
    if sport:
        qs = qs.filter(Exists(Venue.sports.through.objects.filter(venue_id=OuterRef("pk"), sport__code=sport)))
    if type:
        qs = qs.filter(type=type)
    if ownership:
        qs = qs.filter(ownership=ownership)
    if bookable is not None:
        has_bookable = Exists(Court.objects.filter(venue_id=OuterRef("pk"), is_bookable=True))
        qs = qs.filter(has_bookable) if bookable else qs.exclude(has_bookable)
    if open_now is not None:
        qs = qs.filter(open_now_q(at)) if open_now else qs.exclude(open_now_q(at))
    if near is not None:
        if near.radius_m:
            min_lat, min_lng, max_lat, max_lng = bbox_around(near.lat, near.lng, near.radius_m)
            qs = qs.filter(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
        # Equirectangular approximation: orders correctly at city scale and runs on every engine.
        k = math.cos(math.radians(near.lat))
        dlat = F("lat") - near.lat
        dlng = (F("lng") - near.lng) * k
        qs = qs.annotate(distance_sort=ExpressionWrapper(dlat * dlat + dlng * dlng, output_field=FloatField()))
        return qs.order_by("distance_sort", "id")
    # Matches the index venue_published_rating_order; unrated venues (NULL → 0) come last.
    return qs.order_by(Coalesce("star_rating", 0).desc(), "name", "id")


def with_list_relations(qs: QuerySet[Venue], *, at: datetime | None = None) -> QuerySet[Venue]:
    """What a list row shows (region, sports, today's hours) in a constant number of queries."""
    today = timezone.localtime(at).date()
    return qs.select_related("region").prefetch_related(
        "sports",
        Prefetch("opening_hours", queryset=OpeningHours.objects.filter(weekday=today.weekday())),
        Prefetch("opening_exceptions", queryset=OpeningException.objects.filter(date=today)),
    )


def with_detail_relations(qs: QuerySet[Venue], *, at: datetime | None = None) -> QuerySet[Venue]:
    today = timezone.localtime(at).date()
    return qs.select_related("region", "region__parent", "operator").prefetch_related(
        "sports",
        "opening_hours",
        Prefetch(
            "opening_exceptions",
            queryset=OpeningException.objects.filter(date__gte=today, date__lt=today + timezone.timedelta(days=7)),
        ),
        Prefetch("courts", queryset=Court.objects.select_related("sport")),
        "photos",
        "documents",
    )


def distance_m(venue: Venue, near: Near | None) -> float | None:
    if near is None:
        return None
    return haversine_m(near.lat, near.lng, venue.lat, venue.lng)


def public_documents(venue: Venue):
    return [d for d in venue.documents.all() if d.is_public]
