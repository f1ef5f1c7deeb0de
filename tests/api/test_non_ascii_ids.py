"""Ids in paths that look like digits to str.isdigit() but are not numbers ("²", found by the
schema fuzzer) answer 404, never 500."""

from __future__ import annotations

import pytest
from django.test import Client

from sportsplatform.accounts.domain.tokens import issue_token
from tests.support.accounts import make_public_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/events/²/registrations"),
        ("get", "/api/v1/registrations/²"),
        ("post", "/api/v1/registrations/²/withdraw"),
        ("post", "/api/v1/courses/²/enrolments"),
        ("post", "/api/v1/enrolments/²/withdraw"),
        ("get", "/api/v1/orders/²"),
    ],
)
def test_superscript_digit_id_is_not_found(method, path):
    _token, key = issue_token(user=make_public_user(), name="test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = getattr(client, method)(path, data={}, content_type="application/json")

    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"
