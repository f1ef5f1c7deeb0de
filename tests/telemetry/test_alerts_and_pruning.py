"""The over-capacity alert (once per crossing) and pruning raw events (rollups are kept)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from sportsplatform.accounts.domain.users import create_user, grant_membership
from sportsplatform.notifications.models import Notification
from sportsplatform.telemetry.domain.auth import identity_for
from sportsplatform.telemetry.domain.ingest import ingest_one
from sportsplatform.telemetry.domain.pruning import prune_raw_events
from sportsplatform.telemetry.models import GateEvent, Granularity, TrafficRollup
from tests.support.accounts import make_operator

from .conftest import event, make_gate

pytestmark = pytest.mark.django_db


def ingest(gate, events):
    return ingest_one(identity=identity_for(gate.key_id), events=events, channel="http")


@pytest.fixture
def staffed_gate(db):
    operator = make_operator()
    organisation = operator.memberships.get().organisation
    colleague = create_user(username="colleague", password="Sp0rts!Harness", display_name="同事")
    grant_membership(user=colleague, organisation=organisation)
    gate = make_gate(operator=organisation, capacity=10)
    return gate, [operator, colleague]


def test_passing_capacity_alerts_the_operators_staff_once(staffed_gate, django_capture_on_commit_callbacks):
    gate, staff = staffed_gate
    with django_capture_on_commit_callbacks(execute=True):
        ingest(gate, [event("in", count=10)])  # full, not over
    assert not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        ingest(gate, [event("in", count=2)])  # 12 > 10
        ingest(gate, [event("in", count=3)])  # still over: no second alert
    alerts = Notification.objects.filter(kind="telemetry.over_capacity")
    assert sorted(n.user_id for n in alerts) == sorted(u.pk for u in staff)
    assert "15" not in alerts[0].body and "12" in alerts[0].body


def test_alert_again_after_the_venue_calmed_down(staffed_gate, django_capture_on_commit_callbacks):
    gate, staff = staffed_gate
    with django_capture_on_commit_callbacks(execute=True):
        ingest(gate, [event("in", count=11)])
        ingest(gate, [event("out", count=5)])  # 6 < 70 % of 10: calm again
        ingest(gate, [event("in", count=6)])  # 12: over again
    assert Notification.objects.filter(kind="telemetry.over_capacity").count() == 2 * len(staff)


def test_venue_without_capacity_never_alerts(db, django_capture_on_commit_callbacks):
    gate = make_gate(capacity=None)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(gate, [event("in", count=500)])
    assert not Notification.objects.exists()


def test_pruning_deletes_old_raw_events_and_keeps_rollups(gate):
    ingest(gate, [event("in", count=3, id="old", at=timezone.now() - timedelta(hours=40)), event("in", id="new")])
    later = timezone.now() + timedelta(days=1)

    deleted = prune_raw_events(older_than_days=2, now=later)

    assert deleted == 1
    assert list(GateEvent.objects.values_list("event_id", flat=True)) == ["new"]
    assert TrafficRollup.objects.filter(granularity=Granularity.DAY).count() == 2


def test_pruning_keeps_events_a_late_duplicate_could_still_match(gate):
    ingest(gate, [event("in", id="recent", at=timezone.now() - timedelta(hours=30))])
    assert prune_raw_events(older_than_days=1) == 0  # 48 h of late arrival are kept whatever the setting


def test_prune_command(gate, settings):
    settings.TELEMETRY_RAW_RETENTION_DAYS = 30
    ingest(gate, [event("in")])
    GateEvent.objects.update(at=timezone.now() - timedelta(days=40))
    out = io.StringIO()
    call_command("prune_telemetry", stdout=out)
    assert out.getvalue().startswith("1 raw")
    assert not GateEvent.objects.exists()
