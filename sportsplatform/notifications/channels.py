"""Extra delivery channels for messages: SMS (the accounts SMS backend) and WeChat template
messages. Each is pluggable by settings (NOTIFICATION_CHANNELS); an unconfigured channel is
skipped and recorded as such, so the in-site message always stands."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .models import Notification

log = logging.getLogger(__name__)


def deliver(*, notification_id: int, channels: list[str]) -> dict:
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None:
        return {}
    configured = getattr(settings, "NOTIFICATION_CHANNELS", {})
    outcome = {}
    for channel in channels:
        path = configured.get(channel)
        if not path:
            outcome[channel] = "not configured"
            continue
        try:
            import_string(path)(notification)
            outcome[channel] = "sent"
        except Exception as exc:  # one channel failing must not lose the message or the others
            log.warning("notification %s via %s failed: %s", notification_id, channel, exc)
            outcome[channel] = f"failed: {exc}"[:200]
    Notification.objects.filter(pk=notification_id).update(deliveries={**notification.deliveries, **outcome})
    return outcome
