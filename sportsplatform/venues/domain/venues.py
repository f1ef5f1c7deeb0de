"""Writes on venues and their parts: the venue record, its sports, weekly hours and dated
exceptions, its bookable units (courts) and publication.

Who may write: platform admins anywhere; a bureau official for venues in their region; operator
staff for their own organisation's venues (and they may only create venues for it). Every write
checks the stored row and the row as it would be saved, and that the coordinates lie in the
county. `actor=None` is the system (seed steps, migrations): no scope check."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sportsplatform.accounts.models import OrganisationKind
from sportsplatform.core import audit
from sportsplatform.core.errors import ValidationFailed

from ..models import Amenity, Court, CourtKind, OpeningException, OpeningHours, Sport, Venue, Weekday
from .checks import (
    Problems,
    check_in_scope,
    check_model_fields,
    check_organisation,
    check_point,
    check_region,
    related_or_none,
    require_stored_in_scope,
    stored_values,
)

OPERATOR_KINDS = (OrganisationKind.OPERATOR,)


# --- the venue record ---------------------------------------------------------------------------


def venue_problems(*, venue: Venue, actor) -> Problems:
    """Everything wrong with `venue` as it would be saved by `actor` (empty when it may be saved).
    Forms call this to show field errors; the writes below call it and refuse."""
    problems = Problems()
    venue.name = (venue.name or "").strip()
    venue.address = (venue.address or "").strip()
    if not venue.name:
        problems.add("name", _("Enter the venue's name."))
    if not venue.address:
        problems.add("address", _("Enter the address."))
    check_model_fields(venue, problems, exclude=("search_text", "region", "operator", "name", "address"))
    unknown = [a for a in venue.amenities or [] if a not in Amenity.values]
    if unknown:
        problems.add("amenities", _("Unknown services: %(codes)s.") % {"codes": ", ".join(map(str, unknown))})
    venue.amenities = [a for a in Amenity.values if a in (venue.amenities or [])]
    for name in ("floor_area", "site_area"):
        value = getattr(venue, name)
        if value is not None and Decimal(value) < 0:
            problems.add(name, _("An area cannot be negative."))

    before = stored_values(venue, "region_id", "operator_id")
    region = related_or_none(venue, "region")
    if venue.region_id and region is None:
        problems.add("region", _("Unknown region %(code)s.") % {"code": venue.region_id})
    else:
        check_region(actor, region, problems, changed=before.get("region_id") != venue.region_id)
    check_organisation(actor, related_or_none(venue, "operator"), problems, field="operator", kinds=OPERATOR_KINDS)
    check_in_scope(
        actor,
        region_code=venue.region_id,
        organisation_id=venue.operator_id,
        problems=problems,
        field="region" if "region" not in problems else "operator",
    )
    if "lat" not in problems and "lng" not in problems:
        check_point(venue.lat, venue.lng, region if "region" not in problems else None, problems)
    return problems


def _save_venue(venue: Venue) -> Venue:
    venue.save()
    return venue


@transaction.atomic
def create_venue(
    *,
    actor,
    name: str,
    type: str,
    ownership: str,
    region,
    address: str,
    lat: Decimal | str | float,
    lng: Decimal | str | float,
    operator=None,
    phone: str = "",
    sports: Iterable[Sport] = (),
    amenities: Iterable[str] = (),
    floor_area: Decimal | None = None,
    site_area: Decimal | None = None,
    year_built: int | None = None,
    star_rating: int | None = None,
    capacity: int | None = None,
    description: str = "",
    is_published: bool = True,
) -> Venue:
    venue = Venue(
        name=name,
        type=type,
        ownership=ownership,
        region=region,
        address=address,
        lat=Decimal(str(lat)),
        lng=Decimal(str(lng)),
        operator=operator,
        phone=(phone or "").strip(),
        amenities=list(amenities),
        floor_area=floor_area,
        site_area=site_area,
        year_built=year_built,
        star_rating=star_rating,
        capacity=capacity,
        description=description or "",
        is_published=is_published,
    )
    venue_problems(venue=venue, actor=actor).raise_if_any()
    _save_venue(venue)
    sports = list({s.pk: s for s in sports}.values())
    if sports:
        # A new venue has no sports yet: add them and write the search text once.
        venue.sports.add(*sports)
        venue.search_text = venue.build_search_text(sport_names=[s.name for s in sports])
        Venue.objects.filter(pk=venue.pk).update(search_text=venue.search_text)
    audit.record(
        action="venues.venue.created",
        actor=actor,
        obj=venue,
        region=venue.region_id,
        operator=venue.operator_id,
    )
    return venue


@transaction.atomic
def update_venue(*, venue: Venue, actor) -> Venue:
    """Save edits made to `venue` (by a form or an import). The stored venue must be the actor's
    and so must the edited one; django-auditlog records before and after."""
    require_stored_in_scope(actor, venue)
    venue_problems(venue=venue, actor=actor).raise_if_any()
    return _save_venue(venue)


@transaction.atomic
def set_sports(*, venue: Venue, sports: Iterable[Sport], actor) -> None:
    require_stored_in_scope(actor, venue)
    new = sorted({s.pk: s for s in sports}.values(), key=lambda s: s.pk)
    old = list(venue.sports.order_by("pk"))
    if [s.pk for s in old] == [s.pk for s in new]:
        return
    venue.sports.set(new)
    venue.refresh_search_text()
    audit.record(
        action="venues.venue.sports_set",
        actor=actor,
        obj=venue,
        changes={"sports": [", ".join(s.code for s in old), ", ".join(s.code for s in new)]},
    )


@transaction.atomic
def publish_venue(*, venue: Venue, actor) -> Venue:
    return _set_published(venue=venue, actor=actor, published=True)


@transaction.atomic
def unpublish_venue(*, venue: Venue, actor) -> Venue:
    return _set_published(venue=venue, actor=actor, published=False)


def _set_published(*, venue: Venue, actor, published: bool) -> Venue:
    require_stored_in_scope(actor, venue)
    if venue.is_published != published:
        venue.is_published = published
        venue.save(update_fields=["is_published", "updated_at"])
        audit.record(
            action="venues.venue.published" if published else "venues.venue.unpublished", actor=actor, obj=venue
        )
    return venue


@transaction.atomic
def delete_venue(*, venue: Venue, actor) -> None:
    require_stored_in_scope(actor, venue)
    audit.record(action="venues.venue.deleted", actor=actor, obj=venue, region=venue.region_id)
    venue.delete()


# --- weekly hours -------------------------------------------------------------------------------

Interval = tuple[int, time, time]


def weekly_hours_problems(intervals: Iterable[Interval]) -> list[str]:
    """What is wrong with a weekly pattern: unknown weekdays, an interval that does not close after
    it opens, or two intervals of one day that overlap (touching, 12:00–14:00 then 14:00–18:00,
    is fine)."""
    problems: list[str] = []
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in intervals:
        if weekday not in Weekday.values:
            problems.append(_("Unknown weekday %(day)s.") % {"day": weekday})
            continue
        day_name = Weekday(weekday).label
        if opens is None or closes is None:
            problems.append(_("%(day)s: give both the opening and the closing time.") % {"day": day_name})
            continue
        if closes <= opens:
            problems.append(
                _("%(day)s: closing time %(closes)s must be after opening time %(opens)s.")
                % {"day": day_name, "opens": f"{opens:%H:%M}", "closes": f"{closes:%H:%M}"}
            )
            continue
        by_day.setdefault(weekday, []).append((opens, closes))
    for weekday, day_intervals in sorted(by_day.items()):
        day_intervals.sort()
        for (o1, c1), (o2, c2) in itertools.pairwise(day_intervals):
            if o2 < c1:
                problems.append(
                    _("%(day)s: %(a)s and %(b)s overlap.")
                    % {
                        "day": Weekday(weekday).label,
                        "a": f"{o1:%H:%M}–{c1:%H:%M}",
                        "b": f"{o2:%H:%M}–{c2:%H:%M}",
                    }
                )
    return problems


def _describe_hours(rows: Iterable[Interval]) -> str:
    return "; ".join(f"{d}:{o:%H:%M}-{c:%H:%M}" for d, o, c in sorted(rows))


@transaction.atomic
def set_weekly_hours(*, venue: Venue, intervals: Iterable[Interval], actor) -> list[OpeningHours]:
    """Replace the venue's weekly pattern. A weekday without intervals is closed."""
    require_stored_in_scope(actor, venue)
    intervals = [(int(d), o, c) for d, o, c in intervals]
    problems = weekly_hours_problems(intervals)
    if problems:
        raise ValidationFailed(problems[0], fields={"opening_hours": problems})
    old = [(h.weekday, h.opens, h.closes) for h in OpeningHours.objects.filter(venue=venue)]
    if sorted(old) == sorted(intervals):
        return list(OpeningHours.objects.filter(venue=venue))
    OpeningHours.objects.filter(venue=venue).delete()
    rows = OpeningHours.objects.bulk_create(
        OpeningHours(venue=venue, weekday=d, opens=o, closes=c) for d, o, c in sorted(intervals)
    )
    audit.record(
        action="venues.venue.hours_set",
        actor=actor,
        obj=venue,
        changes={"opening_hours": [_describe_hours(old), _describe_hours(intervals)]},
    )
    return rows


