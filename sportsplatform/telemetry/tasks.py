"""Periodic telemetry jobs (TELEMETRY_BEAT_SCHEDULE in config/settings/devices.py)."""

from celery import shared_task

from .domain.devices import mark_silent_devices_offline
from .domain.pruning import prune_raw_events


@shared_task
def prune_raw_events_task() -> int:
    return prune_raw_events()


@shared_task
def mark_silent_devices_offline_task() -> int:
    return mark_silent_devices_offline()
