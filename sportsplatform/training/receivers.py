"""Start-up hooks of training besides permissions: the periodic jobs it adds to Celery beat (as
telemetry does). The bureau's decisions are told to the organiser by events.receivers, which
handles every reviewed application, courses included."""

from __future__ import annotations

from celery.schedules import crontab

TRAINING_BEAT_SCHEDULE = {
    "training-remind-expiring-certificates": {
        "task": "sportsplatform.training.tasks.remind_expiring_certificates_task",
        "schedule": crontab(day_of_week="mon", hour=9, minute=0),
    },
}


def register() -> None:
    from django.conf import settings

    for name, entry in TRAINING_BEAT_SCHEDULE.items():
        settings.CELERY_BEAT_SCHEDULE.setdefault(name, entry)
