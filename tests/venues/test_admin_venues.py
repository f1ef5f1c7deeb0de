"""The venue back office: lists, forms, inlines, summaries and query budgets, through the scope."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from PIL import Image

from sportsplatform.venues.domain import files
from sportsplatform.venues.models import Court, OpeningHours, Venue, VenuePhoto
from tests.backoffice.conftest import as_user, change_form_data, world  # noqa: F401  (fixtures)
from tests.support.queries import assert_same_query_count

from .factories import make_court, make_venue

LIST = "/admin/venues/venue/"
ADD = "/admin/venues/venue/add/"
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def change_url(venue, view="change"):
    return f"/admin/venues/venue/{venue.pk}/{view}/"


def three_counties(world):
    return {
        "wuhou": make_venue(name="武侯馆", operator=world.orgs["op_wuhou"]),
        "jinjiang": make_venue(
            name="锦江馆", region="510104", lat="30.62", lng="104.10", operator=world.orgs["op_jinjiang"]
        ),
        "fucheng": make_venue(name="涪城馆", region="510703", lat="31.46", lng="104.74"),
    }


def shown(response, venues) -> set[str]:
    body = response.content.decode()
    return {key for key, venue in venues.items() if venue.name in body}


def empty_inlines(prefixes=("courts", "opening_hours", "opening_exceptions", "photos", "documents")) -> dict:
    data = {}
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def add_data(**changes) -> dict:
    data = {
        "name": "新建馆",
        "type": "gymnasium",
        "ownership": "public",
        "region": "510107",
        "address": "人民南路1号",
        "lat": "30.640000",
        "lng": "104.040000",
        "is_published": "on",
        **empty_inlines(),
    }
    data.update(changes)
    return data


# --- lists and URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("wuhou", {"wuhou"}),
        ("chengdu", {"wuhou", "jinjiang"}),
        ("sichuan", {"wuhou", "jinjiang", "fucheng"}),
        ("admin", {"wuhou", "jinjiang", "fucheng"}),
        ("wuhou_operator", {"wuhou"}),
        ("jinjiang_operator", {"jinjiang"}),
    ],
)
def test_venue_list_shows_only_the_users_scope(world, as_user, user, expected):
    venues = three_counties(world)

    response = as_user(world.users[user]).get(LIST)

    assert response.status_code == 200
    assert shown(response, venues) == expected


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_county_official_opening_another_countys_venue_answers_like_missing(world, as_user, view):
    venues = three_counties(world)
    client = as_user(world.users["wuhou"])

    other = client.get(change_url(venues["jinjiang"], view))
    missing = client.get(f"/admin/venues/venue/999999/{view}/")

    assert other.status_code == missing.status_code
    assert venues["jinjiang"].name not in other.content.decode()


def test_operator_cannot_open_another_operators_venue(world, as_user):
    venues = three_counties(world)

    response = as_user(world.users["wuhou_operator"]).get(change_url(venues["jinjiang"]))

    assert response.status_code == 302
    assert "锦江馆" not in response.content.decode()


def test_region_filter_and_search_stay_in_scope(world, as_user):
    venues = three_counties(world)
    client = as_user(world.users["wuhou"])

    assert shown(client.get(LIST, {"region": "510104"}), venues) == set()
    assert shown(client.get(LIST, {"q": "锦江"}), venues) == set()


def test_changelist_query_count_is_the_same_for_1_and_20_venues(world, as_user):
    client = as_user(world.users["chengdu"])

    def make_rows(n):
        for _ in range(n):
            venue = make_venue(operator=world.orgs["op_wuhou"], sports=("badminton",))
            make_court(venue)
            make_court(venue, name="2号场")

    assert_same_query_count(client, LIST, make_rows)


def test_changelist_counts_bookable_units(world, as_user):
    venue = make_venue(name="有场地")
    make_court(venue)
    make_court(venue, name="2号场")
    make_court(venue, name="3号场", is_bookable=False)

    response = as_user(world.users["wuhou"]).get(LIST)

    assert response.context["cl"].result_list[0].bookable_courts == 2


# --- the form -----------------------------------------------------------------------------------


def test_add_venue_in_own_county_goes_through_the_domain(world, as_user):
    client = as_user(world.users["wuhou"])
    data = add_data(
        sports=["1", "2"],
        amenities=["parking", "showers"],
        **{
            "courts-TOTAL_FORMS": "1",
            "courts-0-name": "1号场",
            "courts-0-kind": "court",
            "courts-0-sport": "1",
            "courts-0-capacity": "4",
            "courts-0-price_per_hour": "40",
            "courts-0-is_bookable": "on",
            "courts-0-order": "0",
            "opening_hours-TOTAL_FORMS": "2",
            "opening_hours-0-weekday": "0",
            "opening_hours-0-opens": "09:00",
            "opening_hours-0-closes": "12:00",
            "opening_hours-1-weekday": "0",
            "opening_hours-1-opens": "14:00",
            "opening_hours-1-closes": "21:00",
        },
    )

    response = client.post(ADD, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    venue = Venue.objects.get(name="新建馆")
    assert venue.amenities == ["parking", "showers"]
    assert venue.sports.count() == 2
    assert Court.objects.filter(venue=venue).count() == 1
    assert OpeningHours.objects.filter(venue=venue).count() == 2
    entries = LogEntry.objects.filter(object_pk=str(venue.pk))
    actions = [(e.additional_data or {}).get("action") for e in entries]
    assert "venues.venue.created" in actions and "venues.venue.hours_set" in actions


def test_add_venue_in_other_county_is_a_field_error_and_saves_nothing(world, as_user):
    response = as_user(world.users["wuhou"]).post(ADD, add_data(region="510104", lat="30.62", lng="104.10"))

    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    assert not Venue.objects.exists()


def test_add_venue_point_outside_the_county_is_a_field_error(world, as_user):
    response = as_user(world.users["wuhou"]).post(ADD, add_data(lat="30.62", lng="104.10"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "lat" in errors and "锦江区" in errors["lat"][0]
    assert not Venue.objects.exists()


def test_add_venue_overlapping_hours_are_refused(world, as_user):
    data = add_data(
        **{
            "opening_hours-TOTAL_FORMS": "2",
            "opening_hours-0-weekday": "0",
            "opening_hours-0-opens": "09:00",
            "opening_hours-0-closes": "12:00",
            "opening_hours-1-weekday": "0",
            "opening_hours-1-opens": "11:00",
            "opening_hours-1-closes": "13:00",
        }
    )

    response = as_user(world.users["wuhou"]).post(ADD, data)

    assert response.status_code == 200
    assert not Venue.objects.exists()


def test_form_choices_are_narrowed_to_the_users_counties_and_operators(world, as_user):
    response = as_user(world.users["wuhou"]).get(ADD)

    form = response.context["adminform"].form
    assert [r.pk for r in form.fields["region"].queryset] == ["510107"]
    assert [o.pk for o in form.fields["operator"].queryset] == [world.orgs["op_wuhou"].pk]


def test_operator_add_form_defaults_to_own_organisation_and_cannot_set_star_rating(world, as_user):
    response = as_user(world.users["wuhou_operator"]).get(ADD)

    form = response.context["adminform"].form
    assert form.initial["operator"] == world.orgs["op_wuhou"].pk
    assert "star_rating" not in form.fields


def test_operator_edit_other_operators_venue_by_post_changes_nothing(world, as_user):
    venues = three_counties(world)

    as_user(world.users["wuhou_operator"]).post(change_url(venues["jinjiang"]), add_data(name="被改名"))

    venues["jinjiang"].refresh_from_db()
    assert venues["jinjiang"].name == "锦江馆"


def test_change_venue_moving_to_other_county_is_refused(world, as_user):
    venue = make_venue(name="原馆")
    client = as_user(world.users["wuhou"])
    page = client.get(change_url(venue))

    response = client.post(change_url(venue), change_form_data(page, region="510104", lat="30.62", lng="104.10"))

    assert response.status_code == 200
    venue.refresh_from_db()
    assert venue.region_id == "510107"


def test_change_venue_upload_photo_through_inline_makes_thumbnail(world, as_user):
    venue = make_venue(name="有照片")
    client = as_user(world.users["wuhou"])
    page = client.get(change_url(venue))
    image = io.BytesIO()
    Image.new("RGB", (960, 640), (10, 200, 30)).save(image, "JPEG")
    data = change_form_data(
        page,
        **{
            "photos-TOTAL_FORMS": "1",
            "photos-0-caption": "外景",
            "photos-0-order": "0",
            "photos-0-image": SimpleUploadedFile("外景.jpg", image.getvalue(), content_type="image/jpeg"),
        },
    )

    response = client.post(change_url(venue), data)

    assert response.status_code == 302
    photo = VenuePhoto.objects.get(venue=venue)
    assert photo.thumbnail and photo.width == 960


def test_change_venue_fake_image_in_inline_is_a_field_error(world, as_user):
    venue = make_venue(name="假照片")
    client = as_user(world.users["wuhou"])
    page = client.get(change_url(venue))
    data = change_form_data(
        page,
        **{
            "photos-TOTAL_FORMS": "1",
            "photos-0-order": "0",
            "photos-0-image": SimpleUploadedFile("a.jpg", b"not an image at all", content_type="image/jpeg"),
        },
    )

    response = client.post(change_url(venue), data)

    assert response.status_code == 200
    assert not VenuePhoto.objects.exists()


def test_change_form_flags_expired_inspection_report(world, as_user):
    venue = make_venue(name="检测馆")
    files.add_document(
        venue=venue,
        kind="inspection",
        upload=SimpleUploadedFile("r.pdf", PDF),
        title="2023 检测报告",
        issued_on=date(2023, 1, 1),
        valid_until=date.today() - timedelta(days=1),
        actor=None,
    )

    response = as_user(world.users["wuhou"]).get(change_url(venue))

    assert "bo-expired" in response.content.decode()


def test_document_download_is_scoped(world, as_user):
    venue = make_venue(name="锦江馆", region="510104", lat="30.62", lng="104.10")
    document = files.add_document(
        venue=venue, kind="drawing", upload=SimpleUploadedFile("d.pdf", PDF), title="施工图", actor=None
    )
    url = f"/admin/venues/venue/{venue.pk}/documents/{document.pk}/"

    outside = as_user(world.users["wuhou"]).get(url)
    inside = as_user(world.users["chengdu"]).get(url)

    assert outside.status_code == 302
    assert inside.status_code == 200
    assert b"".join(inside.streaming_content) == PDF


def test_publish_action_only_touches_scoped_rows(world, as_user):
    venues = three_counties(world)
    Venue.objects.update(is_published=False)

    as_user(world.users["wuhou"]).post(
        LIST, {"action": "publish_selected", "_selected_action": [v.pk for v in venues.values()]}
    )

    published = set(Venue.objects.filter(is_published=True).values_list("name", flat=True))
    assert published == {"武侯馆"}


def test_county_official_cannot_delete_venues(world, as_user):
    venue = make_venue()

    as_user(world.users["wuhou"]).post(change_url(venue, "delete"), {"post": "yes"})

    assert Venue.objects.filter(pk=venue.pk).exists()


# --- summaries ------------------------------------------------------------------------------------


def test_summary_city_official_sees_counties_of_the_city_only(world, as_user):
    three_counties(world)
    make_venue(name="武侯二馆", type="stadium", floor_area=1000, site_area=3000)

    response = as_user(world.users["chengdu"]).get("/admin/venues/venue/summary/")

    summary = response.context["summary"]
    by_region = {row.key: row.count for row in summary.by_region}
    assert by_region["510107"] == 2 and by_region["510104"] == 1
    assert "510703" not in by_region
    assert summary.total.count == 3
    by_type = {row.key: row for row in summary.by_type}
    assert by_type["stadium"].count == 1 and by_type["stadium"].floor_area == 1000


def test_summary_province_official_sees_cities_and_may_drill_down(world, as_user):
    three_counties(world)
    client = as_user(world.users["sichuan"])

    top = client.get("/admin/venues/venue/summary/").context["summary"]
    chengdu = client.get("/admin/venues/venue/summary/", {"region": "510100"}).context["summary"]

    assert {r.key: r.count for r in top.by_region}["510100"] == 2
    assert {r.key: r.count for r in top.by_region}["510700"] == 1
    assert {r.key: r.count for r in chengdu.by_region}["510104"] == 1
    assert chengdu.parent.code == "510000"


def test_summary_county_official_cannot_drill_into_another_county(world, as_user):
    three_counties(world)

    summary = as_user(world.users["wuhou"]).get("/admin/venues/venue/summary/", {"region": "510104"}).context["summary"]

    assert summary.total.count == 1
    assert summary.region.code == "510107"


def test_summary_excel_export_is_scoped(world, as_user):
    three_counties(world)

    response = as_user(world.users["wuhou"]).get("/admin/venues/venue/summary/", {"format": "xlsx"})

    book = load_workbook(io.BytesIO(response.content))
    by_type = book.worksheets[0]
    total_row = list(by_type.iter_rows(values_only=True))[-1]
    assert total_row[2] == 1
    assert len(book.worksheets) == 3
