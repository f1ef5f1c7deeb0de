"""Staff sign-in: lockout, TOTP before the back office, idle timeout, password age."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sportsplatform.accounts.models import Role, User

from .factories import PASSWORD, UserFactory, confirmed_device, staff_user
from .helpers import current_totp, wrong_totp

pytestmark = pytest.mark.django_db
STAFF_LOGIN = "/accounts/staff/login/"


def _login(client, username, password=PASSWORD, url=STAFF_LOGIN, **extra):
    return client.post(url, {"username": username, "password": password, **extra})


def _signed_in_as(client):
    return client.session.get(SESSION_KEY)


# --- lockout -----------------------------------------------------------------------------------
def test_staff_login_page_has_labelled_fields(client):
    html = client.get(STAFF_LOGIN).content.decode()

    assert '<label for="id_username">' in html and '<label for="id_password">' in html


def test_staff_login_wrong_password_shows_error_and_keeps_username(client):
    user = staff_user()

    response = _login(client, user.username, "Wrong!123")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{user.username}"' in html
    assert "Wrong!123" not in html
    assert _signed_in_as(client) is None


def test_staff_login_five_wrong_passwords_then_the_right_one_is_refused(client):
    user = staff_user()
    for _ in range(5):
        _login(client, user.username, "Wrong!123")

    response = _login(client, user.username)

    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert _signed_in_as(client) is None


@pytest.mark.urls("tests.accounts.urls")
def test_admin_login_five_wrong_passwords_then_the_right_one_is_refused(client):
    user = staff_user()
    for _ in range(5):
        _login(client, user.username, "Wrong!123", url="/admin/login/")

    response = _login(client, user.username, url="/admin/login/")

    assert response.status_code == 429
    assert _signed_in_as(client) is None
    assert client.get("/admin/").status_code == 302


# --- back office and TOTP ------------------------------------------------------------------
@pytest.mark.urls("tests.accounts.urls")
def test_staff_without_second_factor_reaches_the_back_office_with_a_password(client):
    user = staff_user(role=Role.OPERATOR_STAFF)

    response = _login(client, user.username, url="/admin/login/?next=/admin/", next="/admin/")

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.urls("tests.accounts.urls")
def test_platform_admin_must_set_up_totp_before_the_back_office(client):
    admin = staff_user(role=Role.PLATFORM_ADMIN)

    response = _login(client, admin.username, url="/admin/login/")

    assert response.status_code == 302 and response["Location"] == "/accounts/staff/two-factor/setup/"
    # The password alone opened nothing.
    assert _signed_in_as(client) is None
    assert client.get("/admin/").status_code == 302

    page = client.get("/accounts/staff/two-factor/setup/")
    html = page.content.decode()
    assert "<svg" in html and 'id="otp-secret"' in html
    device = TOTPDevice.objects.get(user=admin, confirmed=False)

    refused = client.post("/accounts/staff/two-factor/setup/", {"otp_code": wrong_totp(device)})
    assert refused.status_code == 200 and 'aria-invalid="true"' in refused.content.decode()
    device.throttle_reset()

    done = client.post("/accounts/staff/two-factor/setup/", {"otp_code": current_totp(device)})
    assert done.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert _signed_in_as(client) == str(admin.pk)
    assert client.get("/admin/").status_code == 200


@pytest.mark.urls("tests.accounts.urls")
def test_superuser_without_device_is_sent_to_setup(client):
    root = UserFactory()
    User.objects.filter(pk=root.pk).update(is_superuser=True, is_staff=True)

    response = _login(client, root.username, url="/admin/login/")

    assert response["Location"] == "/accounts/staff/two-factor/setup/"


@pytest.mark.urls("tests.accounts.urls")
def test_staff_with_device_must_enter_a_valid_totp_code(client):
    user = staff_user(role=Role.BUREAU_OFFICIAL)
    device = confirmed_device(user)

    response = _login(client, user.username, url="/admin/login/")
    assert response["Location"] == "/accounts/staff/two-factor/"
    assert _signed_in_as(client) is None

    refused = client.post("/accounts/staff/two-factor/", {"otp_code": wrong_totp(device)})
    assert refused.status_code == 200
    assert 'id="id_otp_code_error"' in refused.content.decode()
    assert _signed_in_as(client) is None
    device.throttle_reset()

    accepted = client.post("/accounts/staff/two-factor/", {"otp_code": current_totp(device)})
    assert accepted.status_code == 302 and accepted["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.urls("tests.accounts.urls")
def test_a_totp_code_is_refused_the_second_time(client):
    user = staff_user()
    device = confirmed_device(user)
    code = current_totp(device)
    _login(client, user.username)
    client.post("/accounts/staff/two-factor/", {"otp_code": code})
    client.post("/accounts/logout/")

    _login(client, user.username)
    replay = client.post("/accounts/staff/two-factor/", {"otp_code": code})

    assert replay.status_code == 200 and _signed_in_as(client) is None


@pytest.mark.urls("tests.accounts.urls")
def test_password_signed_in_but_unverified_staff_is_sent_to_the_totp_step(client):
    user = staff_user()
    confirmed_device(user)
    client.force_login(user)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/staff/two-factor/")


@pytest.mark.urls("tests.accounts.urls")
def test_sms_session_does_not_open_the_back_office(client, send_code):
    user = staff_user(phone="13812341234")
    code = send_code("13812341234")
    client.post("/accounts/login/", {"phone": "13812341234", "code": code, "action": "login"})
    assert _signed_in_as(client) == str(user.pk)

    response = client.get("/admin/")

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- idle timeout --------------------------------------------------------------------------------
def test_staff_session_ends_after_the_idle_timeout(client):
    user = staff_user()
    _login(client, user.username)
    assert client.get("/accounts/me/").status_code == 200
    later = timezone.now() + timedelta(minutes=31)

    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get("/accounts/me/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/staff/login/?next=")
    assert _signed_in_as(client) is None
    page = client.get(response["Location"]).content.decode()
    assert "without activity" in page or "无操作" in page


def test_staff_session_activity_keeps_it_alive(client):
    user = staff_user()
    _login(client, user.username)
    start = timezone.now()
    for minutes in (20, 40, 60):
        with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=minutes)):
            assert client.get("/accounts/me/").status_code == 200


def test_public_session_has_no_idle_timeout(client):
    user = UserFactory()
    client.force_login(user)
    client.get("/accounts/me/")

    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(hours=5)):
        assert client.get("/accounts/me/").status_code == 200


# --- password age --------------------------------------------------------------------------------
def test_expired_password_forces_a_change_first(client):
    user = staff_user()
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    _login(client, user.username)

    response = client.get("/accounts/me/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/password/?next=")
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and page.context["expired"]

    changed = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "N3w!Secret",
            "new_password2": "N3w!Secret",
            "next": "/accounts/me/",
        },
    )
    assert changed.status_code == 302 and changed["Location"] == "/accounts/me/"
    assert client.get("/accounts/me/").status_code == 200
    assert _signed_in_as(client) == str(user.pk)


def test_expired_password_answers_api_calls_with_password_expired(client):
    user = staff_user()
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    _login(client, user.username)

    response = client.get("/api/v1/me")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_expired"


def test_password_change_refuses_the_current_password(client):
    user = staff_user()
    _login(client, user.username)

    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["new_password1"]
