"""The API error shape of API.md, for every kind of failure, in the client's language."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from rest_framework import exceptions

from sportsplatform.api.errors import exception_handler
from sportsplatform.core.errors import Conflict, RateLimited


def handle(exc):
    return exception_handler(exc, {})


def test_error_domain_conflict_keeps_its_code():
    response = handle(Conflict("已被预订", code="slot_taken"))
    assert response.status_code == 409
    assert response.data == {"error": {"code": "slot_taken", "message": "已被预订", "fields": {}}}


def test_error_rate_limited_sets_retry_after():
    response = handle(RateLimited(retry_after=42))
    assert response.status_code == 429
    assert response["Retry-After"] == "42"
    assert response.data["error"]["code"] == "rate_limited"


def test_error_validation_lists_fields_and_uses_first_message():
    response = handle(exceptions.ValidationError({"phone": ["Enter a valid number."], "code": ["Required."]}))
    assert response.status_code == 400
    error = response.data["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"phone": ["Enter a valid number."], "code": ["Required."]}
    assert error["message"] == "Enter a valid number."


def test_error_nested_validation_is_flattened_per_field():
    response = handle(exceptions.ValidationError({"slots": {"0": ["Unknown slot."]}}))
    assert response.data["error"]["fields"] == {"slots": {"0": ["Unknown slot."]}}


def test_error_django_validation_error_becomes_400():
    response = handle(DjangoValidationError({"name": ["Too long."]}))
    assert response.status_code == 400
    assert response.data["error"]["fields"] == {"name": ["Too long."]}


def test_error_not_authenticated_is_401_with_bearer_challenge():
    response = handle(exceptions.NotAuthenticated())
    assert response.status_code == 401
    assert response.data["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_error_http404_uses_error_shape():
    response = handle(Http404())
    assert response.status_code == 404
    assert response.data["error"]["code"] == "not_found"


def test_error_message_follows_the_active_language():
    with translation.override("zh-hans"):
        zh = handle(exceptions.NotFound()).data["error"]["message"]
    with translation.override("en"):
        en = handle(exceptions.NotFound()).data["error"]["message"]
    assert en == "Not found."
    assert zh != en


def test_error_unexpected_exception_is_left_to_the_500_handler():
    assert handle(RuntimeError("bug")) is None
