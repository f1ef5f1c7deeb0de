from celery import shared_task


@shared_task(acks_late=True)
def deliver_notification_task(notification_id: int, channels: list[str]) -> dict:
    from .channels import deliver

    return deliver(notification_id=notification_id, channels=channels)
