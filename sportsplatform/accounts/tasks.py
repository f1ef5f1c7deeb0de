from celery import shared_task

from .models import SmsCode
from .sms import SmsDeliveryFailed


@shared_task(bind=True, max_retries=2, acks_late=True)
def deliver_login_code_task(self, sms_code_id: int, code: str) -> bool:
    """Send a login code by SMS (queued after the code's row is committed)."""
    from .domain.sms import deliver_login_code

    sms_code = SmsCode.objects.filter(pk=sms_code_id).first()
    if sms_code is None:
        return False
    try:
        return deliver_login_code(sms_code=sms_code, code=code)
    except SmsDeliveryFailed as exc:
        if exc.retryable and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=10) from exc
        raise


@shared_task
def prune_expired_credentials_task() -> dict[str, int]:
    from .domain.housekeeping import prune_expired_credentials

    return prune_expired_credentials()
