"""Figures the training app adds to the data screen (screen.domain.extra_figures). Registered by
`training.demo.register()` at start-up (the training registry imports that module on every
start, demo data or not).

A course counts where its `region` lies; a coach where the coach's organisation is registered."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sportsplatform.approvals.models import ApprovalStatus

APP = "sportsplatform.training"


def courses_this_year(*, region_codes: list[str], today: date) -> int:
    """Published courses (approved, not cancelled) that run at some time in `today`'s year."""
    from .models import Course

    first, last = date(today.year, 1, 1), date(today.year, 12, 31)
    return Course.objects.filter(
        region_id__in=region_codes,
        status=ApprovalStatus.APPROVED,
        cancelled_at__isnull=True,
        starts_on__lte=last,
        ends_on__gte=first,
    ).count()


def certified_instructors(*, region_codes: list[str], today: date) -> int:
    """Coaches holding a social sports instructor certificate (社会体育指导员) valid on `today`."""
    from .models import CertificateKind, Coach

    return (
        # One filter() call: the three conditions must hold for the same certificate row.
        Coach.objects.filter(
            Q(certificates__valid_until__isnull=True) | Q(certificates__valid_until__gte=today),
            organisation__region_id__in=region_codes,
            certificates__kind=CertificateKind.SOCIAL_INSTRUCTOR,
            certificates__issued_on__lte=today,
        )
        .distinct()
        .count()
    )


def register() -> None:
    from sportsplatform.screen.domain.extra_figures import register_screen_figure

    register_screen_figure(
        key="courses_this_year",
        app=APP,
        label=_("Training courses this year"),
        unit=pgettext_lazy("screen unit", "courses"),
        order=20,
        compute=courses_this_year,
    )
    register_screen_figure(
        key="social_sports_instructors",
        app=APP,
        label=_("Social sports instructors"),
        unit=pgettext_lazy("screen unit", "people"),
        order=21,
        compute=certified_instructors,
    )
