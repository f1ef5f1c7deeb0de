"""Sending messages. Callers inside a transaction get the message only if it commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from ..models import Notification


def notify(*, user, kind: str, title: str, body: str = "", link: str = "", channels: Iterable[str] = ()) -> None:
    """Queue an in-site message to `user` (after commit), and the same on the extra `channels`
    ("sms", "wechat") that are configured. Never raises for a failed extra channel."""
    channels = tuple(channels)

    def create():
        notification = Notification.objects.create(
            user=user, kind=kind, title=str(title)[:128], body=str(body), link=link[:255]
        )
        if channels:
            from ..tasks import deliver_notification_task

            deliver_notification_task.delay(notification.pk, list(channels))

    transaction.on_commit(create)


def notify_many(
    *, users: Iterable, kind: str, title: str, body: str = "", link: str = "", channels: Iterable[str] = ()
) -> None:
    for user in users:
        notify(user=user, kind=kind, title=title, body=body, link=link, channels=channels)
