"""POST /api/v1/telemetry/gates (HMAC-signed by the device) and GET /api/v1/venues/{id}/occupancy."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from sportsplatform.telemetry.domain import auth
from sportsplatform.telemetry.domain.devices import disable_device, revoke_credential, rotate_credentials
from sportsplatform.telemetry.models import RejectionCount, VenueOccupancy

from .conftest import GATES_PATH, event, make_gate, post_events

pytestmark = pytest.mark.django_db


def rejections(reason: str) -> int:
    return sum(RejectionCount.objects.filter(reason=reason).values_list("count", flat=True))


def test_signed_batch_is_accepted(client, gate):
    response = post_events(client, gate, [event("in", count=2), event("out")])

    assert response.status_code == 202
    assert response.json() == {"accepted": 2, "duplicates": 0, "rejected": []}
    assert VenueOccupancy.objects.get(venue=gate.venue).current == 1


def test_same_batch_twice_counts_once(client, gate):
    events = [event("in", id="a1"), event("in", id="a2")]
    post_events(client, gate, events)
    response = post_events(client, gate, events)

    assert response.json() == {"accepted": 0, "duplicates": 2, "rejected": []}
    assert VenueOccupancy.objects.get(venue=gate.venue).today_in == 2


def test_bad_signature_is_refused_and_counted(client, gate):
    response = post_events(client, gate, [event("in")], secret="not-the-secret")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    assert "WWW-Authenticate" in response
    assert not VenueOccupancy.objects.filter(venue=gate.venue).exists()
    assert RejectionCount.objects.get(reason="bad_signature").key_id == gate.key_id


def test_body_changed_after_signing_is_refused(client, gate):
    body = json.dumps({"events": [event("in")]}).encode()
    headers = auth.http_headers(key_id=gate.key_id, secret=gate.secret, body=body)
    tampered = body.replace(b'"count": 1', b'"count": 9')
    response = client.post(
        GATES_PATH,
        data=tampered,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"


def test_unsigned_request_is_refused(client, gate):
    response = client.post(GATES_PATH, data={"events": [event("in")]}, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert rejections("missing_signature") == 1


def test_unknown_key_is_refused(client, gate):
    response = post_events(client, gate, [event("in")], key_id="dk_nobody")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unknown_key"


def test_old_timestamp_is_refused(client, gate):
    body = json.dumps({"events": [event("in")]}).encode()
    headers = auth.http_headers(
        key_id=gate.key_id, secret=gate.secret, body=body, timestamp=int(timezone.now().timestamp()) - 3600
    )
    response = client.post(
        GATES_PATH,
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )
    assert response.json()["error"]["code"] == "stale_timestamp"


def test_revoked_credential_is_refused_at_once(client, gate):
    assert post_events(client, gate, [event("in")]).status_code == 202
    revoke_credential(credential=gate.issued.credential, actor=None)

    response = post_events(client, gate, [event("in")])

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "revoked_key"


def test_rotation_keeps_the_old_secret_until_revoked(client, gate):
    new = rotate_credentials(device=gate.device, actor=None)

    assert post_events(client, gate, [event("in")]).status_code == 202
    assert post_events(client, gate, [event("in")], key_id=new.key_id, secret=new.secret).status_code == 202

    rotate_credentials(device=gate.device, actor=None, revoke_old=True)
    assert post_events(client, gate, [event("in")], key_id=new.key_id, secret=new.secret).status_code == 401


def test_disabled_device_is_refused(client, gate):
    disable_device(device=gate.device, actor=None)
    response = post_events(client, gate, [event("in")])
    assert response.json()["error"]["code"] == "device_disabled"


def test_event_for_another_venues_gate_is_rejected_and_counted(client, gate):
    other = make_gate()
    response = post_events(client, gate, [event("in", venue=other.venue.pk), event("in")])

    assert response.status_code == 202
    assert response.json()["accepted"] == 1
    assert response.json()["rejected"][0]["reason"] == "wrong_venue"
    assert rejections("wrong_venue") == 1
    assert not VenueOccupancy.objects.filter(venue=other.venue).exists()


def test_malformed_bodies_answer_400_with_the_reason(client, gate):
    for body, code in ((b"{not json", "bad_json"), (b'{"events": []}', "bad_envelope"), (b'"x"', "bad_envelope")):
        headers = auth.http_headers(key_id=gate.key_id, secret=gate.secret, body=body)
        response = client.post(
            GATES_PATH,
            data=body,
            content_type="application/json",
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
        )
        assert (response.status_code, response.json()["error"]["code"]) == (400, code)
    assert rejections("bad_json") == 1 and rejections("bad_envelope") == 2


def test_occupancy_endpoint_answers_the_api_md_fields(client, gate):
    post_events(client, gate, [event("in", count=80), event("out", count=5)])

    data = client.get(f"/api/v1/venues/{gate.venue.pk}/occupancy").json()

    assert {k: data[k] for k in ("current", "capacity", "today_in", "today_out", "level")} == {
        "current": 75, "capacity": 100, "today_in": 80, "today_out": 5, "level": "busy",
    }  # fmt: skip
    assert data["updated_at"]


def test_occupancy_of_a_venue_without_counts_is_zero(client, gate):
    data = client.get(f"/api/v1/venues/{gate.venue.pk}/occupancy").json()
    assert (data["current"], data["updated_at"], data["level"]) == (0, None, "comfortable")


def test_occupancy_of_a_missing_or_unpublished_venue_is_404(client, gate):
    gate.venue.is_published = False
    gate.venue.save()
    assert client.get(f"/api/v1/venues/{gate.venue.pk}/occupancy").status_code == 404
    assert client.get("/api/v1/venues/999999/occupancy").status_code == 404


def test_venue_list_and_detail_carry_occupancy(client, gate):
    post_events(client, gate, [event("in", count=100)])

    listed = client.get("/api/v1/venues").json()["results"][0]["occupancy"]
    detail = client.get(f"/api/v1/venues/{gate.venue.pk}").json()["occupancy"]

    assert listed["current"] == detail["current"] == 100
    assert listed["level"] == "full"


def test_venue_list_occupancy_has_no_n_plus_one(client, db):
    from tests.support.queries import assert_same_query_count
    from tests.venues.factories import make_venue

    def make_venues(n):
        for _ in range(n):
            venue = make_venue(capacity=50)
            VenueOccupancy.objects.create(
                venue=venue, day=timezone.localdate(), today_in=3, current=3, updated_at=timezone.now()
            )

    assert_same_query_count(client, "/api/v1/venues?page_size=50", make_venues)


def test_late_event_over_http_reaches_yesterday_only(client, gate):
    response = post_events(client, gate, [event("in", at=timezone.now() - timedelta(hours=30))])
    assert response.json()["accepted"] == 1
    data = client.get(f"/api/v1/venues/{gate.venue.pk}/occupancy").json()
    assert data["today_in"] == 0
