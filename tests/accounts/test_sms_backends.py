"""The provider backends build the provider's request and turn provider errors into
SmsDeliveryFailed. Only the SDK clients' send methods (third-party code) are patched."""

import json
import logging
from unittest import mock

import pytest
from alibabacloud_dysmsapi20170525 import models as aliyun_models
from alibabacloud_dysmsapi20170525.client import Client as AliyunClient
from alibabacloud_tea_openapi.exceptions import ClientException
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.sms.v20210111 import models as tencent_models
from tencentcloud.sms.v20210111.sms_client import SmsClient as TencentClient

from sportsplatform.accounts.sms import SmsDeliveryFailed, get_backend
from sportsplatform.accounts.sms.aliyun import AliyunSmsBackend
from sportsplatform.accounts.sms.console import ConsoleSmsBackend
from sportsplatform.accounts.sms.tencent import TencentSmsBackend

PROVIDER_SETTINGS = {
    "SMS_SIGN_NAME": "四川体育",
    "SMS_TEMPLATE_LOGIN": "1234567",
    "SMS_TENCENT_SECRET_ID": "id",
    "SMS_TENCENT_SECRET_KEY": "key",
    "SMS_TENCENT_SDK_APP_ID": "1400000000",
    "SMS_ALIYUN_ACCESS_KEY_ID": "ak",
    "SMS_ALIYUN_ACCESS_KEY_SECRET": "secret",
}


def _tencent_response(code="Ok", message="send success"):
    response = tencent_models.SendSmsResponse()
    response._deserialize(
        {"SendStatusSet": [{"Code": code, "Message": message, "PhoneNumber": "+8613812341234"}], "RequestId": "r1"}
    )
    return response


def _aliyun_response(code="OK", message="OK"):
    body = aliyun_models.SendSmsResponseBody(code=code, message=message, request_id="r1", biz_id="b1")
    return aliyun_models.SendSmsResponse(status_code=200, body=body)


def test_get_backend_picks_the_configured_backend():
    assert isinstance(get_backend("console"), ConsoleSmsBackend)
    with override_settings(**PROVIDER_SETTINGS):
        assert isinstance(get_backend("tencent"), TencentSmsBackend)
        assert isinstance(get_backend("aliyun"), AliyunSmsBackend)
    with pytest.raises(ImproperlyConfigured):
        get_backend("pigeon")


def test_provider_backend_without_credentials_refuses_to_start():
    with override_settings(SMS_TENCENT_SECRET_ID=""), pytest.raises(ImproperlyConfigured):
        TencentSmsBackend()


def test_console_backend_logs_masked_phone_and_keeps_outbox(caplog, outbox):
    with caplog.at_level(logging.INFO, logger="sportsplatform.sms"):
        ConsoleSmsBackend().send_login_code(phone="13812341234", code="123456", ttl_minutes=5)

    assert "SMS to 138****1234: code 123456" in caplog.text
    assert "13812341234" not in caplog.text
    assert outbox[-1].code == "123456"


@override_settings(**PROVIDER_SETTINGS)
def test_tencent_backend_sends_sendsms_request():
    with mock.patch.object(TencentClient, "SendSms", return_value=_tencent_response()) as send:
        TencentSmsBackend().send_login_code(phone="13812341234", code="654321", ttl_minutes=5)

    request = send.call_args.args[0]
    assert request.SmsSdkAppId == "1400000000"
    assert request.SignName == "四川体育"
    assert request.TemplateId == "1234567"
    assert request.TemplateParamSet == ["654321", "5"]
    assert request.PhoneNumberSet == ["+8613812341234"]


@override_settings(**PROVIDER_SETTINGS)
def test_tencent_backend_raises_on_refused_number():
    refused = _tencent_response(code="LimitExceeded.PhoneNumberDailyLimit", message="daily limit")
    with mock.patch.object(TencentClient, "SendSms", return_value=refused), pytest.raises(SmsDeliveryFailed) as err:
        TencentSmsBackend().send_login_code(phone="13812341234", code="654321", ttl_minutes=5)

    assert err.value.provider_code == "LimitExceeded.PhoneNumberDailyLimit"
    assert not err.value.retryable


@override_settings(**PROVIDER_SETTINGS)
def test_tencent_backend_raises_on_sdk_error():
    error = TencentCloudSDKException("InternalError.Timeout", "timeout", "r1")
    with mock.patch.object(TencentClient, "SendSms", side_effect=error), pytest.raises(SmsDeliveryFailed) as err:
        TencentSmsBackend().send_login_code(phone="13812341234", code="654321", ttl_minutes=5)

    assert err.value.provider_code == "InternalError.Timeout"
    assert err.value.retryable


@override_settings(**PROVIDER_SETTINGS)
def test_aliyun_backend_sends_sendsms_request():
    with mock.patch.object(AliyunClient, "send_sms", return_value=_aliyun_response()) as send:
        AliyunSmsBackend().send_login_code(phone="13812341234", code="654321", ttl_minutes=5)

    request = send.call_args.args[0]
    assert request.phone_numbers == "13812341234"
    assert request.sign_name == "四川体育"
    assert request.template_code == "1234567"
    assert json.loads(request.template_param) == {"code": "654321"}


@override_settings(**PROVIDER_SETTINGS)
def test_aliyun_backend_raises_on_error_code():
    refused = _aliyun_response(code="isv.MOBILE_NUMBER_ILLEGAL", message="bad number")
    with mock.patch.object(AliyunClient, "send_sms", return_value=refused), pytest.raises(SmsDeliveryFailed) as err:
        AliyunSmsBackend().send_login_code(phone="13812341234", code="654321", ttl_minutes=5)

    assert err.value.provider_code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert not err.value.retryable


@override_settings(**PROVIDER_SETTINGS)
def test_aliyun_backend_raises_on_sdk_exception():
    error = ClientException(code="Throttling.User", message="too fast", status_code=400)
    with mock.patch.object(AliyunClient, "send_sms", side_effect=error), pytest.raises(SmsDeliveryFailed) as err:
        AliyunSmsBackend().send_login_code(phone="13812341234", code="654321", ttl_minutes=5)

    assert err.value.provider_code == "Throttling.User"
    assert err.value.retryable
