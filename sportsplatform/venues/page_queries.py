"""Reads the public venue pages need beyond queries.py: the cover photo of each listed venue, the
region cascade's options and the weekly pattern of a venue's opening hours. Nothing here writes;
every function works in a constant number of queries (the list pages' query budget)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.db.models import Prefetch, QuerySet
from django.utils.translation import get_language

from sportsplatform.regions.queries import children_of

from .models import OpeningException, Sport, Venue, VenuePhoto, Weekday


def with_cover_photo(qs: QuerySet[Venue]) -> QuerySet[Venue]:
    """Each venue's first photo as `cover_photos` (a list of at most one): a sliced prefetch, so
    one query for the whole page however many photos each venue has."""
    return qs.prefetch_related(
        Prefetch("photos", queryset=VenuePhoto.objects.order_by("venue_id", "order", "id")[:1], to_attr="cover_photos")
    )


@dataclass(frozen=True)
class Option:
    value: str
    label: str


def region_options(parent: str | None) -> list[Option]:
    """The divisions in force below `parent` (None: the provinces), for one select of the cascade."""
    return [Option(r.code, r.name) for r in children_of(parent)]


def sport_label(sport: Sport) -> str:
    """The sport's name in the page's language (the register keeps a Chinese and an English name)."""
    language = (get_language() or "").lower()
    if language.startswith("en") and sport.name_en:
        return sport.name_en
    return sport.name


def sport_options() -> list[Option]:
    return [Option(s.code, sport_label(s)) for s in Sport.objects.all()]


@dataclass(frozen=True)
class PatternDay:
    weekday: int
    label: str
    intervals: tuple[tuple[time, time], ...]


def weekly_pattern(venue: Venue) -> list[PatternDay]:
    """Monday to Sunday from the venue's prefetched `opening_hours` (with_detail_relations)."""
    by_day: dict[int, list[tuple[time, time]]] = {d: [] for d in range(7)}
    for hours in venue.opening_hours.all():
        by_day[hours.weekday].append((hours.opens, hours.closes))
    return [PatternDay(d, Weekday(d).label, tuple(sorted(by_day[d]))) for d in range(7)]


def upcoming_exceptions(venue: Venue) -> list[OpeningException]:
    """The dated changes prefetched by with_detail_relations (today and the next six days)."""
    return sorted(venue.opening_exceptions.all(), key=lambda e: (e.date, e.opens or time.min))
