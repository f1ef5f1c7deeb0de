"""A model of how many people go in and out of a venue, per venue type: daily visitors scale
with capacity, weekday or weekend, season and public holidays; within a day they follow the type's
curve (gyms before and after work, parks at dawn and dusk, pools in the afternoon) inside the
venue's opening hours, and people stay for the type's typical time.

Pure and deterministic for a given random generator: the demo history (telemetry.demo) and the
device simulator (`manage.py simulate_devices`) both use it, so the live figures continue the
history the screen shows."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, time

# (hour centre, width in hours, weight) bumps of the day's arrival curve.
Bumps = tuple[tuple[float, float, float], ...]


@dataclass(frozen=True)
class TypeProfile:
    weekday: Bumps
    weekend: Bumps
    weekend_factor: float  # weekend visitors relative to a weekday
    turnover: float  # daily visitors per place of capacity on a weekday
    stay_hours: float  # typical time inside
    summer_factor: float = 1.0  # July and August


PROFILES: dict[str, TypeProfile] = {
    "gym": TypeProfile(
        weekday=((7.5, 1.0, 0.7), (12.5, 1.0, 0.4), (19.5, 1.6, 1.5)),
        weekend=((10.5, 2.0, 1.0), (16.5, 2.5, 1.0)),
        weekend_factor=0.85,
        turnover=2.2,
        stay_hours=1.3,
    ),
    "natatorium": TypeProfile(
        weekday=((7.0, 1.0, 0.5), (15.0, 2.5, 0.8), (19.5, 1.5, 1.0)),
        weekend=((10.5, 2.0, 1.0), (15.5, 2.5, 1.3)),
        weekend_factor=1.5,
        turnover=1.6,
        stay_hours=1.6,
        summer_factor=1.8,
    ),
    "stadium": TypeProfile(
        weekday=((8.0, 1.5, 0.6), (19.5, 2.0, 1.0)),
        weekend=((9.5, 2.5, 1.0), (16.5, 3.0, 1.1)),
        weekend_factor=1.7,
        turnover=0.35,
        stay_hours=1.8,
    ),
    "gymnasium": TypeProfile(
        weekday=((9.0, 1.5, 0.4), (15.5, 2.0, 0.6), (19.5, 1.6, 1.2)),
        weekend=((10.0, 2.5, 1.0), (15.5, 3.0, 1.1)),
        weekend_factor=1.6,
        turnover=1.1,
        stay_hours=1.7,
    ),
    "fitness_centre": TypeProfile(
        weekday=((7.0, 1.3, 1.0), (10.0, 1.5, 0.5), (19.5, 1.6, 1.1)),
        weekend=((8.5, 2.0, 1.0), (16.0, 3.0, 0.9)),
        weekend_factor=1.4,
        turnover=1.4,
        stay_hours=1.4,
    ),
    "sports_park": TypeProfile(
        weekday=((6.8, 1.2, 1.0), (19.8, 1.6, 1.3)),
        weekend=((8.0, 2.0, 1.0), (16.5, 3.0, 1.2)),
        weekend_factor=1.9,
        turnover=1.8,
        stay_hours=1.1,
        summer_factor=1.15,
    ),
    "school": TypeProfile(
        weekday=((19.0, 1.2, 1.0),),
        weekend=((9.5, 2.0, 1.0), (16.0, 2.5, 1.1)),
        weekend_factor=2.2,
        turnover=0.9,
        stay_hours=1.5,
    ),
    "other": TypeProfile(
        weekday=((10.0, 2.5, 0.7), (19.0, 2.0, 1.0)),
        weekend=((10.0, 2.5, 1.0), (16.0, 3.0, 1.0)),
        weekend_factor=1.4,
        turnover=1.0,
        stay_hours=1.4,
    ),
}
DEFAULT_CAPACITY = 150

# Fixed-date public holidays (month, day): busier; the Spring Festival eve and day are quiet.
BUSY_HOLIDAYS = {(1, 1), (5, 1), (5, 2), (5, 3), (10, 1), (10, 2), (10, 3), (10, 4), (10, 5)}


def profile_for(venue_type: str) -> TypeProfile:
    return PROFILES.get(venue_type, PROFILES["other"])


def day_factor(venue_type: str, day: date) -> float:
    """Visitors on `day` relative to an ordinary weekday."""
    profile = profile_for(venue_type)
    factor = profile.weekend_factor if day.weekday() >= 5 else 1.0
    if day.month in (7, 8):
        factor *= profile.summer_factor
    if day.month in (1, 2) and profile.summer_factor > 1.2:
        factor *= 0.6  # unheated pools in winter
    if (day.month, day.day) in BUSY_HOLIDAYS:
        factor *= 1.3
    return factor


def daily_visitors(*, venue_type: str, capacity: int | None, day: date) -> float:
    profile = profile_for(venue_type)
    return (capacity or DEFAULT_CAPACITY) * profile.turnover * day_factor(venue_type, day)


def _bump_weight(bumps: Bumps, hour: float) -> float:
    return sum(w * math.exp(-0.5 * ((hour - c) / s) ** 2) for c, s, w in bumps) + 0.05


def _open_fraction(intervals: list[tuple[time, time]], start_min: int, end_min: int) -> float:
    """Share of [start_min, end_min) (minutes of the day) the venue is open."""
    total = 0
    for opens, closes in intervals:
        lo = max(start_min, opens.hour * 60 + opens.minute)
        hi = min(end_min, closes.hour * 60 + closes.minute)
        total += max(0, hi - lo)
    return total / (end_min - start_min)


@dataclass(frozen=True)
class DayShape:
    """Shares of the day's visitors per step (entries, exits, people inside at the step's end),
    for steps of `step_minutes`. Scale by the day's visitors to get counts."""

    step_minutes: int
    entries: tuple[float, ...]
    exits: tuple[float, ...]
    inside: tuple[float, ...]


