"""Figures of the screen that belong to apps which may not be installed (yet): events this month,
social sports instructors. Such an app registers its figure from its AppConfig.ready():

    from sportsplatform.screen.domain.extra_figures import register_screen_figure
    register_screen_figure(
        key="events_this_month", app="sportsplatform.events", label=_("Events this month"), unit=_("events"),
        order=10, compute=events_this_month,
    )

    def events_this_month(*, region_codes: list[str], today: date) -> int:
        # one aggregate query over the given county-level codes (and whatever the app files
        # events under), e.g. Event.objects.filter(region_id__in=region_codes, starts_on__...).count()

The summary shows a registered figure only while its app is installed
(`django.apps.apps.is_installed(app)`), and shows nothing in its place otherwise: the screen never
shows a made-up 0 for something the platform does not record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class ScreenFigure:
    key: str
    app: str
    label: object
    unit: object
    order: int
    compute: Callable[..., int]


_FIGURES: dict[str, ScreenFigure] = {}


def register_screen_figure(*, key: str, app: str, label, unit, compute: Callable[..., int], order: int = 100) -> None:
    """Add (or, with the same key, replace) a figure. `compute(region_codes=, today=)` returns an
    int from one aggregate query."""
    _FIGURES[key] = ScreenFigure(key=key, app=app, label=label, unit=unit, order=order, compute=compute)


def unregister_screen_figure(key: str) -> None:
    _FIGURES.pop(key, None)


def active_figures() -> list[ScreenFigure]:
    return sorted((f for f in _FIGURES.values() if apps.is_installed(f.app)), key=lambda f: (f.order, f.key))
