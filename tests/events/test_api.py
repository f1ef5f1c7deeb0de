"""The events API of API.md: public lists and detail, signing up (201 with the order; 400 per field;
409 closed, duplicate, full), my sign-ups and withdrawing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.test import Client
from django.utils import timezone

from sportsplatform.accounts.domain.tokens import issue_token
from sportsplatform.core.signups import SignupStatus
from sportsplatform.events.models import EntryMode, Event, EventGroup, FieldKind, Registration
from sportsplatform.orders.models import OrderStatus
from tests.events.factories import add_field, make_event, valid_id_number
from tests.payments.helpers import pay_with_sandbox
from tests.support.accounts import make_public_user

pytestmark = pytest.mark.django_db

_phones = count(13500000001)


def person():
    return make_public_user(phone=str(next(_phones)))


def api(user) -> Client:
    _token, key = issue_token(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def sign_up(client, event, **body):
    body.setdefault("participant_name", "李雷")
    return client.post(f"/api/v1/events/{event.pk}/registrations", body, content_type="application/json")


# --- public reads -----------------------------------------------------------------------------


def test_event_list_shows_published_events_with_places_and_fees():
    event = make_event(fee="35.00", quota=10, title="锦江半程马拉松")
    make_event(status="submitted", title="待审赛事")
    make_event(title="取消赛事", cancelled_at=timezone.now())

    body = Client().get("/api/v1/events").json()

    assert body["count"] == 1
    assert {"count", "next", "previous", "results"} <= set(body)
    row = body["results"][0]
    assert row["id"] == event.pk
    assert row["title"] == "锦江半程马拉松"
    assert row["fee"] == row["fee_min"] == "35.00"
    assert row["places_left"] == 10
    assert row["registration_open"] is True
    assert row["starts_at"].endswith("+08:00")
    assert row["groups"] == [
        {"id": event.groups.get().pk, "name": "公开组", "fee": "35.00", "quota": 10, "places_left": 10}
    ]
    assert row["sport"]["code"] == "athletics"


def test_event_list_filters_fee_sport_region_open_and_dates():
    free = make_event(fee="0.00", region_code="510104", title="免费健步走")
    paid = make_event(fee="20.00", region_code="510703", sport="badminton", title="羽毛球公开赛")
    closed = make_event(fee="0.00", registration_open=False, title="未开放报名")
    later = make_event(fee="0.00", starts_in_days=60, title="六十天后")
    client = Client()

    def ids(query):
        response = client.get(f"/api/v1/events?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("fee=free") == {free.pk, closed.pk, later.pk}
    assert ids("fee=paid") == {paid.pk}
    assert ids("sport=badminton") == {paid.pk}
    assert ids("region=510700") == {paid.pk}
    assert ids("region=510100") == {free.pk, closed.pk, later.pk}
    assert ids("open=1") == {free.pk, paid.pk, later.pk}
    soon = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert ids(f"date_to={soon}") == {free.pk, paid.pk, closed.pk}
    assert ids(f"date_from={soon}") == {later.pk}
    assert ids("q=羽毛球") == {paid.pk}


def test_event_list_group_fee_makes_a_free_event_paid():
    event = make_event(fee="0.00")
    EventGroup.objects.filter(event=event).update(fee=Decimal("5.00"))

    paid = Client().get("/api/v1/events?fee=paid").json()["results"]
    free = Client().get("/api/v1/events?fee=free").json()["results"]

    assert [row["id"] for row in paid] == [event.pk]
    assert free == []


@pytest.mark.parametrize(
    "query",
    ["fee=cheap", "region=51", "sport=quidditch", "date_from=2026-13-01", "date_from=2026-05-02&date_to=2026-05-01"],
)
def test_event_list_bad_filter_is_400_naming_the_parameter(query):
    response = Client().get(f"/api/v1/events?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]


def test_event_detail_has_groups_questions_and_refund_rules():
    event = make_event(fee="35.00", quota=2, refund_tiers=[{"hours_before": 48, "percent": 80}])
    EventGroup.objects.filter(event=event).update(min_age=18, max_age=60)
    add_field(event, key="id_number", label="身份证号", kind=FieldKind.ID_NUMBER)
    add_field(event, key="size", label="尺码", kind=FieldKind.CHOICE, choices=["S", "M"])

    body = Client().get(f"/api/v1/events/{event.pk}").json()

    group = body["groups"][0]
    assert (group["quota"], group["taken"], group["places_left"], group["waitlisted"]) == (2, 0, 2, 0)
    assert (group["min_age"], group["max_age"], group["fee"]) == (18, 60, "35.00")
    assert [q["key"] for q in body["questions"]] == ["id_number", "size"]
    assert body["questions"][1]["choices"] == [{"value": "S", "label": "S"}, {"value": "M", "label": "M"}]
    assert body["refund_tiers"] == [{"hours_before": 48.0, "percent": 80}]
    assert "80" in body["refund_rule"]


def test_event_detail_of_unpublished_event_is_404():
    draft = make_event(status="draft")

    response = Client().get(f"/api/v1/events/{draft.pk}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- signing up -------------------------------------------------------------------------------


def test_register_paid_event_is_201_with_order_to_pay():
    event = make_event(fee="35.00", quota=5)
    user = person()

    response = sign_up(api(user), event)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["registration"]["status"] == "pending_payment"
    assert body["order"]["status"] == "pending_payment"
    assert body["order"]["amount"] == "35.00"
    assert body["order"]["expires_at"].endswith("+08:00")
    assert body["registration"]["order"]["id"] == body["order"]["id"]
    assert Registration.objects.get(user=user).order_id == body["order"]["id"]


def test_register_free_event_is_201_confirmed_with_paid_order():
    event = make_event(fee="0.00", quota=5)

    body = sign_up(api(person()), event).json()

    assert body["registration"]["status"] == "confirmed"
    assert body["order"]["status"] == "paid"
    assert body["order"]["amount"] == "0.00"


def test_register_full_group_is_201_waitlisted_without_order():
    event = make_event(fee="35.00", quota=1)
    sign_up(api(person()), event)

    body = sign_up(api(person()), event).json()

    assert body["registration"]["status"] == "waitlisted"
    assert body["registration"]["waitlist_position"] == 1
    assert body["order"] is None


def test_register_invalid_answers_is_400_per_field_and_nothing_booked():
    event = make_event(fee="35.00", quota=5)
    add_field(event, key="id_number", label="身份证号", kind=FieldKind.ID_NUMBER)
    add_field(event, key="emergency", label="紧急联系人", kind=FieldKind.EMERGENCY_CONTACT)
    bad = valid_id_number()[:17] + ("0" if valid_id_number()[17] != "0" else "1")

    response = sign_up(api(person()), event, answers={"id_number": bad, "emergency": {"name": "韩梅梅"}})

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"id_number", "emergency"}
    assert not Registration.objects.exists()
    assert EventGroup.objects.get(event=event).taken == 0


def test_register_team_event_checks_size_per_group():
    event = make_event(fee="0.00", quota=5, entry_mode=EntryMode.TEAM)
    EventGroup.objects.filter(event=event).update(team_min=2, team_max=3)
    client = api(person())

    alone = sign_up(client, event, team_name="独行侠")
    team = sign_up(client, event, team_name="蓉城跑团", members=[{"name": "王五"}, {"name": "赵六"}])

    assert alone.status_code == 400
    assert "members" in alone.json()["error"]["fields"]
    assert team.status_code == 201
    assert [m["name"] for m in team.json()["registration"]["members"]] == ["王五", "赵六"]


def test_register_twice_is_409_already_registered():
    event = make_event(fee="35.00", quota=5)
    client = api(person())
    sign_up(client, event)

    response = sign_up(client, event)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_registered"


def test_register_when_closed_is_409_registration_closed():
    event = make_event(fee="35.00", quota=5, registration_open=False)

    response = sign_up(api(person()), event)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "registration_closed"


def test_register_when_group_and_waiting_list_full_is_409_group_full():
    event = make_event(fee="35.00", quota=1)
    EventGroup.objects.filter(event=event).update(waitlist_limit=1)
    sign_up(api(person()), event)
    sign_up(api(person()), event)

    response = sign_up(api(person()), event)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "group_full"


def test_register_group_required_when_event_has_several():
    event = make_event(fee="35.00", groups=(("男子组", 5), ("女子组", 5)))
    women = EventGroup.objects.get(event=event, name="女子组")
    client = api(person())

    missing = sign_up(client, event)
    chosen = sign_up(client, event, group=women.pk)

    assert missing.status_code == 400
    assert "group" in missing.json()["error"]["fields"]
    assert chosen.status_code == 201
    assert chosen.json()["registration"]["group"] == {"id": women.pk, "name": "女子组"}


def test_register_idempotency_key_header_returns_first_registration():
    event = make_event(fee="35.00", quota=5)
    client = api(person())

    first = client.post(
        f"/api/v1/events/{event.pk}/registrations",
        {"participant_name": "李雷"},
        content_type="application/json",
        headers={"Idempotency-Key": "abc-1"},
    )
    again = client.post(
        f"/api/v1/events/{event.pk}/registrations",
        {"participant_name": "李雷"},
        content_type="application/json",
        headers={"Idempotency-Key": "abc-1"},
    )

    assert first.status_code == again.status_code == 201
    assert first.json()["registration"]["id"] == again.json()["registration"]["id"]
    assert Registration.objects.count() == 1


def test_register_anonymous_is_401_and_unknown_event_404():
    event = make_event(quota=5)

    anonymous = Client().post(f"/api/v1/events/{event.pk}/registrations", {}, content_type="application/json")
    unknown = sign_up(api(person()), Event(pk=999999))

    assert anonymous.status_code == 401
    assert unknown.status_code == 404


# --- mine and withdrawing ---------------------------------------------------------------------


def test_my_registrations_lists_mine_only_with_masked_id_numbers():
    event = make_event(fee="0.00", quota=5)
    add_field(event, key="id_number", label="身份证号", kind=FieldKind.ID_NUMBER)
    user = person()
    number = valid_id_number()
    sign_up(api(user), event, answers={"id_number": number})
    sign_up(api(person()), event, answers={"id_number": valid_id_number(sequence="456")})

    body = api(user).get("/api/v1/me/registrations").json()

    assert body["count"] == 1
    answers = body["results"][0]["answers"]
    assert answers["id_number"] == f"{number[:6]}********{number[-4:]}"


def test_my_registrations_filter_by_status():
    event = make_event(fee="35.00", quota=1)
    other = make_event(fee="35.00", quota=0)
    client = api(person())
    sign_up(client, event)
    sign_up(client, other)

    body = client.get("/api/v1/me/registrations?status=waitlisted").json()

    assert [r["event"]["id"] for r in body["results"]] == [other.pk]
    assert client.get("/api/v1/me/registrations?status=nonsense").status_code == 400


def test_withdraw_paid_entry_refunds_and_answers_the_registration(django_capture_on_commit_callbacks):
    event = make_event(fee="40.00", quota=1, refund_tiers=[{"hours_before": 24, "percent": 100}])
    user = person()
    client = api(user)
    body = sign_up(client, event).json()
    registration = Registration.objects.get(pk=body["registration"]["id"])
    pay_with_sandbox(registration.order, django_capture_on_commit_callbacks)
    waiting = sign_up(api(person()), event).json()["registration"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/registrations/{registration.pk}/withdraw", {"reason": "出差"}, content_type="application/json"
        )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert response.json()["order"]["status"] == "refunded"
    assert Registration.objects.get(pk=waiting["id"]).status == SignupStatus.PENDING_PAYMENT
    assert registration.order.refunds.get().amount == Decimal("40.00")


def test_withdraw_twice_is_409_and_someone_elses_is_404():
    event = make_event(fee="40.00", quota=1)
    user = person()
    client = api(user)
    registration_id = sign_up(client, event).json()["registration"]["id"]

    stranger = api(person()).post(f"/api/v1/registrations/{registration_id}/withdraw")
    first = client.post(f"/api/v1/registrations/{registration_id}/withdraw")
    second = client.post(f"/api/v1/registrations/{registration_id}/withdraw")

    assert stranger.status_code == 404
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "illegal_transition"
    assert Registration.objects.get(pk=registration_id).order.status == OrderStatus.CANCELLED


def test_registration_detail_for_owner_only():
    event = make_event(fee="40.00", quota=1)
    user = person()
    registration_id = sign_up(api(user), event).json()["registration"]["id"]

    mine = api(user).get(f"/api/v1/registrations/{registration_id}")
    theirs = api(person()).get(f"/api/v1/registrations/{registration_id}")
    malformed = api(user).get("/api/v1/registrations/abc")

    assert mine.status_code == 200
    assert mine.json()["event"]["id"] == event.pk
    assert theirs.status_code == malformed.status_code == 404