def day_shape(
    *, venue_type: str, weekend: bool, intervals: list[tuple[time, time]], step_minutes: int = 60
) -> DayShape:
    """Arrivals follow the type's curve inside opening hours; each step a share of the people
    inside leave (exponential stay); everyone leaves by closing time."""
    profile = profile_for(venue_type)
    bumps = profile.weekend if weekend else profile.weekday
    steps = 24 * 60 // step_minutes
    weights = []
    for i in range(steps):
        start, end = i * step_minutes, (i + 1) * step_minutes
        open_share = _open_fraction(intervals, start, end)
        weights.append(_bump_weight(bumps, (start + end) / 120) * open_share if open_share else 0.0)
    total = sum(weights)
    if not total:
        zero = (0.0,) * steps
        return DayShape(step_minutes, zero, zero, zero)
    entries = [w / total for w in weights]
    leave = 1 - math.exp(-(step_minutes / 60) / profile.stay_hours)
    exits, inside = [], []
    now_inside = 0.0
    last_open = max(i for i, w in enumerate(weights) if w)
    for i, arriving in enumerate(entries):
        going = (now_inside + arriving / 2) * leave
        if i >= last_open or (weights[i] and i + 1 < steps and not weights[i + 1]):
            going = now_inside + arriving  # closing (or a break): everybody out
        going = min(going, now_inside + arriving)
        now_inside += arriving - going
        exits.append(going)
        inside.append(now_inside)
    return DayShape(step_minutes, tuple(entries), tuple(exits), tuple(inside))


def arrivals_per_minute(*, venue_type: str, capacity: int | None, intervals, at_hour: float, day: date) -> float:
    """Expected arrivals per minute at `at_hour` (local, fractional) on `day`: the simulator's rate."""
    shape = day_shape(venue_type=venue_type, weekend=day.weekday() >= 5, intervals=intervals, step_minutes=15)
    step = min(int(at_hour * 4), len(shape.entries) - 1)
    return daily_visitors(venue_type=venue_type, capacity=capacity, day=day) * shape.entries[step] / 15


def leave_probability_per_minute(venue_type: str) -> float:
    return 1 - math.exp(-1 / (60 * profile_for(venue_type).stay_hours))


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth for small means, a rounded normal for large ones)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
