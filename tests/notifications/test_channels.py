"""Extra channels: SMS through the SMS backend with the notification template, WeChat template
messages against a local HTTP server playing the WeChat API."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache

from sportsplatform.notifications.channels import (
    TOKEN_CACHE_KEY,
    build_sms_backend,
    deliver,
    send_wechat_template,
    sms_outbox,
)
from sportsplatform.notifications.models import Notification
from tests.support.accounts import make_public_user

pytestmark = pytest.mark.django_db


def message(user=None, **kwargs):
    defaults = {
        "kind": "booking.reminder",
        "title": "您的预订即将开始",
        "body": "武侯区全民健身中心 1号场 今天 19:00–21:00，请凭电子票二维码入场。",
    }
    return Notification.objects.create(user=user or make_public_user(), link="/orders/1/", **{**defaults, **kwargs})


def test_console_sms_sends_title_and_shortened_text():
    sms_outbox.clear()
    note = message()

    assert deliver(notification_id=note.pk, channels=["sms"]) == {"sms": "sent"}

    sent = sms_outbox[-1]
    assert sent.phone == note.user.phone and sent.title == "您的预订即将开始"
    note.refresh_from_db()
    assert note.deliveries == {"sms": "sent"}


def test_unknown_or_unconfigured_channels_never_lose_the_message(settings):
    note = message()
    settings.NOTIFICATION_CHANNELS = {"sms": "sportsplatform.notifications.channels.send_sms"}
    outcome = deliver(notification_id=note.pk, channels=["wechat", "sms"])
    assert outcome == {"wechat": "not configured", "sms": "sent"}
    assert Notification.objects.filter(pk=note.pk).exists()


def test_tencent_and_aliyun_requests_use_the_notification_template(settings):
    settings.SMS_SIGN_NAME = "四川体育"
    settings.SMS_TEMPLATE_LOGIN = "100"
    settings.SMS_TEMPLATE_NOTIFICATION = "200"
    settings.SMS_TENCENT_SECRET_ID = "id"
    settings.SMS_TENCENT_SECRET_KEY = "key"
    settings.SMS_TENCENT_SDK_APP_ID = "1400000000"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "id"
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "secret"

    tencent = build_sms_backend("tencent")
    tencent.params = ("预订成功", "11-23 19:00")
    request = tencent.build_request(phone="13800138000", code="", ttl_minutes=0)
    assert (request.TemplateId, request.TemplateParamSet, request.PhoneNumberSet) == (
        "200", ["预订成功", "11-23 19:00"], ["+8613800138000"]
    )  # fmt: skip

    aliyun = build_sms_backend("aliyun")
    aliyun.params = ("预订成功", "11-23 19:00")
    request = aliyun.build_request(phone="13800138000", code="", ttl_minutes=0)
    assert request.template_code == "200"
    assert json.loads(request.template_param) == {"title": "预订成功", "content": "11-23 19:00"}


def test_sms_without_a_notification_template_is_skipped(settings):
    settings.SMS_BACKEND = "tencent"
    settings.SMS_TEMPLATE_NOTIFICATION = ""
    note = message()
    assert deliver(notification_id=note.pk, channels=["sms"]) == {"sms": "skipped: SMS_TEMPLATE_NOTIFICATION not set"}


# --- WeChat ----------------------------------------------------------------------------------------


class FakeWeChat(BaseHTTPRequestHandler):
    calls: list = []
    tokens_issued = 0
    reject_token_once = False

    def log_message(self, *args):
        pass

    def _answer(self, data):
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        FakeWeChat.calls.append(("GET", url.path, query, None))
        if url.path == "/cgi-bin/token" and query.get("appid") == ["wxappid"] and query.get("secret") == ["s3cret"]:
            FakeWeChat.tokens_issued += 1
            self._answer({"access_token": f"TOKEN{FakeWeChat.tokens_issued}", "expires_in": 7200})
        else:
            self._answer({"errcode": 40013, "errmsg": "invalid appid"})

    def do_POST(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeWeChat.calls.append(("POST", url.path, query, payload))
        if FakeWeChat.reject_token_once:
            FakeWeChat.reject_token_once = False
            self._answer({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"})
        elif payload.get("touser") == "blocked":
            self._answer({"errcode": 43004, "errmsg": "require subscribe"})
        else:
            self._answer({"errcode": 0, "errmsg": "ok", "msgid": 200228332})


@pytest.fixture
def wechat(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeWeChat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeWeChat.calls, FakeWeChat.tokens_issued, FakeWeChat.reject_token_once = [], 0, False
    settings.WECHAT_MP_APPID = "wxappid"
    settings.WECHAT_MP_SECRET = "s3cret"
    settings.WECHAT_TEMPLATE_NOTIFICATION = "TPL-1"
    settings.WECHAT_MP_API_BASE = f"http://127.0.0.1:{server.server_port}"
    settings.WECHAT_LINK_BASE_URL = "https://venues.example.gov.cn"
    settings.NOTIFICATION_WECHAT_OPENID = "tests.notifications.test_channels.openid_of"
    cache.delete(TOKEN_CACHE_KEY)
    yield FakeWeChat
    server.shutdown()
    server.server_close()
    cache.delete(TOKEN_CACHE_KEY)


def openid_of(user):
    return {"13800138000": "o-user-1", "13800138999": "blocked"}.get(user.phone, "")


def test_wechat_template_message_with_fields_of_at_most_20_characters(wechat):
    note = message()

    assert deliver(notification_id=note.pk, channels=["wechat"]) == {"wechat": "sent"}

    sends = [c for c in wechat.calls if c[0] == "POST"]
    assert len(sends) == 1
    _method, path, query, payload = sends[0]
    assert path == "/cgi-bin/message/template/send" and query["access_token"] == ["TOKEN1"]
    assert payload["touser"] == "o-user-1" and payload["template_id"] == "TPL-1"
    assert payload["url"] == "https://venues.example.gov.cn/orders/1/"
    assert payload["data"]["thing1"]["value"] == "您的预订即将开始"
    assert all(len(field["value"]) <= 20 for field in payload["data"].values())
    assert payload["data"]["thing2"]["value"].endswith("…")


def test_wechat_token_is_cached_and_fetched_again_when_invalid(wechat):
    send_wechat_template(message())
    send_wechat_template(message(user=Notification.objects.first().user))
    assert wechat.tokens_issued == 1

    wechat.reject_token_once = True
    send_wechat_template(message(user=Notification.objects.first().user))
    assert wechat.tokens_issued == 2
    assert [c[2]["access_token"] for c in wechat.calls if c[0] == "POST"][-2:] == [["TOKEN1"], ["TOKEN2"]]


def test_wechat_refusal_and_missing_openid_are_recorded_not_raised(wechat):
    refused = message(user=make_public_user(phone="13800138999"))
    unknown = message(user=make_public_user(phone="13800138777"))

    assert deliver(notification_id=refused.pk, channels=["wechat"])["wechat"].startswith("failed: WeChat template")
    assert deliver(notification_id=unknown.pk, channels=["wechat"]) == {"wechat": "skipped: no WeChat openid"}


def test_wechat_unconfigured_is_skipped(settings):
    settings.WECHAT_MP_APPID = ""
    note = message()
    assert deliver(notification_id=note.pk, channels=["wechat"]) == {
        "wechat": "skipped: WeChat official account not configured"
    }
