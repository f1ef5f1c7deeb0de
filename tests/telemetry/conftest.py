"""Telemetry test data: a venue with gates and credentials, and helpers that sign and send
events the way a device does (telemetry.domain.auth's own signing functions)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import pytest
from django.utils import timezone

from sportsplatform.telemetry.domain import auth, live
from sportsplatform.telemetry.domain.devices import IssuedCredential, register_device
from sportsplatform.telemetry.models import DeviceKind
from tests.support.accounts import ensure_regions
from tests.venues.factories import make_venue

GATES_PATH = "/api/v1/telemetry/gates"


@dataclass
class Gate:
    venue: object
    device: object
    issued: IssuedCredential

    @property
    def key_id(self) -> str:
        return self.issued.key_id

    @property
    def secret(self) -> str:
        return self.issued.secret


def make_gate(venue=None, *, code: str = "G1", kind: str = DeviceKind.GATE, **venue_fields) -> Gate:
    if venue is None:
        ensure_regions()
        venue = make_venue(**{"capacity": 100, **venue_fields})
    device, issued = register_device(venue=venue, kind=kind, code=code, actor=None)
    return Gate(venue=venue, device=device, issued=issued)


def event(direction="in", *, at: datetime | str | None = None, count=1, gate="G1", **extra) -> dict:
    """One event as a device sends it; `at` defaults to now, a string is sent as it is."""
    at = at or timezone.now()
    return {
        "gate": gate,
        "direction": direction,
        "count": count,
        "at": at if isinstance(at, str) else at.isoformat(),
        **extra,
    }


def post_events(client, gate: Gate, events, *, secret: str | None = None, key_id: str | None = None, **headers):
    body = json.dumps({"events": events}).encode()
    signed = auth.http_headers(key_id=key_id or gate.key_id, secret=secret or gate.secret, body=body)
    signed.update(headers)
    return client.post(
        GATES_PATH,
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.items()},
    )


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Credentials, gates and venue facts are remembered per process; tests start clean."""
    auth.forget_everything()
    live.forget_venue_facts()
    yield
    auth.forget_everything()
    live.forget_venue_facts()


@pytest.fixture
def gate(db) -> Gate:
    return make_gate()
