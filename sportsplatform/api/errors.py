"""Every API error has the shape of API.md:
{"error": {"code": "slot_taken", "message": "...", "fields": {...}}}, with the message in the
language the client asked for. Domain errors keep their own code."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sportsplatform.core.errors import DomainError, RateLimited

_CODE_FOR = {
    exceptions.ParseError: "parse_error",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ValidationError: "invalid",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": force_str(message), "fields": fields or {}}}


def _flatten(detail) -> dict:
    """DRF's nested ValidationError detail → {"field": ["message", ...]}."""
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value):
    if isinstance(value, dict):
        return _flatten(value)
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            out.extend(_messages(item) if isinstance(item, list | tuple) else [_messages(item)])
        return out
    return force_str(value)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        headers = {}
        if isinstance(exc, RateLimited) and exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status, headers=headers)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, exceptions.UnsupportedMediaType) and not getattr(context.get("request"), "content_type", ""):
        # A body whose Content-Type cannot even be parsed (a broken multipart boundary) is a bad
        # request, not a choice of media type the client could change.
        exc = exceptions.ParseError()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let it reach the 500 handler and the logs
    code = next((c for cls, c in _CODE_FOR.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.values()), [""])
        first_msg = first[0] if isinstance(first, list) and first and isinstance(first[0], str) else ""
        message = first_msg or _("Some of the data is not valid.")
        response.data = error_body(code, message, fields)
    else:
        detail = getattr(exc, "detail", "")
        response.data = error_body(code, force_str(detail))
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
