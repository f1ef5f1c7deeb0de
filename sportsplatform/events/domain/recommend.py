"""Venue recommendation for organisers (赛事选址): an organisation describes what its event needs
(sport, dates, participants, region, a point, a daily budget, indoor or outdoor) and gets the
published venues that offer the sport, ranked by how well they fit, each with the reasons.

The score (0–100) is a weighted mean of parts, each between 0 and 1:

- capacity: Venue.capacity against the participants (unknown capacity is a weaker match);
- calendar: the share of free slots of the sport's courts on those dates per the booking calendar;
  a day whose slots are not generated yet (slots exist only for the booking window) counts by the
  opening hours and exceptions at a discount ("calendar not yet open"); a closed day counts 0;
- distance: from the organiser's point, else from the centre of the chosen region;
- price: the hire of the courts the event needs for a day against the budget per day;
- setting: indoor or outdoor, judged from the venue type.

Parts the need says nothing about (no point and no region centre, no budget, no indoor/outdoor
preference) leave the mean. Everything is read in a fixed number of queries however many venues
match (the candidates with their courts, hours, exceptions and price rules, one aggregate over the
slots, the holiday calendar), so a province of 900 venues ranks in one request."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from sportsplatform.booking.domain.policy import policy_for
from sportsplatform.booking.domain.pricing import day_kinds, slot_price
from sportsplatform.booking.models import DayKind, PriceRule, Slot, SlotStatus
from sportsplatform.core.errors import ValidationFailed
from sportsplatform.core.geo import LatLng, haversine_m
from sportsplatform.regions.models import Region
from sportsplatform.venues.models import Court, OpeningException, OpeningHours, Sport, Venue, VenueType
from sportsplatform.venues.queries import DayHours

# How long an event the finder plans for, and how many it can seat (a marathon's field).
MAX_DAYS = 31
MAX_PARTICIPANTS = 100_000
DEFAULT_LIMIT = 20

WEIGHTS = {"capacity": 25, "calendar": 30, "distance": 20, "price": 15, "setting": 10}

# A day without generated slots is open by its hours but not confirmed free: it counts this much.
UNCONFIRMED_DAY_CREDIT = 0.7
# Distances up to this count fully; the part falls to 0 at DISTANCE_ZERO_M.
DISTANCE_FULL_M = 5_000
DISTANCE_ZERO_M = 100_000


class VenueSetting:
    INDOOR = "indoor"
    OUTDOOR = "outdoor"
    CHOICES = (
        ("", gettext_lazy("Either")),
        (INDOOR, gettext_lazy("Indoor")),
        (OUTDOOR, gettext_lazy("Outdoor")),
    )


# What the venue type says about the setting; school grounds and "other" could be either.
SETTING_OF_TYPE = {
    VenueType.STADIUM: VenueSetting.OUTDOOR,
    VenueType.SPORTS_PARK: VenueSetting.OUTDOOR,
    VenueType.GYMNASIUM: VenueSetting.INDOOR,
    VenueType.NATATORIUM: VenueSetting.INDOOR,
    VenueType.FITNESS_CENTRE: VenueSetting.INDOOR,
    VenueType.GYM: VenueSetting.INDOOR,
}


class Verdict:
    GOOD = "good"
    WEAK = "weak"
    MISS = "miss"


@dataclass(frozen=True)
class VenueNeed:
    sport: str  # Sport.code
    starts_on: date
    ends_on: date
    participants: int
    region: str = ""  # GB/T 2260 code of a county, city or the province
    point: LatLng | None = None
    budget_per_day: Decimal | None = None
    setting: str = ""  # VenueSetting.INDOOR / OUTDOOR, or "" for either

    @property
    def days(self) -> list[date]:
        return [self.starts_on + timedelta(days=i) for i in range((self.ends_on - self.starts_on).days + 1)]


@dataclass(frozen=True)
class Reason:
    kind: str  # capacity, calendar, distance, price, setting
    verdict: str  # Verdict
    text: str


@dataclass
class Recommendation:
    venue: Venue
    score: int
    reasons: list[Reason]
    parts: dict[str, float]
    distance_m: float | None = None
    free_share: float | None = None  # over the days whose calendar is open
    daily_price: Decimal | None = None
    courts: int = 0  # courts of the sport
    calendar_open: bool = False

    @property
    def distance_km(self) -> float | None:
        return None if self.distance_m is None else self.distance_m / 1000


@dataclass
class _DayCalendar:
    total: int = 0
    free: int = 0
    price_by_court: dict[int, Decimal] = field(default_factory=dict)


# --- checking the need -----------------------------------------------------------------------


def check_need(need: VenueNeed, *, today: date | None = None) -> tuple[Sport, Region | None]:
    """The sport and region the need names; ValidationFailed naming each field that is wrong."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    sport = Sport.objects.filter(code=need.sport).first() if need.sport else None
    if sport is None:
        errors["sport"] = [_("Choose a sport.")]
    if need.starts_on < today:
        errors["starts_on"] = [_("The first day cannot be in the past.")]
    if need.ends_on < need.starts_on:
        errors["ends_on"] = [_("The last day must be on or after the first day.")]
    elif (need.ends_on - need.starts_on).days + 1 > MAX_DAYS:
        errors["ends_on"] = [_("Plan at most %(days)d days at a time.") % {"days": MAX_DAYS}]
    if not 1 <= need.participants <= MAX_PARTICIPANTS:
        errors["participants"] = [_("Give the number of participants, from 1 to %(max)d.") % {"max": MAX_PARTICIPANTS}]
    if need.budget_per_day is not None and need.budget_per_day < 0:
        errors["budget_per_day"] = [_("The budget cannot be negative.")]
    if need.setting not in ("", VenueSetting.INDOOR, VenueSetting.OUTDOOR):
        errors["setting"] = [_("Choose indoor, outdoor or either.")]
    region = None
    if need.region:
        region = Region.objects.filter(code=need.region).first()
        if region is None:
            errors["region"] = [_("Unknown region.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return sport, region


# --- reading the candidates in a fixed number of queries --------------------------------------


def candidate_venues(*, sport: Sport, region: Region | None, days: list[date]):
    """Published venues offering `sport` (listed in Venue.sports or with a court of it), inside
    `region` if given, with what the scoring reads prefetched."""
    offers = Q(Exists(Venue.sports.through.objects.filter(venue_id=OuterRef("pk"), sport_id=sport.pk))) | Q(
        Exists(Court.objects.filter(venue_id=OuterRef("pk"), sport_id=sport.pk))
    )
    qs = Venue.objects.filter(is_published=True).filter(offers)
    if region is not None:
        qs = qs.filter(region__in=Region.objects.within(region.code).values("code"))
    return (
        qs.select_related("region", "booking_policy")
        .prefetch_related(
            Prefetch(
                "courts",
                queryset=Court.objects.filter(sport=sport, is_bookable=True).order_by("order", "id"),
                to_attr="sport_courts",
            ),
            # Lists (to_attr), read through _hours_on: a prefetched manager's .all() clones a
            # queryset on every call, which costs more than the scoring at 900 venues.
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("opens"), to_attr="weekly_hours"),
            Prefetch(
                "opening_exceptions",
                queryset=OpeningException.objects.filter(date__range=(days[0], days[-1])).order_by("opens"),
                to_attr="range_exceptions",
            ),
            Prefetch(
                "price_rules",
                queryset=PriceRule.objects.filter(Q(court__isnull=True) | Q(court__sport=sport)),
                to_attr="sport_price_rules",
            ),
        )
        .order_by("id")
    )


def _calendars(*, sport: Sport, venue_ids: list[int], days: list[date]) -> dict[tuple[int, date], _DayCalendar]:
    """(venue, day) → slots of the sport's bookable courts: how many, how many free, the day's
    price per court. One aggregate query."""
    out: dict[tuple[int, date], _DayCalendar] = defaultdict(_DayCalendar)
    if not venue_ids:
        return out
    rows = (
        Slot.objects.filter(
            venue_id__in=venue_ids,
            court__sport=sport,
            court__is_bookable=True,
            date__range=(days[0], days[-1]),
        )
        .values("venue_id", "court_id", "date")
        .annotate(
            total=Count("id"),
            free=Count("id", filter=Q(status=SlotStatus.OPEN, taken=0)),
            price=Coalesce(Sum("price"), Decimal("0")),
        )
        .order_by()
    )
    for row in rows:
        day = out[(row["venue_id"], row["date"])]
        day.total += row["total"]
        day.free += row["free"]
        day.price_by_court[row["court_id"]] = Decimal(row["price"])
    return out


# --- scoring ---------------------------------------------------------------------------------


def recommend_venues(*, need: VenueNeed, limit: int = DEFAULT_LIMIT, today: date | None = None) -> list[Recommendation]:
    """The best `limit` published venues for `need`, best first, each with its score and reasons.
    Raises ValidationFailed for a need that cannot be planned (see check_need)."""
    sport, region = check_need(need, today=today)
    days = need.days
    venues = list(candidate_venues(sport=sport, region=region, days=days))
    calendars = _calendars(sport=sport, venue_ids=[v.pk for v in venues], days=days)
    kinds = day_kinds(days) if venues else {}
    origin, origin_is_point = _origin(need, region)
    recommendations = [
        _score_venue(
            venue=venue,
            need=need,
            sport=sport,
            days=days,
            kinds=kinds,
            calendars=calendars,
            origin=origin,
            origin_is_point=origin_is_point,
            region=region,
        )
        for venue in venues
    ]
    recommendations.sort(
        key=lambda r: (
            -r.score,
            r.distance_m if r.distance_m is not None else math.inf,
            r.venue.name,
            r.venue.pk,
        )
    )
    return recommendations[:limit] if limit else recommendations


def _origin(need: VenueNeed, region: Region | None) -> tuple[LatLng | None, bool]:
    if need.point is not None:
        return need.point, True
    if region is not None and region.lat is not None and region.lng is not None:
        return LatLng(float(region.lat), float(region.lng)), False
    return None, False


def _score_venue(*, venue, need, sport, days, kinds, calendars, origin, origin_is_point, region) -> Recommendation:
    parts: dict[str, float] = {}
    reasons: list[Reason] = []
    courts = venue.sport_courts

    parts["capacity"], reason = _capacity_part(venue, need.participants)
    reasons.append(reason)

    calendar_part, calendar_reasons, free_share, calendar_open = _calendar_part(venue, days, calendars)
    parts["calendar"] = calendar_part
    reasons += calendar_reasons

    distance_m = None
    if origin is not None:
        distance_m = haversine_m(origin.lat, origin.lng, venue.lat, venue.lng)
        parts["distance"], reason = _distance_part(distance_m, origin_is_point, region)
        reasons.append(reason)

    daily_price, priced_courts = _daily_price(venue, courts, need.participants, days, kinds, calendars)
    price_part, reason = _price_part(daily_price, priced_courts, need.budget_per_day, bool(courts))
    if price_part is not None:
        parts["price"] = price_part
    reasons.append(reason)

    if need.setting:
        parts["setting"], reason = _setting_part(venue, need.setting)
        reasons.append(reason)

    weight = sum(WEIGHTS[k] for k in parts)
    score = round(100 * sum(WEIGHTS[k] * v for k, v in parts.items()) / weight) if weight else 0
    return Recommendation(
        venue=venue,
        score=max(0, min(100, score)),
        reasons=reasons,
        parts=parts,
        distance_m=distance_m,
        free_share=free_share,
        daily_price=daily_price,
        courts=len(courts),
        calendar_open=calendar_open,
    )


def _capacity_part(venue: Venue, participants: int) -> tuple[float, Reason]:
    if venue.capacity is None:
        return 0.5, Reason(
            "capacity",
            Verdict.WEAK,
            _("Capacity not registered: ask the venue whether %(n)s people fit.") % {"n": _number(participants)},
        )
    if venue.capacity >= participants:
        return 1.0, Reason(
            "capacity",
            Verdict.GOOD,
            _("Capacity %(capacity)s people, enough for %(n)s.")
            % {"capacity": _number(venue.capacity), "n": _number(participants)},
        )
    # Short of room: half credit at most, shrinking with the shortfall.
    return 0.5 * venue.capacity / participants, Reason(
        "capacity",
        Verdict.MISS,
        _("Capacity %(capacity)s people, fewer than %(n)s.")
        % {"capacity": _number(venue.capacity), "n": _number(participants)},
    )


def _calendar_part(venue: Venue, days: list[date], calendars) -> tuple[float, list[Reason], float | None, bool]:
    known: list[date] = []
    unconfirmed: list[date] = []
    closed: list[tuple[date, str]] = []
    credits: list[float] = []
    free = total = 0
    for day in days:
        calendar = calendars.get((venue.pk, day))
        if calendar is not None and calendar.total:
            known.append(day)
            free += calendar.free
            total += calendar.total
            credits.append(calendar.free / calendar.total)
            continue
        hours = _hours_on(venue, day)
        if hours.is_closed_all_day:
            closed.append((day, hours.exception_reason))
            credits.append(0.0)
        else:
            unconfirmed.append(day)
            credits.append(UNCONFIRMED_DAY_CREDIT)
    reasons = []
    share = None
    if known:
        share = free / total
        percent = round(100 * share)
        verdict = Verdict.GOOD if share >= 0.6 else Verdict.WEAK if share >= 0.3 else Verdict.MISS
        if free == 0:
            text = _("%(days)s: fully booked.") % {"days": day_ranges(known)}
        else:
            text = _("%(days)s: %(percent)s%% of the times free.") % {"days": day_ranges(known), "percent": percent}
        reasons.append(Reason("calendar", verdict, text))
    if unconfirmed:
        reasons.append(
            Reason(
                "calendar",
                Verdict.WEAK,
                _("%(days)s: booking calendar not yet open; open by its opening hours.")
                % {"days": day_ranges(unconfirmed)},
            )
        )
    if closed:
        why = next((r for _d, r in closed if r), "")
        text = _("%(days)s: closed.") % {"days": day_ranges([d for d, _r in closed])}
        if why:
            text = _("%(days)s: closed (%(reason)s).") % {"days": day_ranges([d for d, _r in closed]), "reason": why}
        reasons.append(Reason("calendar", Verdict.MISS, text))
    return sum(credits) / len(credits), reasons, share, bool(known)


def _distance_part(distance_m: float, origin_is_point: bool, region: Region | None) -> tuple[float, Reason]:
    if distance_m <= DISTANCE_FULL_M:
        part = 1.0
    else:
        part = max(0.0, 1 - (distance_m - DISTANCE_FULL_M) / (DISTANCE_ZERO_M - DISTANCE_FULL_M))
    km = _km(distance_m)
    if origin_is_point or region is None:
        text = _("%(km)s km away.") % {"km": km}
    else:
        text = _("%(km)s km from the centre of %(region)s.") % {"km": km, "region": region.name}
    verdict = Verdict.GOOD if distance_m <= 10_000 else Verdict.WEAK if distance_m <= 50_000 else Verdict.MISS
    return part, Reason("distance", verdict, text)


def courts_needed(courts: list[Court], participants: int) -> int:
    """How many of the sport's courts an event of `participants` people takes: enough places for
    everyone at once, at least one, at most all."""
    if not courts:
        return 0
    per_court = max(1, max(c.capacity for c in courts))
    return max(1, min(len(courts), math.ceil(participants / per_court)))


def _daily_price(venue, courts, participants, days, kinds, calendars) -> tuple[Decimal | None, int]:
    """The average hire per open day of the cheapest courts the event needs (whole opening
    hours): from the slot prices where the calendar is open, else from the courts' prices and the
    venue's price rules over the opening hours."""
    if not courts:
        return None, 0
    needed = courts_needed(courts, participants)
    rules_of = {c.pk: [r for r in venue.sport_price_rules if r.court_id in (None, c.pk)] for c in courts}
    totals: list[Decimal] = []
    priced: dict[tuple, Decimal] = {}
    for day in days:
        calendar = calendars.get((venue.pk, day))
        if calendar is not None and calendar.total:
            per_court = [calendar.price_by_court.get(c.pk, Decimal("0")) for c in courts]
        else:
            hours = _hours_on(venue, day)
            if hours.is_closed_all_day:
                continue
            kind = kinds[day]
            per_court = []
            for court in courts:
                rules = _rules_for_kind(rules_of[court.pk], kind)
                # Days of one kind with the same hours cost the same; so do courts of one price
                # whose rules are the venue's.
                own = any(r.court_id for r in rules)
                key = (court.pk if own else court.price_per_hour, tuple(r.pk for r in rules), kind, hours.intervals)
                if key not in priced:
                    priced[key] = _price_day(venue, court, day, hours.intervals, kind, rules)
                per_court.append(priced[key])
        totals.append(sum(sorted(per_court)[:needed], Decimal("0")))
    if not totals:
        return None, needed
    average = sum(totals, Decimal("0")) / len(totals)
    return average.quantize(Decimal("1"), rounding=ROUND_HALF_UP), needed


def _rules_for_kind(rules: list[PriceRule], kind: str) -> list[PriceRule]:
    """The rules slot_price may pick on a day of `kind` (a holiday falls back to the weekend or
    working-day rules): the others cannot apply, and leaving them out keeps the walk cheap."""
    kinds = {DayKind.ANY, kind}
    if kind == DayKind.HOLIDAY:
        kinds |= {DayKind.WEEKEND, DayKind.WEEKDAY}
    return [r for r in rules if r.day_kind in kinds]


def _price_day(venue, court, day, intervals, kind, rules) -> Decimal:
    """The court's price for the whole opening hours of `day`, in the venue's slot length as the
    slot generator walks them."""
    if not rules:
        hours = sum(
            (datetime.combine(day, closes) - datetime.combine(day, opens)).total_seconds() / 3600
            for opens, closes in intervals
        )
        return court.price_per_hour * Decimal(str(hours))
    length = timedelta(minutes=policy_for(venue).slot_minutes)
    total = Decimal("0")
    for opens, closes in intervals:
        begin = datetime.combine(day, opens)
        finish = datetime.combine(day, closes)
        while begin + length <= finish:
            price, _member = slot_price(court=court, start=begin, end=begin + length, kind=kind, rules=rules)
            total += price
            begin += length
    return total


def _hours_on(venue: Venue, day: date) -> DayHours:
    """venues.queries.hours_on over the lists prefetched by candidate_venues: the dated
    exceptions if any (a closure wins), else the weekly pattern."""
    exceptions = [e for e in venue.range_exceptions if e.date == day]
    if exceptions:
        closed = [e for e in exceptions if e.is_closed]
        if closed:
            return DayHours(day, (), next((e.reason for e in closed if e.reason), ""), True)
        return DayHours(day, tuple(sorted((e.opens, e.closes) for e in exceptions)), exceptions[0].reason, True)
    return DayHours(day, tuple(sorted((h.opens, h.closes) for h in venue.weekly_hours if h.weekday == day.weekday())))


def _price_part(daily_price, courts, budget, has_courts) -> tuple[float | None, Reason]:
    if daily_price is None or not has_courts:
        text = (
            _("No courts of this sport are listed for online booking: ask the venue for a price.")
            if not has_courts
            else _("Closed on every day asked: no price.")
        )
        return (0.5 if budget is not None else None), Reason("price", Verdict.WEAK, text)
    if daily_price == 0:
        return (1.0 if budget is not None else None), Reason(
            "price", Verdict.WEAK, _("No court price listed: ask the venue for a price.")
        )
    courts_text = ngettext_courts(courts)
    if budget is None:
        return None, Reason(
            "price",
            Verdict.GOOD,
            _("Venue hire about ¥%(price)s a day (%(courts)s).")
            % {"price": _number(daily_price), "courts": courts_text},
        )
    if daily_price <= budget:
        return 1.0, Reason(
            "price",
            Verdict.GOOD,
            _("Venue hire about ¥%(price)s a day (%(courts)s), within the budget.")
            % {"price": _number(daily_price), "courts": courts_text},
        )
    part = float(budget / daily_price) if budget > 0 else 0.0
    return part, Reason(
        "price",
        Verdict.MISS,
        _("Venue hire about ¥%(price)s a day (%(courts)s), ¥%(over)s over the budget.")
        % {"price": _number(daily_price), "courts": courts_text, "over": _number(daily_price - budget)},
    )


def ngettext_courts(n: int) -> str:
    return ngettext("%(n)d court all day", "%(n)d courts all day", n) % {"n": n}


def _setting_part(venue: Venue, wanted: str) -> tuple[float, Reason]:
    setting = SETTING_OF_TYPE.get(venue.type)
    if setting is None:
        return 0.5, Reason("setting", Verdict.WEAK, _("Indoor or outdoor not known from the venue type."))
    if setting == wanted:
        text = _("Indoor venue, as asked.") if setting == VenueSetting.INDOOR else _("Outdoor venue, as asked.")
        return 1.0, Reason("setting", Verdict.GOOD, text)
    text = (
        _("Indoor venue; you asked for outdoor.")
        if setting == VenueSetting.INDOOR
        else _("Outdoor venue; you asked for indoor.")
    )
    return 0.0, Reason("setting", Verdict.MISS, text)


# --- wording ---------------------------------------------------------------------------------


def _number(value) -> str:
    """Thousands separated, no decimals: 1,200."""
    return f"{Decimal(value).quantize(Decimal('1'), rounding=ROUND_HALF_UP):,}"


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f}"


def _month_day(day: date) -> str:
    return pgettext("month and day", "%(month)d/%(day)d") % {"month": day.month, "day": day.day}


def _day_range(first: date, last: date) -> str:
    if first == last:
        return _month_day(first)
    if (first.year, first.month) == (last.year, last.month):
        end = pgettext("day of the same month", "%(day)d") % {"day": last.day}
    else:
        end = _month_day(last)
    return pgettext("range of days", "%(first)s–%(last)s") % {"first": _month_day(first), "last": end}


def day_ranges(days: list[date]) -> str:
    """Consecutive days joined into ranges: "6/1–2, 6/5" (6月1日–2日、6月5日 in Chinese)."""
    days = sorted(days)
    ranges: list[tuple[date, date]] = []
    for day in days:
        if ranges and day == ranges[-1][1] + timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    separator = pgettext("list separator", ", ")
    return separator.join(_day_range(a, b) for a, b in ranges)
