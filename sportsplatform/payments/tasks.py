"""Payment jobs. Each loads what it needs and calls one domain function."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=8)
def deliver_sandbox_notification_task(self, kind: str, object_id: int) -> bool:
    """The sandbox gateway's callback, retried with backoff like WeChat's while unanswered. In-process
    (no worker) it is not retried: the payment query picks up what was missed."""
    from .sandbox import deliver

    delivered = deliver(kind, object_id)
    if not delivered and not self.request.is_eager:
        raise self.retry(countdown=min(15 * 2**self.request.retries, 3600))
    return delivered


@shared_task(acks_late=True)
def query_pending_payments_task() -> int:
    from .domain.sync import query_pending_payments

    return query_pending_payments()


@shared_task(acks_late=True)
def retry_refunds_task() -> int:
    from .domain.refunds import retry_refunds

    return retry_refunds()


@shared_task(acks_late=True)
def reconcile_payments_task(day: str | None = None) -> list[str]:
    """Yesterday by default (statements cover whole days)."""
    from .domain.reconcile import reconcile_day

    when = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return [f"{r.provider} {r.day} {r.status}" for r in reconcile_day(day=when)]
