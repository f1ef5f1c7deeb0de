"""The message box: reading and marking messages read (the user's own only)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from ..models import Notification


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's messages `ids` (all of them when None) read. Returns how many changed.
    Reading one's own messages is not audited: nothing of anyone else's changes."""
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())
