"""The holiday calendar: loaded from chinesecalendar by a data migration, refreshed by
`manage.py sync_holidays`, later years entered by hand."""

import importlib
from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from sportsplatform.booking.domain.holidays import known_calendar, sync_holidays
from sportsplatform.booking.models import HolidayDate

pytestmark = pytest.mark.django_db

migration = importlib.import_module("sportsplatform.booking.migrations.0002_holiday_calendar")


def test_migration_loaded_2024_to_2026_with_chinese_names():
    for year in (2024, 2025, 2026):
        assert HolidayDate.objects.filter(date__year=year, is_holiday=True).count() >= 25
        assert HolidayDate.objects.filter(date__year=year, is_holiday=False).exists()  # make-up working days
    assert HolidayDate.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    assert HolidayDate.objects.get(date=date(2025, 1, 26)).name == "春节调休"
    assert not HolidayDate.objects.get(date=date(2025, 1, 26)).is_holiday


def test_migration_is_reversible():
    migration.unload(apps, None)
    assert not HolidayDate.objects.filter(date__year__in=(2024, 2025, 2026)).exists()
    migration.load(apps, None)
    assert HolidayDate.objects.filter(date__year=2026).count() > 30


def test_years_the_package_does_not_know_are_reported_not_invented():
    days, unknown = known_calendar([2026, 2027])
    assert unknown == [2027]
    assert all(d.year == 2026 for d in days)


def test_sync_restores_a_wrong_row_and_keeps_hand_entered_later_years():
    HolidayDate.objects.filter(date=date(2026, 10, 1)).update(is_holiday=False, name="错")
    HolidayDate.objects.create(date=date(2027, 1, 1), is_holiday=True, name="元旦")

    result = sync_holidays(years=[2026, 2027])

    assert result == {"created": 0, "updated": 1, "unknown_years": [2027]}
    assert HolidayDate.objects.get(date=date(2026, 10, 1)).is_holiday
    assert HolidayDate.objects.get(date=date(2027, 1, 1)).name == "元旦"


def test_sync_holidays_command_names_unknown_years():
    HolidayDate.objects.filter(date__year=2025).delete()
    out = StringIO()
    call_command("sync_holidays", "2025", "2027", stdout=out)
    text = out.getvalue()
    assert "added" in text and "2027" in text
    assert HolidayDate.objects.filter(date__year=2025).count() > 30
