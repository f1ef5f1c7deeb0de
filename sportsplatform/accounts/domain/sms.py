"""Login by SMS code: send a code (rate limited), verify it (single use, limited attempts).

The SmsCode rows are both the codes and the rate-limit record, so the limits hold across every
app server without a shared cache. Only a keyed hash of each code is stored."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sportsplatform.core import audit
from sportsplatform.core.errors import NotPermitted, RateLimited, ValidationFailed

from ..models import SmsCode, SmsPurpose, User
from ..phones import mask_phone, normalise_phone, validate_mainland_phone
from .two_factor import has_or_needs_second_factor
from .users import get_or_create_phone_user

logger = logging.getLogger(__name__)

CODE_DIGITS = 6


class CodeInvalid(ValidationFailed):
    code = "invalid_code"
    default_message = _("The code is not correct. Check the message and try again, or request a new code.")


class CodeExpired(ValidationFailed):
    code = "code_expired"
    default_message = _("The code has expired. Please request a new code.")


class CodeExhausted(CodeInvalid):
    default_message = _("Too many wrong attempts for this code. Please request a new code.")


def clean_phone(phone: str) -> str:
    """The normalised 11-digit number, or ValidationFailed with a "phone" field error."""
    phone = normalise_phone(phone)
    try:
        validate_mainland_phone(phone)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="invalid_phone", fields={"phone": exc.messages}) from None
    return phone


def _lock_keys(*keys: str) -> None:
    """Serialise concurrent sends for the same phone or IP, so two requests cannot both pass the
    count and both insert. PostgreSQL: transaction-scoped advisory locks, taken in sorted order.
    SQLite: our connections BEGIN IMMEDIATE, so writers are serialised already."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def _retry_after(created: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than `limit` of the sends in `created` (oldest first) lie in the window."""
    freeing = created[len(created) - limit]
    return max(1, math.ceil((freeing + window - now).total_seconds()))


def _check_limits(*, field: str, value: str, limits, now: datetime) -> None:
    longest = max(window for _count, window in limits)
    created = sorted(
        SmsCode.objects.filter(**{field: value}, created_at__gt=now - longest).values_list("created_at", flat=True)
    )
    waits = []
    for limit, window in limits:
        in_window = [c for c in created if c > now - window]
        if len(in_window) >= limit:
            waits.append(_retry_after(in_window, limit, window, now))
    if waits:
        wait = max(waits)
        raise RateLimited(
            _("Too many codes requested. Please try again in %(seconds)d seconds.") % {"seconds": wait},
            retry_after=wait,
        )


def send_login_code(*, phone: str, ip: str | None) -> SmsCode:
    """Create a login code for `phone` and send it by SMS after commit.

    Answers the same whether or not the phone has an account (no account enumeration)."""
    phone = clean_phone(phone)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        _lock_keys(f"sms:phone:{phone}", *([f"sms:ip:{ip}"] if ip else []))
        now = timezone.now()
        _check_limits(field="phone", value=phone, limits=settings.SMS_RATE_LIMITS_PER_PHONE, now=now)
        if ip:
            _check_limits(field="ip", value=ip, limits=settings.SMS_RATE_LIMITS_PER_IP, now=now)
        sms_code = SmsCode.objects.create(
            phone=phone,
            purpose=SmsPurpose.LOGIN,
            code_hash=SmsCode.hash_code(phone, code),
            ip=ip,
            created_at=now,
            expires_at=now + settings.SMS_CODE_TTL,
        )
        audit.record(action="accounts.sms_code.sent", obj=sms_code, ip=ip)

        from ..tasks import deliver_login_code_task

        sms_code_id = sms_code.pk
        # robust: a broker outage is logged, it must not turn an already committed send into a 500.
        transaction.on_commit(lambda: deliver_login_code_task.delay(sms_code_id, code), robust=True)
    return sms_code


def deliver_login_code(*, sms_code: SmsCode, code: str) -> bool:
    """Hand the code to the SMS provider. Skips codes that are used or expired by the time the
    task runs (a queue backlog must not deliver dead codes). Raises SmsDeliveryFailed."""
    from ..sms import get_backend

    if sms_code.consumed_at is not None or sms_code.expires_at <= timezone.now():
        logger.info("Skipped delivering a dead SMS code to %s", mask_phone(sms_code.phone))
        return False
    ttl_minutes = max(1, int(settings.SMS_CODE_TTL.total_seconds() // 60))
    get_backend().send_login_code(phone=sms_code.phone, code=code, ttl_minutes=ttl_minutes)
    return True


def verify_login_code(*, phone: str, code: str, ip: str | None) -> User:
    """The account behind `phone` (created on first login) if `code` is the phone's current code.

    Only the newest code sent to the phone counts; each comparison first claims one of
    SMS_CODE_MAX_ATTEMPTS attempts with a conditional UPDATE, and success consumes the code with
    another (WHERE consumed_at IS NULL), so concurrent requests can neither exceed the attempts
    nor use one code twice."""
    phone = clean_phone(phone)
    code = (code or "").strip()
    now = timezone.now()
    sms_code = SmsCode.objects.filter(phone=phone, purpose=SmsPurpose.LOGIN).order_by("-created_at", "-pk").first()
    if sms_code is None or sms_code.consumed_at is not None:
        raise CodeInvalid(fields={"code": [str(CodeInvalid.default_message)]})
    if sms_code.expires_at <= now:
        raise CodeExpired(fields={"code": [str(CodeExpired.default_message)]})

    claimed = SmsCode.objects.filter(
        pk=sms_code.pk, consumed_at__isnull=True, failed_attempts__lt=settings.SMS_CODE_MAX_ATTEMPTS
    ).update(failed_attempts=F("failed_attempts") + 1)
    if not claimed:
        raise CodeExhausted(fields={"code": [str(CodeExhausted.default_message)]})
    if not hmac.compare_digest(sms_code.code_hash, SmsCode.hash_code(phone, code)):
        audit.record(action="accounts.sms_code.failed", obj=sms_code, ip=ip)
        raise CodeInvalid(fields={"code": [str(CodeInvalid.default_message)]})

    consumed = SmsCode.objects.filter(pk=sms_code.pk, consumed_at__isnull=True, expires_at__gt=now).update(
        consumed_at=now, failed_attempts=F("failed_attempts") - 1
    )
    if not consumed:
        # Another request used the code between our read and this update.
        raise CodeInvalid(fields={"code": [str(CodeInvalid.default_message)]})
    user, _created = get_or_create_phone_user(phone=phone, ip=ip)
    if not user.is_active:
        raise NotPermitted(_("This account is disabled."), code="account_disabled")
    if has_or_needs_second_factor(user):
        # An SMS alone must not open an account that is protected by a second factor.
        raise NotPermitted(
            _("This account is protected by two-factor authentication. Please use the staff login."),
            code="second_factor_required",
        )
    return user
