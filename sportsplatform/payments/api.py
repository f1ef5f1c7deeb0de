"""POST /api/v1/payments/notify/{provider}: the providers' signed callbacks (API.md).

No session or token authentication (so no CSRF check either) and no throttle: the signature is
the authentication, and a payment rush makes the providers call back hundreds of times a minute
from a handful of addresses. The raw body bytes are handed to the domain unparsed — signatures
are over the exact bytes."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from sportsplatform.api.schema import error_response

from .domain.notifications import handle_notification


class ProviderNotifyView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        operation_id="payments_notify",
        summary="Payment provider callback",
        description=(
            "Where WeChat Pay (`wechat`), Alipay (`alipay`) and the sandbox gateway (`sandbox`) report "
            "payments and refunds. The body is the provider's own signed message (WeChat/sandbox: JSON "
            "with Wechatpay-*/Sandbox-* signature headers; Alipay: a signed form). Answers what the "
            'provider expects: WeChat and sandbox `{"code": "SUCCESS"}` (200) or `{"code": "FAIL"}` '
            "(400); Alipay the text `success` or `fail`. A forged, stale (timestamp outside a few "
            "minutes) or misaddressed callback changes nothing; the same notification id twice is "
            "applied once. 404 for a provider that is not enabled."
        ),
        parameters=[
            OpenApiParameter(
                "provider", OpenApiTypes.STR, OpenApiParameter.PATH, description="`sandbox`, `wechat` or `alipay`."
            )
        ],
        request={"application/json": OpenApiTypes.OBJECT, "application/x-www-form-urlencoded": OpenApiTypes.OBJECT},
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="Received."),
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="Alipay: `success`."),
            (400, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="Refused."),
            (400, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="Alipay: `fail`."),
            404: error_response("No such provider enabled."),
        },
        auth=[],
    )
    def post(self, request, provider: str):
        answer = handle_notification(provider_code=provider, headers=request.headers, body=request._request.body)
        content_type = answer.content_type
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return HttpResponse(answer.body, status=answer.status, content_type=content_type)
