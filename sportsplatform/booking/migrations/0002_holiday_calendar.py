"""Load the holiday calendar for 2024–2026 from chinesecalendar (reversible: removes those years)."""

from django.db import migrations

YEARS = (2024, 2025, 2026)


def load(apps, schema_editor):
    from sportsplatform.booking.domain.holidays import apply_calendar, known_calendar

    days, _unknown = known_calendar(YEARS)
    apply_calendar(apps.get_model("booking", "HolidayDate"), days)


def unload(apps, schema_editor):
    HolidayDate = apps.get_model("booking", "HolidayDate")
    HolidayDate.objects.filter(date__year__in=YEARS).delete()


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
