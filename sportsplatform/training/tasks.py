"""Periodic jobs of the training app (scheduled by training.receivers at start-up). Enrolment
holds need no job of their own: an unpaid course order expires with the orders sweep, whose
handler frees the place and promotes the waiting list."""

from celery import shared_task


@shared_task(acks_late=True)
def remind_expiring_certificates_task() -> int:
    """Weekly: tell organisations which coach certificates expired or expire within 30 days."""
    from .domain.coaches import remind_expiring_certificates

    return remind_expiring_certificates(within_days=30)
