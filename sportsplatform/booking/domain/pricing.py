"""Slot prices: the court's standard hourly price, overridden by the most specific price rule.

Specificity: a rule for the court beats a rule for the whole venue; among those, a holiday rule
beats a weekend rule beats a working-day rule beats an every-day rule. Day kinds follow the
State Council's holiday calendar (HolidayDate): a holiday is a holiday even on a weekday, and a
make-up working day (调休) on a weekend is a working day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from ..models import DayKind, HolidayDate, PriceRule

CENT = Decimal("0.01")
_SPECIFICITY = {DayKind.HOLIDAY: 3, DayKind.WEEKEND: 2, DayKind.WEEKDAY: 1, DayKind.ANY: 0}


def day_kinds(days: Iterable[date]) -> dict[date, str]:
    """Day kind of each date, in one query."""
    days = list(days)
    calendar = {h.date: h.is_holiday for h in HolidayDate.objects.filter(date__in=days)}
    kinds = {}
    for day in days:
        if day in calendar:
            kinds[day] = DayKind.HOLIDAY if calendar[day] else DayKind.WEEKDAY
        else:
            kinds[day] = DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WEEKDAY
    return kinds


def _applies(rule: PriceRule, court_id: int, kind: str, start: time) -> bool:
    if rule.court_id not in (None, court_id):
        return False
    if rule.day_kind != DayKind.ANY and rule.day_kind != kind:
        # A holiday that falls on a weekend still takes weekend prices when no holiday rule exists.
        return False
    return rule.starts <= start < rule.ends


def slot_price(*, court, start: datetime, end: datetime, kind: str, rules: list[PriceRule]) -> tuple[Decimal, Decimal]:
    """(price, member price) of one slot of `court`."""
    local_start = start.time()
    candidates = [rule for rule in rules if _applies(rule, court.pk, kind, local_start)]
    if kind == DayKind.HOLIDAY and not any(r.day_kind == DayKind.HOLIDAY for r in candidates):
        weekend_kind = DayKind.WEEKEND if start.date().weekday() >= 5 else DayKind.WEEKDAY
        candidates += [r for r in rules if _applies(r, court.pk, weekend_kind, local_start)]
    if candidates:
        best = max(candidates, key=lambda r: (r.court_id is not None, _SPECIFICITY[r.day_kind], r.starts))
        price = best.price
        member = best.member_price if best.member_price is not None else best.price
        return price, min(member, price)
    hours = Decimal((end - start).total_seconds()) / Decimal(3600)
    price = (court.price_per_hour * hours).quantize(CENT, rounding=ROUND_HALF_UP)
    return price, price
