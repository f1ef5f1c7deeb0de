"""Removal of account data that has served its purpose (PIPL: keep personal data no longer than
needed). Audit records are not touched here: they are kept for at least six months."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from ..models import ApiToken, SmsCode


def prune_expired_credentials(*, now=None) -> dict[str, int]:
    """Delete SMS codes older than the longest rate-limit window (they no longer count towards any
    limit and can no longer be used) and API tokens that expired."""
    now = now or timezone.now()
    windows = [w for _n, w in settings.SMS_RATE_LIMITS_PER_PHONE + settings.SMS_RATE_LIMITS_PER_IP]
    keep_after = now - max([*windows, settings.SMS_CODE_TTL])
    sms_deleted, _ = SmsCode.objects.filter(created_at__lt=keep_after).delete()
    tokens_deleted, _ = ApiToken.objects.filter(expires_at__lt=now).delete()
    return {"sms_codes": sms_deleted, "api_tokens": tokens_deleted}
