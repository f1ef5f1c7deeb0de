"""The task queue. Redis is the broker in production; without REDIS_URL tasks run in-process
(CELERY_TASK_ALWAYS_EAGER), so the embedded default needs no worker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("sportsplatform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
