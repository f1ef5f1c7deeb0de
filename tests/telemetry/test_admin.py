"""The devices back office: each user sees the devices and figures of their scope; registering a
device and rotating its secret show the secret once; revoking and disabling take effect."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from sportsplatform.telemetry.domain.auth import identity_for
from sportsplatform.telemetry.domain.rejections import Rejected, record_rejections
from sportsplatform.telemetry.models import Device, DeviceCredential, DeviceStatus, RejectionCount, VenueOccupancy
from tests.backoffice.conftest import as_user, change_form_data, world  # noqa: F401  (fixtures)
from tests.support.queries import assert_same_query_count
from tests.venues.factories import make_venue

from .conftest import make_gate

DEVICES = "/admin/telemetry/device/"


@pytest.fixture
def gates(world):
    return {
        "wuhou": make_gate(make_venue(name="武侯馆", operator=world.orgs["op_wuhou"])),
        "jinjiang": make_gate(
            make_venue(name="锦江馆", region="510104", lat="30.62", lng="104.10", operator=world.orgs["op_jinjiang"])
        ),
        "fucheng": make_gate(make_venue(name="涪城馆", region="510703", lat="31.46", lng="104.74")),
    }


def shown(response, gates) -> set[str]:
    body = response.content.decode()
    return {key for key, gate in gates.items() if gate.venue.name in body}


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("admin", {"wuhou", "jinjiang", "fucheng"}),
        ("chengdu", {"wuhou", "jinjiang"}),
        ("wuhou", {"wuhou"}),
        ("wuhou_operator", {"wuhou"}),
    ],
)
def test_device_list_follows_the_scope(world, gates, as_user, user, expected):
    response = as_user(world.users[user]).get(DEVICES)
    assert response.status_code == 200
    assert shown(response, gates) == expected


def test_out_of_scope_device_answers_like_a_missing_one(world, gates, as_user):
    client = as_user(world.users["wuhou_operator"])
    response = client.get(f"{DEVICES}{gates['fucheng'].device.pk}/change/", follow=True)
    assert gates["fucheng"].venue.name not in response.content.decode()


def test_registering_a_device_shows_its_secret_once(world, gates, as_user):
    client = as_user(world.users["wuhou_operator"])
    response = client.post(
        f"{DEVICES}add/", {"venue": gates["wuhou"].venue.pk, "kind": "gate", "code": "G2", "name": "东门"}
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    device = Device.objects.get(venue=gates["wuhou"].venue, code="G2")
    credential = device.credentials.get()
    secret = response.context["issued"][0]["secret"]
    assert identity_for(credential.key_id).secret == secret.encode()
    assert secret not in credential.secret_encrypted
    assert LogEntry.objects.filter(additional_data__action="telemetry.device.registered").exists()
    # The change page never shows it again.
    assert secret not in client.get(f"{DEVICES}{device.pk}/change/").content.decode()


def test_operator_cannot_register_a_device_at_another_venue(world, gates, as_user):
    client = as_user(world.users["wuhou_operator"])
    response = client.post(f"{DEVICES}add/", {"venue": gates["fucheng"].venue.pk, "kind": "gate", "code": "G2"})
    assert not Device.objects.filter(venue=gates["fucheng"].venue, code="G2").exists()
    assert response.status_code == 200 and "venue" in response.context["adminform"].form.errors


def test_duplicate_code_is_a_field_error(world, gates, as_user):
    client = as_user(world.users["wuhou_operator"])
    response = client.post(f"{DEVICES}add/", {"venue": gates["wuhou"].venue.pk, "kind": "gate", "code": "G1"})
    assert "code" in response.context["adminform"].form.errors


def test_rotate_action_shows_new_secrets_and_keeps_the_old_valid(world, gates, as_user):
    gate = gates["wuhou"]
    client = as_user(world.users["wuhou_operator"])
    response = client.post(DEVICES, {"action": "rotate_secret", "_selected_action": [gate.device.pk]})

    assert response.status_code == 200
    issued = response.context["issued"]
    assert [row["device"].pk for row in issued] == [gate.device.pk]
    assert DeviceCredential.objects.filter(device=gate.device, revoked_at__isnull=True).count() == 2


def test_rotate_and_revoke_old(world, gates, as_user):
    gate = gates["wuhou"]
    client = as_user(world.users["wuhou_operator"])
    client.post(DEVICES, {"action": "rotate_secret_and_revoke_old", "_selected_action": [gate.device.pk]})
    assert identity_for(gate.key_id).revoked
    assert LogEntry.objects.filter(additional_data__action="telemetry.credential.revoked").exists()


def test_revoke_credentials_action(world, gates, as_user):
    gate = gates["wuhou"]
    client = as_user(world.users["wuhou_operator"])
    client.post(
        "/admin/telemetry/devicecredential/",
        {"action": "revoke_selected", "_selected_action": [gate.issued.credential.pk]},
    )
    assert DeviceCredential.objects.get(pk=gate.issued.credential.pk).revoked_at is not None


def test_disable_action_scoped(world, gates, as_user):
    client = as_user(world.users["wuhou_operator"])
    client.post(
        DEVICES,
        {"action": "disable_selected", "_selected_action": [gates["wuhou"].device.pk, gates["fucheng"].device.pk]},
    )
    statuses = dict(Device.objects.values_list("venue__name", "status"))
    assert statuses["武侯馆"] == DeviceStatus.DISABLED
    assert statuses["涪城馆"] != DeviceStatus.DISABLED


def test_figures_are_read_only_and_scoped(world, gates, as_user):
    for gate in gates.values():
        VenueOccupancy.objects.create(
            venue=gate.venue, day=timezone.localdate(), today_in=5, current=5, updated_at=timezone.now()
        )
    record_rejections(
        channel="http",
        items=[Rejected("bad_signature", key_id=gates["fucheng"].key_id, venue_id=gates["fucheng"].venue.pk)],
    )
    client = as_user(world.users["wuhou_operator"])

    occupancy = client.get("/admin/telemetry/venueoccupancy/")
    rejections = client.get("/admin/telemetry/rejectioncount/")

    assert shown(occupancy, gates) == {"wuhou"}
    assert "bad_signature" not in rejections.content.decode()
    assert client.get("/admin/telemetry/venueoccupancy/add/").status_code == 403
    admin_view = as_user(world.users["admin"]).get("/admin/telemetry/rejectioncount/")
    assert "bad_signature" in admin_view.content.decode()
    assert RejectionCount.objects.count() == 1


def test_device_list_has_no_n_plus_one(world, as_user):
    client = as_user(world.users["admin"])

    def make_rows(n):
        for _ in range(n):
            make_gate(make_venue())

    assert_same_query_count(client, DEVICES, make_rows)


def test_editing_a_device_goes_through_the_domain_and_is_audited(world, gates, as_user):
    gate = gates["wuhou"]
    client = as_user(world.users["wuhou_operator"])
    url = f"{DEVICES}{gate.device.pk}/change/"
    response = client.post(url, change_form_data(client.get(url), kind="face_gate", name="北门"))

    assert response.status_code == 302
    gate.device.refresh_from_db()
    assert (gate.device.kind, gate.device.name) == ("face_gate", "北门")
    entry = LogEntry.objects.filter(additional_data__action="telemetry.device.changed").get()
    assert entry.changes == {"kind": ["gate", "face_gate"], "name": ["", "北门"]}


def test_history_and_raw_event_pages_load(world, gates, as_user):
    from sportsplatform.telemetry.domain.auth import identity_for
    from sportsplatform.telemetry.domain.ingest import ingest_one

    from .conftest import event

    ingest_one(identity=identity_for(gates["wuhou"].key_id), events=[event("in", count=3)], channel="http")
    client = as_user(world.users["wuhou_operator"])
    for url in ("/admin/telemetry/trafficrollup/", "/admin/telemetry/gateevent/", "/admin/telemetry/devicecredential/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "武侯馆" in response.content.decode(), url


def test_silent_devices_are_marked_offline(gates):
    from datetime import timedelta

    from sportsplatform.telemetry.domain.devices import mark_silent_devices_offline

    device = gates["wuhou"].device
    Device.objects.filter(pk=device.pk).update(
        status=DeviceStatus.ONLINE, last_seen_at=timezone.now() - timedelta(hours=1)
    )
    Device.objects.filter(pk=gates["jinjiang"].device.pk).update(
        status=DeviceStatus.ONLINE, last_seen_at=timezone.now()
    )

    assert mark_silent_devices_offline() == 1
    assert Device.objects.get(pk=device.pk).status == DeviceStatus.OFFLINE
