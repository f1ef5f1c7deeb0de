"""Separate client processes race over HTTP: POST /api/v1/bookings with bearer tokens against the
live server (pytest-django's live_server, a threaded WSGI server with a connection per request
thread). Losers get 409 slot_taken; the database shows nothing oversold."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from django.db.models import Sum

from sportsplatform.accounts.domain.tokens import issue_token
from sportsplatform.booking.models import BookingItem, BookingItemStatus, Slot
from sportsplatform.orders.models import Order
from tests.booking.factories import make_bookable_venue, make_slot
from tests.venues.factories import make_court

pytestmark = pytest.mark.django_db(transaction=True)

PROCESSES = 12

# One client: wait for the common start instant, send its bookings one after the other, print
# one JSON line per answer.
CLIENT = """
import json, sys, time, urllib.request, urllib.error
url, key, start_at, bodies = sys.argv[1], sys.argv[2], float(sys.argv[3]), json.loads(sys.argv[4])
time.sleep(max(0.0, start_at - time.time()))
for body in bodies:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": "Bearer " + key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, payload = response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        status, payload = exc.code, json.loads(exc.read())
    print(json.dumps({"status": status, "body": payload, "slots": body["slot_ids"]}), flush=True)
"""


def test_client_processes_race_over_http(live_server, make_users):
    venue, slots = make_bookable_venue(courts=1, slots_per_court=1)
    court_slot = slots[0]
    pool = make_court(venue, name="泳池", sport="swimming", kind="session", capacity=5)
    session = make_slot(pool, start=court_slot.start, capacity=5, price="30.00")
    users = make_users(PROCESSES)
    keys = [issue_token(user=user, name="race")[1] for user in users]
    url = f"{live_server.url}/api/v1/bookings"
    bodies = json.dumps([{"slot_ids": [court_slot.pk]}, {"slot_ids": [session.pk]}])
    # Python starts in about 0.1 s: give every process time to be waiting at the line.
    start_at = time.time() + 2.0

    clients = [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT, url, key, str(start_at), bodies],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for key in keys
    ]
    answers = []
    for client in clients:
        out, err = client.communicate(timeout=120)
        assert client.returncode == 0, err
        answers += [json.loads(line) for line in out.splitlines()]

    assert len(answers) == 2 * PROCESSES
    court = [a for a in answers if a["slots"] == [court_slot.pk]]
    pool_answers = [a for a in answers if a["slots"] == [session.pk]]
    assert sorted(a["status"] for a in court) == [201] + [409] * (PROCESSES - 1)
    assert sorted(a["status"] for a in pool_answers) == [201] * 5 + [409] * (PROCESSES - 5)
    for answer in answers:
        if answer["status"] == 409:
            assert answer["body"]["error"]["code"] == "slot_taken"
        else:
            assert answer["body"]["order"]["status"] == "pending_payment"

    # The database agrees: one court booking, five places, nothing else held.
    assert Order.objects.count() == 6
    active = BookingItem.objects.exclude(status=BookingItemStatus.RELEASED)
    assert active.filter(slot=court_slot).count() == 1
    assert active.filter(slot=session).aggregate(n=Sum("quantity"))["n"] == 5
    assert Slot.objects.get(pk=court_slot.pk).taken == 1
    assert Slot.objects.get(pk=session.pk).taken == 5
    ordered = {a["body"]["order"]["id"] for a in answers if a["status"] == 201}
    assert set(Order.objects.values_list("pk", flat=True)) == ordered
