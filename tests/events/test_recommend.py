"""Venue recommendation (events.domain.recommend): which venues appear, how they rank, what the
reasons say, bad needs refused, a fixed number of queries however many venues match, and the
finder page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from sportsplatform.booking.models import PriceRule, Slot
from sportsplatform.core.errors import ValidationFailed
from sportsplatform.core.geo import LatLng
from sportsplatform.events.domain.recommend import VenueNeed, VenueSetting, day_ranges, recommend_venues
from sportsplatform.venues.models import OpeningException, VenueType
from tests.booking.factories import make_slot
from tests.support.accounts import ensure_regions, make_public_user
from tests.support.queries import assert_same_query_count
from tests.venues.factories import make_court, make_venue

pytestmark = pytest.mark.django_db


def _day(offset: int) -> date:
    return timezone.localdate() + timedelta(days=offset)


def _need(**kwargs) -> VenueNeed:
    values = {"sport": "badminton", "starts_on": _day(40), "ends_on": _day(41), "participants": 100}
    values.update(kwargs)
    return VenueNeed(**values)


def _venue(*, sport="badminton", courts=2, price="50.00", capacity=500, **kwargs):
    venue = make_venue(sports=(sport,), capacity=capacity, **kwargs)
    for i in range(courts):
        make_court(venue, name=f"{i + 1}号场", sport=sport, price=price)
    return venue


def _slots(venue, day: date, *, hours=4, taken=False):
    """Slots of each court of `venue` on `day` from 09:00; all taken when `taken`."""
    for court in venue.courts.all():
        for h in range(hours):
            start = timezone.make_aware(datetime.combine(day, time(9 + h)))
            make_slot(court, start=start, price=court.price_per_hour, taken=1 if taken else 0)


def _texts(recommendation) -> list[str]:
    return [r.text for r in recommendation.reasons]


def _ranked(need, **kwargs):
    with translation.override("en"):
        return recommend_venues(need=need, **kwargs)


# --- which venues appear ---------------------------------------------------------------------


def test_recommend_venue_without_sport_never_appears():
    badminton = _venue(name="羽毛球馆")
    _venue(name="篮球馆", sport="basketball")

    ranked = _ranked(_need())

    assert [r.venue for r in ranked] == [badminton]


def test_recommend_venue_listing_sport_without_courts_appears_and_says_ask_for_price():
    venue = make_venue(name="只登记了项目的馆", sports=("badminton",), capacity=300)

    [only] = _ranked(_need())

    assert only.venue == venue
    assert only.courts == 0
    assert any("ask the venue for a price" in text for text in _texts(only))


def test_recommend_unpublished_venue_never_appears():
    _venue(name="未发布", is_published=False)

    assert _ranked(_need()) == []


def test_recommend_region_keeps_venues_inside_it():
    ensure_regions()
    wuhou = _venue(name="武侯馆", region="510107")
    jinjiang = _venue(name="锦江馆", region="510104")

    in_county = _ranked(_need(region="510107"))
    in_city = _ranked(_need(region="510100"))

    assert [r.venue for r in in_county] == [wuhou]
    assert {r.venue for r in in_city} == {wuhou, jinjiang}


# --- ranking and reasons ---------------------------------------------------------------------


def test_recommend_full_calendar_ranks_lower_and_says_so():
    day = _day(3)
    free = _venue(name="空闲馆")
    full = _venue(name="满场馆")
    _slots(free, day)
    _slots(full, day, taken=True)

    ranked = _ranked(_need(starts_on=day, ends_on=day))

    assert [r.venue for r in ranked] == [free, full]
    assert ranked[0].score > ranked[1].score
    assert ranked[0].free_share == 1.0 and ranked[1].free_share == 0.0
    assert any("100% of the times free" in text for text in _texts(ranked[0]))
    assert any("fully booked" in text for text in _texts(ranked[1]))
    assert ranked[1].reasons[1].verdict == "miss"


def test_recommend_partly_booked_calendar_gives_the_free_share():
    day = _day(3)
    venue = _venue(courts=1)
    _slots(venue, day, hours=4)
    first = Slot.objects.filter(venue=venue).order_by("start").first()
    Slot.objects.filter(pk=first.pk).update(taken=1)

    [only] = _ranked(_need(starts_on=day, ends_on=day))

    assert only.free_share == 0.75
    assert any("75% of the times free" in text for text in _texts(only))


def test_recommend_calendar_not_open_uses_opening_hours_and_closed_days_count_against():
    first = _day(60)
    open_venue = _venue(name="照常开放")
    closing = _venue(name="有一天闭馆")
    OpeningException.objects.create(venue=closing, date=first + timedelta(days=1), is_closed=True, reason="设备检修")

    ranked = _ranked(_need(starts_on=first, ends_on=first + timedelta(days=1)))

    assert [r.venue for r in ranked] == [open_venue, closing]
    assert not ranked[0].calendar_open
    assert any("booking calendar not yet open" in text for text in _texts(ranked[0]))
    assert any("closed (设备检修)" in text for text in _texts(ranked[1]))


def test_recommend_weekly_closed_day_counts_against():
    monday = _day(60) + timedelta(days=(7 - _day(60).weekday()) % 7)
    _venue(name="周一闭馆", hours={d: [("09:00", "21:00")] for d in range(1, 7)})

    [only] = _ranked(_need(starts_on=monday, ends_on=monday))

    assert only.parts["calendar"] == 0.0
    assert any(text.endswith("closed.") for text in _texts(only))


def test_recommend_capacity_short_or_unknown_is_a_weaker_match():
    roomy = _venue(name="大馆", capacity=800)
    small = _venue(name="小馆", capacity=50)
    unknown = _venue(name="未登记容量", capacity=None)

    ranked = {r.venue: r for r in _ranked(_need(participants=500))}

    assert ranked[roomy].score > ranked[unknown].score > ranked[small].score
    assert "Capacity 800 people, enough for 500." in _texts(ranked[roomy])
    assert "Capacity 50 people, fewer than 500." in _texts(ranked[small])
    assert any("Capacity not registered" in text for text in _texts(ranked[unknown]))


def test_recommend_distance_from_a_point_ranks_the_nearer_first():
    near = _venue(name="近馆", lat="30.640000", lng="104.040000")
    far = _venue(name="远馆", lat="31.460000", lng="104.700000")

    ranked = _ranked(_need(point=LatLng(30.65, 104.05)))

    assert [r.venue for r in ranked] == [near, far]
    assert ranked[0].distance_km < 2
    assert any(text.endswith("km away.") for text in _texts(ranked[0]))
    assert ranked[0].parts["distance"] == 1.0 and ranked[1].parts["distance"] < 0.2


def test_recommend_distance_from_the_region_centre_names_the_region():
    ensure_regions()
    _venue(region="510107")

    [only] = _ranked(_need(region="510107"))

    assert only.distance_m is not None
    assert any("from the centre of 武侯区" in text for text in _texts(only))


def test_recommend_price_against_budget():
    # 08:00–22:00 = 14 h at 100/h; 10 people fit one badminton court (capacity 4 → 3 courts).
    cheap = _venue(name="便宜", price="20.00", courts=3)
    dear = _venue(name="贵", price="100.00", courts=3)

    ranked = {r.venue: r for r in _ranked(_need(participants=10, budget_per_day=Decimal("1000")))}

    assert ranked[cheap].daily_price == Decimal("840")
    assert ranked[dear].daily_price == Decimal("4200")
    assert "Venue hire about ¥840 a day (3 courts all day), within the budget." in _texts(ranked[cheap])
    assert "Venue hire about ¥4,200 a day (3 courts all day), ¥3,200 over the budget." in _texts(ranked[dear])
    assert ranked[cheap].score > ranked[dear].score


def test_recommend_price_from_price_rules_when_calendar_not_open():
    venue = _venue(courts=1, price="50.00", hours={d: [("18:00", "20:00")] for d in range(7)})
    PriceRule.objects.create(venue=venue, starts=time(19), ends=time(20), price=Decimal("80.00"))

    [only] = _ranked(_need(participants=2))

    # 18:00 at the court price (50), 19:00 at the rule's price per slot (80).
    assert only.daily_price == Decimal("130")


def test_recommend_price_from_slots_when_calendar_open():
    day = _day(3)
    venue = _venue(courts=1, price="50.00")
    _slots(venue, day, hours=2)
    Slot.objects.filter(venue=venue).update(price=Decimal("70.00"))

    [only] = _ranked(_need(starts_on=day, ends_on=day, participants=2))

    assert only.daily_price == Decimal("140")


def test_recommend_indoor_outdoor_preference():
    hall = _venue(name="体育馆", type=VenueType.GYMNASIUM)
    stadium = _venue(name="体育场", type=VenueType.STADIUM)
    school = _venue(name="学校", type=VenueType.SCHOOL)

    ranked = _ranked(_need(setting=VenueSetting.OUTDOOR))

    assert [r.venue for r in ranked] == [stadium, school, hall]
    by_venue = {r.venue: r for r in ranked}
    assert "Outdoor venue, as asked." in _texts(by_venue[stadium])
    assert "Indoor venue; you asked for outdoor." in _texts(by_venue[hall])


def test_recommend_score_is_between_0_and_100_and_limit_applies():
    for i in range(5):
        _venue(name=f"馆{i}")

    ranked = _ranked(_need(), limit=3)

    assert len(ranked) == 3
    assert all(0 <= r.score <= 100 for r in ranked)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sport": "curling"}, "sport"),
        ({"starts_on": _day(-1)}, "starts_on"),
        ({"ends_on": _day(39)}, "ends_on"),
        ({"ends_on": _day(40 + 31)}, "ends_on"),
        ({"participants": 0}, "participants"),
        ({"budget_per_day": Decimal("-1")}, "budget_per_day"),
        ({"region": "999999"}, "region"),
        ({"setting": "underwater"}, "setting"),
    ],
)
def test_recommend_bad_need_is_refused_naming_the_field(changes, field):
    _venue()

    with pytest.raises(ValidationFailed) as caught:
        recommend_venues(need=_need(**changes))

    assert field in caught.value.fields


def test_day_ranges_join_consecutive_days():
    with translation.override("en"):
        text = day_ranges([date(2027, 6, 1), date(2027, 6, 2), date(2027, 6, 5), date(2027, 6, 30), date(2027, 7, 1)])

    assert text == "6/1–2, 6/5, 6/30–7/1"


def test_day_ranges_in_chinese():
    with translation.override("zh-hans"):
        text = day_ranges([date(2027, 6, 1), date(2027, 6, 2)])

    assert text == "6月1日–2日"


# --- a fixed number of queries ---------------------------------------------------------------


def _furnished_venue(i: int, day: date):
    venue = _venue(name=f"馆{i:03d}", lat=30.6 + i / 1000, lng=104.0)
    OpeningException.objects.create(venue=venue, date=day + timedelta(days=1), is_closed=True, reason="检修")
    PriceRule.objects.create(venue=venue, starts=time(18), ends=time(21), price=Decimal("90.00"))
    _slots(venue, day, hours=2)
    return venue


def test_recommend_query_count_does_not_grow_with_venues():
    day = _day(3)
    need = _need(starts_on=day, ends_on=day + timedelta(days=2), point=LatLng(30.6, 104.0))
    _furnished_venue(0, day)
    recommend_venues(need=need)  # warm per-process caches (content types, holiday calendar code)
    with CaptureQueriesContext(connection) as one:
        assert len(recommend_venues(need=need)) == 1
    for i in range(1, 30):
        _furnished_venue(i, day)
    with CaptureQueriesContext(connection) as many:
        assert len(recommend_venues(need=need, limit=0)) == 30

    assert len(many.captured_queries) == len(one.captured_queries) <= 10


# --- the page --------------------------------------------------------------------------------


def _query(**changes) -> str:
    values = {
        "sport": "badminton",
        "starts_on": _day(40).isoformat(),
        "ends_on": _day(41).isoformat(),
        "participants": "100",
    }
    values.update(changes)
    return "&".join(f"{k}={v}" for k, v in values.items())


def test_finder_page_asks_for_a_login(client):
    response = client.get("/events/find-venue/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_finder_page_shows_the_form_without_a_need(client):
    client.force_login(make_public_user())

    response = client.get("/events/find-venue/")

    assert response.status_code == 200
    assert response.context["recommendations"] is None


def test_finder_page_ranks_venues_with_reasons_and_enquiry_links(client):
    client.force_login(make_public_user())
    operator_venue = _venue(name="有运营方的馆")
    from sportsplatform.accounts.domain.users import create_organisation
    from sportsplatform.accounts.models import OrganisationKind

    regions = ensure_regions()
    operator_venue.operator = create_organisation(
        name="运营公司", kind=OrganisationKind.OPERATOR, region=regions["510107"]
    )
    operator_venue.save()

    response = client.get("/events/find-venue/?" + _query(), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert "有运营方的馆" in html
    assert f"/events/find-venue/{operator_venue.pk}/enquire/?sport=badminton" in html
    assert f"focus=venue:{operator_venue.pk}" in html
    [rec] = response.context["recommendations"]
    assert rec.reasons[0].text in html


def test_finder_page_bad_input_marks_the_fields(client):
    client.force_login(make_public_user())

    response = client.get("/events/find-venue/?" + _query(ends_on=_day(39).isoformat()))

    assert response.status_code == 400
    assert "ends_on" in response.context["form"].errors
    assert response.context["recommendations"] is None


def test_finder_page_has_no_n_plus_one(client):
    client.force_login(make_public_user())
    day = _day(3)
    count = {"n": 0}

    def make_rows(n):
        for _ in range(n):
            count["n"] += 1
            _furnished_venue(count["n"], day)

    url = "/events/find-venue/?" + _query(starts_on=day.isoformat(), ends_on=(day + timedelta(days=1)).isoformat())
    assert_same_query_count(client, url, make_rows)


def test_finder_page_bad_input_shows_every_error_at_once(client):
    client.force_login(make_public_user())

    response = client.get(
        "/events/find-venue/?" + _query(starts_on=_day(-2).isoformat(), ends_on=_day(-3).isoformat(), participants="0")
    )

    assert response.status_code == 400
    assert {"starts_on", "ends_on", "participants"} <= set(response.context["form"].errors)


def test_finder_page_shows_the_best_twenty_and_how_many_offer_the_sport(client):
    client.force_login(make_public_user())
    for i in range(22):
        make_venue(name=f"馆{i:02d}", sports=("badminton",), capacity=500)

    response = client.get("/events/find-venue/?" + _query(), HTTP_ACCEPT_LANGUAGE="en")

    assert response.context["total"] == 22
    assert len(response.context["recommendations"]) == 20
    assert "The best 20 of 22 venues" in response.content.decode()
