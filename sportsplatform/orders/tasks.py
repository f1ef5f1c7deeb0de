"""Order jobs. Each loads what it needs and calls one domain function."""

from celery import shared_task


@shared_task(acks_late=True)
def expire_due_orders_task() -> int:
    from .domain.expiry import expire_due_orders

    return expire_due_orders()