# --- dated exceptions ---------------------------------------------------------------------------


def opening_exception_problems(exception: OpeningException) -> Problems:
    problems = Problems()
    if exception.date is None:
        problems.add("date", _("Enter the date."))
    if exception.is_closed:
        exception.opens = exception.closes = None
    elif exception.opens is None or exception.closes is None:
        problems.add("opens", _("Give the opening and closing time, or mark the day closed."))
    elif exception.closes <= exception.opens:
        problems.add("closes", _("The closing time must be after the opening time."))
    if problems or exception.date is None:
        return problems
    others = OpeningException.objects.filter(venue_id=exception.venue_id, date=exception.date).exclude(pk=exception.pk)
    for other in others:
        if exception.is_closed or other.is_closed:
            problems.add("date", _("%(date)s already has an exception; edit that one.") % {"date": exception.date})
            break
        if exception.opens < other.closes and other.opens < exception.closes:
            problems.add("opens", _("These hours overlap other hours on %(date)s.") % {"date": exception.date})
            break
    return problems


@transaction.atomic
def add_opening_exception(
    *,
    venue: Venue,
    date: date,
    actor,
    is_closed: bool = True,
    opens: time | None = None,
    closes: time | None = None,
    reason: str = "",
) -> OpeningException:
    """A closure (holiday, maintenance) or different hours on one date."""
    require_stored_in_scope(actor, venue)
    exception = OpeningException(
        venue=venue, date=date, is_closed=is_closed, opens=opens, closes=closes, reason=(reason or "").strip()
    )
    opening_exception_problems(exception).raise_if_any()
    exception.save()
    return exception


