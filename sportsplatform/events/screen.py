"""Figures the events app adds to the data screen (screen.domain.extra_figures). Registered by
`events.demo.register()` at start-up (the events registry imports that module on every start,
demo data or not), so the screen shows them whenever the events app is installed.

Each figure is one aggregate query over the county-level codes of the region on the screen: an
event counts where its `region` (the county whose bureau reviewed it) lies."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sportsplatform.approvals.models import ApprovalStatus
from sportsplatform.core.signups import SignupStatus

APP = "sportsplatform.events"


def _year_bounds(today: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(date(today.year, 1, 1), time.min), tz)
    end = timezone.make_aware(datetime.combine(date(today.year + 1, 1, 1), time.min), tz)
    return start, end


def events_this_year(*, region_codes: list[str], today: date) -> int:
    """Published events (approved, not cancelled) starting in `today`'s calendar year."""
    from .models import Event

    start, end = _year_bounds(today)
    return Event.objects.filter(
        region_id__in=region_codes,
        status=ApprovalStatus.APPROVED,
        cancelled_at__isnull=True,
        starts_at__gte=start,
        starts_at__lt=end,
    ).count()


def participants_this_year(*, region_codes: list[str], today: date) -> int:
    """Confirmed entries of this year's published events (a team entry counts once)."""
    from .models import Registration

    start, end = _year_bounds(today)
    return Registration.objects.filter(
        event__region_id__in=region_codes,
        event__status=ApprovalStatus.APPROVED,
        event__cancelled_at__isnull=True,
        event__starts_at__gte=start,
        event__starts_at__lt=end,
        status=SignupStatus.CONFIRMED,
    ).count()


def register() -> None:
    from sportsplatform.screen.domain.extra_figures import register_screen_figure

    register_screen_figure(
        key="events_this_year",
        app=APP,
        label=_("Events this year"),
        unit=pgettext_lazy("screen unit", "events"),
        order=10,
        compute=events_this_year,
    )
    register_screen_figure(
        key="event_participants",
        app=APP,
        label=_("Event participants this year"),
        unit=pgettext_lazy("screen unit", "people"),
        order=11,
        compute=participants_this_year,
    )
