"""SMS login codes: hashed, rate limited, expiring, single use, limited attempts."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connections
from django.utils import timezone

from sportsplatform.accounts.domain.sms import deliver_login_code, send_login_code, verify_login_code
from sportsplatform.accounts.models import SmsCode, User
from sportsplatform.core.errors import NotPermitted, RateLimited, ValidationFailed

from .factories import confirmed_device, staff_user

PHONE = "13812341234"
pytestmark = pytest.mark.django_db


def test_send_login_code_stores_only_the_hash_and_sends_the_code(outbox, on_commit):
    with on_commit():
        sms = send_login_code(phone="+86 138-1234-1234", ip="10.0.0.1")

    assert sms.phone == PHONE
    assert len(outbox) == 1 and outbox[0].phone == PHONE
    code = outbox[0].code
    assert len(code) == 6 and code.isdigit()
    assert sms.code_hash == SmsCode.hash_code(PHONE, code) and code not in sms.code_hash
    assert sms.expires_at - sms.created_at == timedelta(minutes=5)


def test_send_login_code_with_bad_phone_raises_field_error_and_stores_nothing(outbox):
    with pytest.raises(ValidationFailed) as err:
        send_login_code(phone="12345", ip="10.0.0.1")

    assert "phone" in err.value.fields
    assert SmsCode.objects.count() == 0 and outbox == []


def test_send_login_code_second_send_within_a_minute_is_rate_limited():
    send_login_code(phone=PHONE, ip="10.0.0.1")

    with pytest.raises(RateLimited) as err:
        send_login_code(phone=PHONE, ip="10.0.0.2")

    assert 55 <= err.value.retry_after <= 60
    assert SmsCode.objects.count() == 1


def test_send_login_code_hourly_limit_per_phone_holds():
    now = timezone.now()
    for minutes in (50, 40, 30, 20, 10):
        SmsCode.objects.create(phone=PHONE, code_hash="x", created_at=now - timedelta(minutes=minutes), expires_at=now)

    with pytest.raises(RateLimited) as err:
        send_login_code(phone=PHONE, ip="10.0.0.1")

    # The oldest of the five leaves the hour window in ten minutes.
    assert 9 * 60 <= err.value.retry_after <= 10 * 60


def test_send_login_code_limit_per_ip_holds_across_phones():
    now = timezone.now()
    for n in range(20):
        SmsCode.objects.create(
            phone=f"139000000{n:02d}",
            ip="10.9.9.9",
            code_hash="x",
            created_at=now - timedelta(minutes=30),
            expires_at=now,
        )

    with pytest.raises(RateLimited):
        send_login_code(phone=PHONE, ip="10.9.9.9")
    send_login_code(phone=PHONE, ip="10.9.9.10")  # another address is not affected


def test_verify_login_code_creates_the_account_on_first_login(send_code):
    code = send_code(PHONE)

    user = verify_login_code(phone=PHONE, code=code, ip="10.0.0.1")

    assert user.phone == PHONE and not user.has_usable_password()
    assert SmsCode.objects.get().consumed_at is not None


def test_verify_login_code_returns_the_existing_account(send_code):
    existing = User.objects.create(username="old", phone=PHONE)
    code = send_code(PHONE)

    assert verify_login_code(phone=PHONE, code=code, ip=None) == existing


def test_verify_login_code_is_single_use(send_code):
    code = send_code(PHONE)
    verify_login_code(phone=PHONE, code=code, ip=None)

    with pytest.raises(ValidationFailed) as err:
        verify_login_code(phone=PHONE, code=code, ip=None)

    assert err.value.code == "invalid_code"


def test_verify_login_code_after_expiry_fails(send_code):
    code = send_code(PHONE)
    later = timezone.now() + timedelta(minutes=5, seconds=1)

    with mock.patch("django.utils.timezone.now", return_value=later), pytest.raises(ValidationFailed) as err:
        verify_login_code(phone=PHONE, code=code, ip=None)

    assert err.value.code == "code_expired"
    assert "code" in err.value.fields


def test_verify_login_code_wrong_attempts_exhaust_the_code(send_code):
    code = send_code(PHONE)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(5):
        with pytest.raises(ValidationFailed) as err:
            verify_login_code(phone=PHONE, code=wrong, ip=None)
        assert err.value.code == "invalid_code"

    with pytest.raises(ValidationFailed) as err:
        verify_login_code(phone=PHONE, code=code, ip=None)

    assert err.value.code == "invalid_code"
    assert SmsCode.objects.get().consumed_at is None
    assert not User.objects.filter(phone=PHONE).exists()


def test_verify_login_code_only_the_newest_code_counts(send_code):
    first = send_code(PHONE)
    SmsCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    second = send_code(PHONE)

    with pytest.raises(ValidationFailed):
        verify_login_code(phone=PHONE, code=first, ip=None)
    assert verify_login_code(phone=PHONE, code=second, ip=None).phone == PHONE


def test_verify_login_code_without_any_code_fails_like_a_wrong_code():
    with pytest.raises(ValidationFailed) as err:
        verify_login_code(phone=PHONE, code="123456", ip=None)

    assert err.value.code == "invalid_code"


def test_verify_login_code_refuses_accounts_with_a_second_factor(send_code):
    user = staff_user(phone=PHONE)
    confirmed_device(user)
    code = send_code(PHONE)

    with pytest.raises(NotPermitted) as err:
        verify_login_code(phone=PHONE, code=code, ip=None)

    assert err.value.code == "second_factor_required"


def test_deliver_login_code_skips_expired_codes(outbox):
    sms = SmsCode.objects.create(
        phone=PHONE, code_hash="x", created_at=timezone.now() - timedelta(minutes=10), expires_at=timezone.now()
    )

    assert deliver_login_code(sms_code=sms, code="123456") is False
    assert outbox == []


@pytest.mark.django_db(transaction=True)
def test_verify_login_code_concurrent_use_lets_at_most_one_request_in(send_code):
    code = send_code(PHONE)
    barrier = threading.Barrier(4)
    results = []

    def attempt():
        try:
            barrier.wait()
            results.append(verify_login_code(phone=PHONE, code=code, ip=None).pk)
        except ValidationFailed as exc:
            results.append(exc.code)
        except Exception as exc:  # any other failure shows in the assert below
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    successes = [r for r in results if isinstance(r, int)]
    assert len(successes) == 1, results
    assert sorted(r for r in results if not isinstance(r, int)) == ["invalid_code"] * 3


@pytest.mark.django_db(transaction=True)
def test_send_login_code_concurrent_sends_for_one_phone_store_one_code():
    barrier = threading.Barrier(4)
    results = []

    def attempt(n):
        try:
            barrier.wait()
            send_login_code(phone=PHONE, ip=f"10.0.0.{n}")
            results.append("sent")
        except RateLimited:
            results.append("limited")
        except Exception as exc:  # any other failure shows in the assert below
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == ["limited", "limited", "limited", "sent"]
    assert SmsCode.objects.filter(phone=PHONE).count() == 1