@transaction.atomic
def update_opening_exception(*, exception: OpeningException, actor) -> OpeningException:
    require_stored_in_scope(actor, exception)
    opening_exception_problems(exception).raise_if_any()
    exception.save()
    return exception


@transaction.atomic
def remove_opening_exception(*, exception: OpeningException, actor) -> None:
    require_stored_in_scope(actor, exception)
    exception.delete()


# --- bookable units -----------------------------------------------------------------------------


def court_problems(court: Court) -> Problems:
    problems = Problems()
    court.name = (court.name or "").strip()
    if not court.name:
        problems.add("name", _("Enter the name of the court, field, lane or room."))
    check_model_fields(court, problems, exclude=("venue", "sport", "name"))
    if court.kind not in CourtKind.values:
        problems.add("kind", _("Unknown kind."))
    if court.sport_id is None:
        problems.add("sport", _("Choose the sport."))
    if court.price_per_hour is not None and court.price_per_hour < 0:
        problems.add("price_per_hour", _("A price cannot be negative."))
    if court.name and Court.objects.filter(venue_id=court.venue_id, name=court.name).exclude(pk=court.pk).exists():
        problems.add("name", _("This venue already has a unit named %(name)s.") % {"name": court.name})
    return problems


def _save_court(court: Court) -> Court:
    court_problems(court).raise_if_any()
    try:
        with transaction.atomic():
            court.save()
    except IntegrityError:
        # Lost a race with a concurrent add of the same name (court_unique_name_per_venue).
        raise ValidationFailed(fields={"name": [_("This venue already has a unit with this name.")]}) from None
    return court


@transaction.atomic
def add_court(
    *,
    venue: Venue,
    name: str,
    sport: Sport,
    price_per_hour: Decimal,
    actor,
    kind: str = CourtKind.COURT,
    capacity: int = 4,
    is_bookable: bool = True,
    order: int = 0,
) -> Court:
    """A bookable unit: a court, field, lane, room, table or area, with how many people one
    booking admits."""
    require_stored_in_scope(actor, venue)
    return _save_court(
        Court(
            venue=venue,
            name=name,
            sport=sport,
            price_per_hour=price_per_hour,
            kind=kind,
            capacity=capacity,
            is_bookable=is_bookable,
            order=order,
        )
    )


@transaction.atomic
def update_court(*, court: Court, actor) -> Court:
    require_stored_in_scope(actor, court)
    before = stored_values(court, "venue_id")
    if before and before["venue_id"] != court.venue_id:
        raise ValidationFailed(fields={"venue": [_("A unit cannot move to another venue.")]})
    return _save_court(court)


@transaction.atomic
def remove_court(*, court: Court, actor) -> None:
    require_stored_in_scope(actor, court)
    court.delete()
