"""Tencent Cloud SMS (API 2021-01-11, SendSms).

Settings: SMS_TENCENT_SECRET_ID, SMS_TENCENT_SECRET_KEY, SMS_TENCENT_SDK_APP_ID,
SMS_TENCENT_REGION, SMS_SIGN_NAME, SMS_TEMPLATE_LOGIN. The login template takes two positional
parameters, e.g. "您的登录验证码为{1}，{2}分钟内有效。"; set SMS_TENCENT_TEMPLATE_PARAMS = 1 for a
template that only has the code."""

from __future__ import annotations

from django.conf import settings
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.sms.v20210111 import models, sms_client

from .base import SmsBackend, SmsDeliveryFailed

# Provider codes for which a later retry can succeed; everything else is permanent.
RETRYABLE_CODES = {
    "InternalError",
    "InternalError.Timeout",
    "InternalError.RequestTimeException",
    "RequestLimitExceeded",
}


class TencentSmsBackend(SmsBackend):
    name = "tencent"

    def __init__(self):
        self.require(
            "SMS_TENCENT_SECRET_ID",
            "SMS_TENCENT_SECRET_KEY",
            "SMS_TENCENT_SDK_APP_ID",
            "SMS_SIGN_NAME",
            "SMS_TEMPLATE_LOGIN",
        )
        cred = credential.Credential(settings.SMS_TENCENT_SECRET_ID, settings.SMS_TENCENT_SECRET_KEY)
        self.client = sms_client.SmsClient(cred, settings.SMS_TENCENT_REGION)

    def build_request(self, *, phone: str, code: str, ttl_minutes: int) -> models.SendSmsRequest:
        request = models.SendSmsRequest()
        request.SmsSdkAppId = settings.SMS_TENCENT_SDK_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = settings.SMS_TEMPLATE_LOGIN
        params = [code, str(ttl_minutes)]
        request.TemplateParamSet = params[: getattr(settings, "SMS_TENCENT_TEMPLATE_PARAMS", 2)]
        request.PhoneNumberSet = [f"+86{phone}"]
        return request

    def send_login_code(self, *, phone: str, code: str, ttl_minutes: int) -> None:
        request = self.build_request(phone=phone, code=code, ttl_minutes=ttl_minutes)
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            raise SmsDeliveryFailed(
                f"Tencent SMS error {exc.code}: {exc.message}",
                provider_code=str(exc.code or ""),
                retryable=(exc.code or "") in RETRYABLE_CODES or (exc.code or "").startswith("ClientNetworkError"),
            ) from exc
        statuses = response.SendStatusSet or []
        if not statuses:
            raise SmsDeliveryFailed("Tencent SMS returned no send status", retryable=True)
        status = statuses[0]
        # Per-number result: "Ok" or a code such as LimitExceeded.PhoneNumberDailyLimit.
        if status.Code != "Ok":
            raise SmsDeliveryFailed(
                f"Tencent SMS refused the message: {status.Code} {status.Message}",
                provider_code=status.Code or "",
                retryable=(status.Code or "") in RETRYABLE_CODES,
            )
