"""Alibaba Cloud SMS (Dysmsapi 2017-05-25, SendSms).

Settings: SMS_ALIYUN_ACCESS_KEY_ID, SMS_ALIYUN_ACCESS_KEY_SECRET, SMS_SIGN_NAME,
SMS_TEMPLATE_LOGIN (the template code, e.g. SMS_123456789). The template uses the variable
${code}, e.g. "您的登录验证码为${code}，5分钟内有效。"."""

from __future__ import annotations

import json

from alibabacloud_dysmsapi20170525 import models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import utils_models as openapi_models
from django.conf import settings
from Tea.exceptions import TeaException

from .base import SmsBackend, SmsDeliveryFailed

ENDPOINT = "dysmsapi.aliyuncs.com"
RETRYABLE_CODES = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "ServiceUnavailable", "InternalError"}


class AliyunSmsBackend(SmsBackend):
    name = "aliyun"

    def __init__(self):
        self.require("SMS_ALIYUN_ACCESS_KEY_ID", "SMS_ALIYUN_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_TEMPLATE_LOGIN")
        config = openapi_models.Config(
            access_key_id=settings.SMS_ALIYUN_ACCESS_KEY_ID,
            access_key_secret=settings.SMS_ALIYUN_ACCESS_KEY_SECRET,
            endpoint=ENDPOINT,
        )
        self.client = Client(config)

    def build_request(self, *, phone: str, code: str, ttl_minutes: int) -> models.SendSmsRequest:
        return models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=settings.SMS_SIGN_NAME,
            template_code=settings.SMS_TEMPLATE_LOGIN,
            template_param=json.dumps({"code": code}),
        )

    def send_login_code(self, *, phone: str, code: str, ttl_minutes: int) -> None:
        request = self.build_request(phone=phone, code=code, ttl_minutes=ttl_minutes)
        try:
            response = self.client.send_sms(request)
        except TeaException as exc:
            # Network failures, signature errors and HTTP-level refusals raise instead of answering.
            raise SmsDeliveryFailed(
                f"Aliyun SMS error {exc.code}: {exc.message}",
                provider_code=str(exc.code or ""),
                retryable=(exc.code or "") in RETRYABLE_CODES,
            ) from exc
        except Exception as exc:  # the SDK lets connection errors through unwrapped
            raise SmsDeliveryFailed(f"Aliyun SMS unreachable: {exc}", retryable=True) from exc
        body = response.body
        if body is None or body.code != "OK":
            code_ = getattr(body, "code", "") or ""
            raise SmsDeliveryFailed(
                f"Aliyun SMS refused the message: {code_} {getattr(body, 'message', '')}",
                provider_code=code_,
                retryable=code_ in RETRYABLE_CODES,
            )
