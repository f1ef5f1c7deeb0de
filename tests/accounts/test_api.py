"""/api/v1/auth/*, /api/v1/me and bearer tokens (API.md, "Accounts")."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from sportsplatform.accounts.authentication import forget_tokens
from sportsplatform.accounts.domain.tokens import issue_token
from sportsplatform.accounts.models import ApiToken, Role, SmsCode

from .factories import PASSWORD, UserFactory, confirmed_device, staff_user
from .helpers import current_totp

pytestmark = pytest.mark.django_db
PHONE = "13812341234"


def _token(api_client, username, password=PASSWORD, **extra):
    return api_client.post("/api/v1/auth/token", {"username": username, "password": password, **extra}, format="json")


def _assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_token_with_username_and_password_returns_token_and_user(api_client):
    user = staff_user(role=Role.OPERATOR_STAFF, display_name="小王")

    response = _token(api_client, user.username)

    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"id": user.pk, "display_name": "小王", "roles": ["operator_staff"]}
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == ApiToken.hash_key(body["token"])
    assert body["token"] not in token.key_hash


def test_token_accepts_a_phone_number_as_username(api_client):
    UserFactory(username="zhang", phone=PHONE)

    response = _token(api_client, "+86 138 1234 1234")

    assert response.status_code == 200


def test_token_with_wrong_password_is_400_invalid_credentials(api_client):
    user = UserFactory()

    _assert_error(_token(api_client, user.username, "wrong"), 400, "invalid_credentials")


def test_token_missing_fields_are_field_errors(api_client):
    error = _assert_error(api_client.post("/api/v1/auth/token", {}, format="json"), 400, "invalid")

    assert set(error["fields"]) == {"username", "password"}


def test_token_five_wrong_passwords_lock_the_account_even_for_the_right_one(api_client):
    user = UserFactory()
    for _ in range(5):
        api_client.post("/api/v1/auth/token", {"username": user.username, "password": "Wrong!123"}, format="json")

    response = _token(api_client, user.username)

    error = _assert_error(response, 403, "account_locked")
    assert "锁定" in error["message"]
    assert not ApiToken.objects.exists()
    english = api_client.post(
        "/api/v1/auth/token", {"username": user.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "locked" in _assert_error(english, 403, "account_locked")["message"]


def test_token_lockout_counts_phone_and_username_together(api_client):
    user = UserFactory(phone=PHONE)
    for n in range(5):
        identifier = PHONE if n % 2 else user.username
        _token(api_client, identifier, "Wrong!123")

    _assert_error(_token(api_client, PHONE), 403, "account_locked")


def test_token_success_resets_the_failure_count(api_client):
    user = UserFactory()
    for _ in range(4):
        _token(api_client, user.username, "Wrong!123")
    assert _token(api_client, user.username).status_code == 200

    for _ in range(4):
        _token(api_client, user.username, "Wrong!123")
    assert _token(api_client, user.username).status_code == 200


def test_token_for_platform_admin_without_device_requires_setup(api_client):
    admin = staff_user(role=Role.PLATFORM_ADMIN)

    _assert_error(_token(api_client, admin.username), 403, "otp_setup_required")


def test_token_for_account_with_device_requires_a_valid_otp_code(api_client):
    user = staff_user(role=Role.OPERATOR_STAFF)
    device = confirmed_device(user)

    error = _assert_error(_token(api_client, user.username), 400, "otp_required")
    assert "otp_code" in error["fields"]
    _assert_error(_token(api_client, user.username, otp_code="000000"), 400, "invalid_otp")

    device.throttle_reset()
    response = _token(api_client, user.username, otp_code=current_totp(device))
    assert response.status_code == 200


def test_sms_send_returns_204_and_sends_a_code(api_client, on_commit, outbox):
    with on_commit():
        response = api_client.post("/api/v1/auth/sms/send", {"phone": PHONE}, format="json")

    assert response.status_code == 204
    assert outbox[-1].phone == PHONE
    assert SmsCode.objects.filter(phone=PHONE).count() == 1


def test_sms_send_bad_phone_is_400_field_error_and_stores_nothing(api_client, outbox):
    response = api_client.post("/api/v1/auth/sms/send", {"phone": "1234"}, format="json")

    error = _assert_error(response, 400, "invalid_phone")
    assert error["fields"]["phone"]
    assert not SmsCode.objects.exists() and outbox == []


def test_sms_send_twice_per_minute_is_429_with_retry_after(api_client):
    api_client.post("/api/v1/auth/sms/send", {"phone": PHONE}, format="json")

    response = api_client.post("/api/v1/auth/sms/send", {"phone": PHONE}, format="json")

    _assert_error(response, 429, "rate_limited")
    assert 55 <= int(response["Retry-After"]) <= 60


def test_sms_send_per_ip_limit_is_429(api_client, monkeypatch):
    # Raise the DRF throttle (a coarse per-IP guard) so the per-IP SMS limit is what answers.
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "sms_send", "1000/hour")
    for n in range(20):
        ok = api_client.post("/api/v1/auth/sms/send", {"phone": f"139000000{n:02d}"}, format="json")
        assert ok.status_code == 204

    response = api_client.post("/api/v1/auth/sms/send", {"phone": PHONE}, format="json")

    _assert_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) > 0
    other_ip = api_client.post("/api/v1/auth/sms/send", {"phone": PHONE}, format="json", REMOTE_ADDR="10.1.1.1")
    assert other_ip.status_code == 204


def test_sms_send_drf_throttle_answers_in_error_format(api_client, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    # The flood guard sits above the exact per-IP SMS limit; lower it to reach it quickly.
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "sms_send": "10/hour"}
    )
    for n in range(10):
        api_client.post("/api/v1/auth/sms/send", {"phone": f"139000000{n:02d}"}, format="json")

    response = api_client.post("/api/v1/auth/sms/send", {"phone": PHONE}, format="json")

    _assert_error(response, 429, "throttled")
    assert "Retry-After" in response


def test_sms_login_returns_token_and_me_masks_the_phone(api_client, send_code):
    code = send_code(PHONE)

    response = api_client.post("/api/v1/auth/sms/login", {"phone": PHONE, "code": code}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["roles"] == [] and body["user"]["display_name"] == "138****1234"
    me = api_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.status_code == 200
    assert me.json()["phone"] == "138****1234"
    assert PHONE not in me.content.decode()


def test_sms_login_wrong_code_is_400_invalid_code(api_client, send_code):
    code = send_code(PHONE)
    wrong = f"{(int(code) + 1) % 1000000:06d}"

    error = _assert_error(
        api_client.post("/api/v1/auth/sms/login", {"phone": PHONE, "code": wrong}, format="json"), 400, "invalid_code"
    )
    assert "code" in error["fields"]


def test_sms_login_expired_code_is_400_code_expired(api_client, send_code):
    code = send_code(PHONE)
    SmsCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    _assert_error(
        api_client.post("/api/v1/auth/sms/login", {"phone": PHONE, "code": code}, format="json"), 400, "code_expired"
    )


def test_me_lists_roles_and_organisations_with_region_codes(api_client):
    user = staff_user(role=Role.BUREAU_OFFICIAL, phone=PHONE)
    _token_row, key = issue_token(user=user, name="test")

    body = api_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").json()

    assert body["roles"] == ["bureau_official"]
    assert body["organisations"] == [
        {
            "id": user.memberships.get().organisation_id,
            "name": "成都市体育局",
            "kind": "bureau",
            "role": "bureau_official",
            "region_code": "510100",
            "region_name": "成都市",
        }
    ]
    assert body["phone"] == "138****1234"


def test_me_anonymous_is_401_with_bearer_challenge(api_client):
    response = api_client.get("/api/v1/me")

    _assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer", "Bearer a b", "Bearer \u00e9t\u00e9"])
def test_me_with_garbage_token_is_401(api_client, header):
    response = api_client.get("/api/v1/me", HTTP_AUTHORIZATION=header)

    _assert_error(response, 401, "authentication_failed")


def test_me_with_expired_token_is_401(api_client):
    token, key = issue_token(user=UserFactory(), name="old phone")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    _assert_error(api_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}"), 401, "authentication_failed")


def test_bearer_token_updates_last_used_at_at_most_once_a_minute(api_client):
    token, key = issue_token(user=UserFactory(), name="")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    api_client.get("/api/v1/me", **auth)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    api_client.get("/api/v1/me", **auth)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    # Two minutes on, the copy the authentication keeps in the cache (one minute) is gone too.
    forget_tokens([token.key_hash])
    api_client.get("/api/v1/me", **auth)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_logout_revokes_the_token(api_client):
    token, key = issue_token(user=UserFactory(), name="")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    assert api_client.post("/api/v1/auth/logout", **auth).status_code == 204

    assert not ApiToken.objects.filter(pk=token.pk).exists()
    _assert_error(api_client.get("/api/v1/me", **auth), 401, "authentication_failed")


def test_schema_documents_the_bearer_scheme_and_account_endpoints(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    schema = response.json()
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path in ("/api/v1/auth/token", "/api/v1/auth/sms/send", "/api/v1/auth/sms/login", "/api/v1/me"):
        assert path in schema["paths"]
    token_post = schema["paths"]["/api/v1/auth/token"]["post"]
    assert set(token_post["responses"]) >= {"200", "400", "403", "429"}
