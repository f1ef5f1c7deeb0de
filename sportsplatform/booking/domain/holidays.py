"""The holiday calendar (HolidayDate): public holidays and the weekend days made working days
(调休), as the State Council publishes them each November or December for the next year.

The chinesecalendar package carries the published years (it raises NotImplementedError for a year
it does not know yet); `sync_holidays` copies what it knows into HolidayDate, and the back office
enters later years by hand until the package catches up. Prices read only HolidayDate."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from sportsplatform.core import audit

from ..models import HolidayDate

# chinesecalendar names its holidays in English.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _chinese_name(name: str) -> str:
    return HOLIDAY_NAMES.get(name, name)


def known_calendar(years: Iterable[int]) -> tuple[dict[date, tuple[bool, str]], list[int]]:
    """{date: (is_holiday, name)} for the `years` chinesecalendar knows, and the years it does not.
    Only holidays on weekdays and working days on weekends matter to prices, but every listed
    holiday is kept (a holiday on a Saturday still reads as a holiday)."""
    import chinese_calendar
    from chinese_calendar.constants import holidays, workdays

    days: dict[date, tuple[bool, str]] = {}
    unknown = []
    for year in sorted(set(years)):
        try:
            # Raises NotImplementedError for a year whose notice the package does not carry yet.
            chinese_calendar.is_holiday(date(year, 6, 1))
        except NotImplementedError:
            unknown.append(year)
            continue
        for day, name in holidays.items():
            if day.year == year:
                days[day] = (True, _chinese_name(str(getattr(name, "value", name))))
        for day, name in workdays.items():
            if day.year == year:
                days[day] = (False, _chinese_name(str(getattr(name, "value", name))) + "调休")
    return days, unknown


def apply_calendar(model, days: dict[date, tuple[bool, str]]) -> tuple[int, int]:
    """Insert or update `days` in `model` (HolidayDate, or its historical model in a migration).
    Returns (created, updated)."""
    existing = model.objects.in_bulk(list(days))
    created, updated = [], []
    for day, (is_holiday, name) in sorted(days.items()):
        row = existing.get(day)
        if row is None:
            created.append(model(date=day, is_holiday=is_holiday, name=name))
        elif (row.is_holiday, row.name) != (is_holiday, name):
            row.is_holiday, row.name = is_holiday, name
            updated.append(row)
    model.objects.bulk_create(created)
    model.objects.bulk_update(updated, ["is_holiday", "name"])
    return len(created), len(updated)


def sync_holidays(*, years: Iterable[int], actor=None) -> dict:
    """Refresh HolidayDate for `years` from chinesecalendar. Days entered by hand for years the
    package does not know are left alone. Returns {"created", "updated", "unknown_years"}."""
    days, unknown = known_calendar(years)
    with transaction.atomic():
        created, updated = apply_calendar(HolidayDate, days)
        audit.record(
            action="booking.holidays.synced",
            actor=actor,
            years=sorted(set(years)),
            created=created,
            updated=updated,
            unknown_years=unknown,
        )
    if created or updated:
        transaction.on_commit(reprice_after_calendar_change)
    return {"created": created, "updated": updated, "unknown_years": unknown}


def reprice_after_calendar_change() -> None:
    from ..tasks import regenerate_all_task

    regenerate_all_task.delay()
