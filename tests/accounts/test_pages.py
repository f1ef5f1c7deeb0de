"""The public sign-in page (SMS code), "my account" and sign-out."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings

from sportsplatform.accounts.models import Role, SmsCode, User

from .factories import staff_user

pytestmark = pytest.mark.django_db
PHONE = "13812341234"
LOGIN = "/accounts/login/"


def test_login_page_has_labelled_phone_and_code_fields_and_staff_link(client):
    html = client.get(LOGIN).content.decode()

    assert '<label for="id_phone">' in html and '<label for="id_code">' in html
    assert 'name="action" value="send"' in html
    assert "/accounts/staff/login/" in html


@override_settings(DEBUG=True, SMS_BACKEND="console")
def test_login_page_in_debug_with_console_backend_says_where_the_code_is(client):
    response = client.get(LOGIN)

    assert response.context["console_notice"]


def test_send_code_without_javascript_shows_sent_state_and_keeps_the_phone(client, on_commit, outbox):
    with on_commit():
        response = client.post(LOGIN, {"phone": PHONE, "action": "send"})

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["sent_to"] == "138****1234"
    assert f'value="{PHONE}"' in html
    assert 'data-resend-in="60"' in html
    assert outbox[-1].phone == PHONE


def test_send_code_with_htmx_answers_with_the_form(client, on_commit):
    with on_commit():
        response = client.post(LOGIN, {"phone": PHONE, "action": "send"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert 'id="sms-login-form"' in response.content.decode()


def test_send_code_bad_phone_shows_the_error_next_to_the_field_and_stores_nothing(client):
    response = client.post(LOGIN, {"phone": "12345", "action": "send"})

    html = response.content.decode()
    assert 'id="id_phone_error"' in html and 'value="12345"' in html
    assert not SmsCode.objects.exists()


def test_send_code_too_soon_shows_the_wait(client):
    client.post(LOGIN, {"phone": PHONE, "action": "send"})

    response = client.post(LOGIN, {"phone": PHONE, "action": "send"})

    assert response.context["send_error"]
    assert 0 < response.context["resend_in"] <= 60


def test_login_with_the_code_signs_in_and_shows_my_account(client, send_code):
    code = send_code(PHONE)

    response = client.post(LOGIN, {"phone": PHONE, "code": code, "action": "login"})

    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    user = User.objects.get(phone=PHONE)
    assert client.session[SESSION_KEY] == str(user.pk)
    page = client.get("/accounts/me/").content.decode()
    assert "138****1234" in page and PHONE not in page


def test_login_with_a_wrong_code_shows_the_error_and_keeps_the_phone(client, send_code):
    code = send_code(PHONE)
    wrong = f"{(int(code) + 1) % 1000000:06d}"

    response = client.post(LOGIN, {"phone": PHONE, "code": wrong, "action": "login"})

    html = response.content.decode()
    assert 'id="id_code_error"' in html and f'value="{PHONE}"' in html
    assert SESSION_KEY not in client.session


def test_login_without_a_code_asks_for_it(client):
    response = client.post(LOGIN, {"phone": PHONE, "action": "login"})

    assert response.context["form"].errors["code"]


def test_login_redirects_to_a_safe_next_only(client, send_code):
    code = send_code(PHONE)

    response = client.post(LOGIN, {"phone": PHONE, "code": code, "action": "login", "next": "https://evil.example/"})

    assert response["Location"] == "/accounts/me/"


def test_me_requires_sign_in(client):
    response = client.get("/accounts/me/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_me_shows_roles_organisations_and_back_office_link(client):
    user = staff_user(role=Role.BUREAU_OFFICIAL, phone=PHONE)
    client.force_login(user)

    html = client.get("/accounts/me/").content.decode()

    assert "成都市体育局" in html and "510100" in html
    assert "/admin/" in html
    assert "138****1234" in html


def test_me_changes_the_display_name(client):
    user = staff_user()
    client.force_login(user)

    response = client.post("/accounts/me/", {"display_name": "  李  老师 "})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "李 老师"


def test_logout_is_post_only_and_signs_out(client):
    client.force_login(staff_user())

    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert SESSION_KEY not in client.session
