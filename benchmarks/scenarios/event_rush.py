"""The sign-up rush: a popular road race opens registration and thousands of people sign up at
once for a few thousand places, the rest landing on the waiting list.

`make bench SCENARIO=event-rush` (PostgreSQL `bench_event-rush`, `make serve`, Redis as cache):

1. one published event with GROUPS entry groups (default 3: 10 km, half, full) sharing PLACES
   places (default 1,500), an entry fee (so every place gets an order awaiting payment) and a
   required ID-number question (every answer is checked by its checksum and the group's ages);
2. USERS people (default 5,000) with bearer tokens; each signs up once for a group chosen by
   popularity, and one in ten sends the same sign-up a second time (a double tap: 409
   `already_registered`);
3. POST /api/v1/events/{id}/registrations from CONCURRENCY clients (default 64);
4. the database is checked afterwards: places taken never exceed a group's quota, each group's
   `taken` equals its sign-ups holding a place, every such sign-up has exactly one order, nobody
   holds two active sign-ups.

Figures: the JSON line adds holders, waitlisted, duplicates_refused, oversold, taken_mismatch,
orderless, double_signups."""

from __future__ import annotations

import os
import random
import secrets
from datetime import timedelta
from decimal import Decimal

from benchmarks.loadgen import Request

NAME = "event-rush"
DESCRIPTION = "sign-up rush: thousands POST /api/v1/events/{id}/registrations for a race's places"
DEFAULTS = {"requests": 5500, "concurrency": 64, "duration": 240}
READY_PATH = "/api/v1/regions"
SERVER_ENV = {"CELERY_TASK_ALWAYS_EAGER": "1"}
SEED = 20261121
GROUPS = [("10公里", 0.5, 3), ("半程马拉松", 0.3, 2), ("全程马拉松", 0.2, 1)]  # name, share of places, popularity


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def prepare(database_url: str) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from sportsplatform.accounts.models import ApiToken, Organisation, OrganisationKind, User
    from sportsplatform.approvals.models import ApprovalStatus
    from sportsplatform.core.idnumbers import check_character
    from sportsplatform.events.models import Event, EventGroup, FieldKind, RegistrationField
    from sportsplatform.venues.models import Sport

    places = _env_int("PLACES", 1500)
    users = _env_int("USERS", 5000)
    now = timezone.now()
    organiser = Organisation.objects.create(
        name="成都市田径协会（压测）", kind=OrganisationKind.INSTITUTION, region_id="510107"
    )
    starts = now + timedelta(days=30)

    def make_event(title: str) -> Event:
        return Event.objects.create(
            title=title,
            sport=Sport.objects.get(code="athletics"),
            organiser=organiser,
            region_id="510107",
            location="天府广场",
            starts_at=starts,
            ends_at=starts + timedelta(hours=6),
            registration_opens_at=now - timedelta(minutes=5),
            registration_closes_at=starts - timedelta(days=3),
            fee=Decimal("80.00"),
            contact_name="赛事组委会",
            contact_phone="02888888888",
            status=ApprovalStatus.APPROVED,
            submitted_at=now,
            decided_at=now,
        )

    event, warm_event = make_event("成都城市马拉松（压测）"), make_event("预热赛（压测）")
    groups = []
    for position, (name, share, popularity) in enumerate(GROUPS):
        group = EventGroup.objects.create(
            event=event, name=name, quota=max(int(places * share), 1), position=position, min_age=16
        )
        groups.append((group.pk, popularity))
    warm_group = EventGroup.objects.create(event=warm_event, name="公开组", quota=20, min_age=16)
    for e in (event, warm_event):
        RegistrationField.objects.create(event=e, key="id_number", label="身份证号", kind=FieldKind.ID_NUMBER)

    password = make_password(None)
    people = User.objects.bulk_create(
        (User(username=f"runner{n:05d}", phone=f"137{n:08d}", password=password) for n in range(users + 40)),
        batch_size=1000,
    )
    keys = [secrets.token_urlsafe(32) for _ in people]
    ApiToken.objects.bulk_create(
        (
            ApiToken(user=u, key_hash=ApiToken.hash_key(k), name="bench", expires_at=now + timedelta(days=30))
            for u, k in zip(people, keys, strict=True)
        ),
        batch_size=1000,
    )
    rng = random.Random(SEED)

    def id_number() -> str:
        first17 = (
            f"510107{rng.randint(1960, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        )
        return first17 + check_character(first17)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "event": event.pk,
        "groups": groups,
        "warm_event": warm_event.pk,
        "warm_group": warm_group.pk,
        "people": [(k, id_number()) for k in keys[:users]],
        "warm_people": [(k, id_number()) for k in keys[users:]],
        "places": sum(EventGroup.objects.filter(event=event).values_list("quota", flat=True)),
    }


def _signup(event: int, group: int, key: str, id_number: str, n: int, label: str) -> Request:
    return Request(
        f"/api/v1/events/{event}/registrations",
        method="POST",
        label=label,
        json={"group": group, "participant_name": f"跑者{n}", "answers": {"id_number": id_number}},
        headers={"Authorization": f"Bearer {key}"},
        # 201: a place or the waiting list; 409: the double tap (already_registered).
        expect=(201, 409),
    )


def requests(prepared: dict):
    rng = random.Random(SEED + 1)
    groups = prepared["groups"]
    weights = [popularity for _pk, popularity in groups]
    stream = []
    for n, (key, id_number) in enumerate(prepared["people"]):
        group = rng.choices(groups, weights=weights)[0][0]
        stream.append(_signup(prepared["event"], group, key, id_number, n, "signup"))
        if rng.random() < 0.1:
            stream.append(_signup(prepared["event"], group, key, id_number, n, "double-tap"))
    return iter(stream)


def warmup(prepared: dict) -> list:
    return [
        _signup(prepared["warm_event"], prepared["warm_group"], key, id_number, n, "warm")
        for n, (key, id_number) in enumerate(prepared["warm_people"])
    ]


def figures(result, prepared: dict) -> dict:
    """Read the database after the run (Django is set up on the benchmark database here)."""
    from collections import Counter

    from django.db.models import Count, F, Q

    from sportsplatform.core.signups import ACTIVE, HOLDS_PLACE, SignupStatus
    from sportsplatform.events.models import EventGroup, Registration

    regs = Registration.objects.filter(event_id=prepared["event"])
    groups = EventGroup.objects.filter(event_id=prepared["event"]).annotate(
        holding=Count("registrations", filter=Q(registrations__status__in=HOLDS_PLACE))
    )
    statuses = Counter(s.status for s in result.samples if s.label in ("signup", "double-tap"))
    return {
        "places": prepared["places"],
        "signups_201": statuses.get(201, 0),
        "duplicates_refused": statuses.get(409, 0),
        "holders": regs.filter(status__in=HOLDS_PLACE).count(),
        "waitlisted": regs.filter(status=SignupStatus.WAITLISTED).count(),
        "oversold": groups.filter(taken__gt=F("quota")).count(),
        "taken_mismatch": groups.exclude(taken=F("holding")).count(),
        "orderless": regs.filter(status__in=HOLDS_PLACE, order__isnull=True).count(),
        "double_signups": regs.filter(status__in=ACTIVE).values("user").annotate(n=Count("id")).filter(n__gt=1).count(),
    }
