"""Fuzzing the whole API from its own OpenAPI schema (schemathesis 4, in-process over WSGI).

Every operation in /api/schema/ becomes one test here, so an endpoint is fuzzed the day it is
added. For each: the schema's examples, the coverage phase (boundary and invalid values of each
parameter and body field) and FUZZ_EXAMPLES random cases (valid and invalid), checked for

- no 5xx (a documented 503 of the readiness probe aside): API.md, "never a 500 for bad input";
- status code, content type and body conform to the schema;
- an operation whose `security` requires credentials refuses a call without valid ones with
  401 or 403 (we never send valid ones in the anonymous pass);

and the operations that require a login are fuzzed once more as a logged-in public user.

FUZZ_EXAMPLES (default 25) bounds the random cases per operation; raise it locally to dig deeper:
    FUZZ_EXAMPLES=500 .venv/bin/pytest tests/api/test_schema_fuzz.py -n 2
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from sportsplatform.accounts.domain.tokens import issue_token
from tests.support.accounts import make_public_user

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SCHEMA_URL = "/api/schema/"

# Operations that may answer a 5xx by design, and which: nothing else may.
DOCUMENTED_5XX = {
    # The readiness probe says 503 when a dependency (MQTT, Redis) is down; that is its job.
    ("GET", "/api/v1/health"): {503},
}

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": FUZZ_EXAMPLES, "mode": "all"},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        # The schema's own checks are chosen below, per call; CONFIG only shapes generation.
        "warnings": False,
    }
)

schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, application, config=CONFIG)


def requires_credentials(operation) -> bool:
    """Whether the operation's `security` (or the document's) leaves no anonymous alternative.
    drf-spectacular writes `{}` into the list when anonymous callers are allowed."""
    raw = operation.definition.raw
    requirements = raw["security"] if "security" in raw else operation.schema.raw_schema.get("security", [])
    return bool(requirements) and all(requirement for requirement in requirements)


def no_server_error(ctx, response, case) -> None:
    """not_a_server_error, except the 5xx an operation documents on purpose (DOCUMENTED_5XX)."""
    allowed = DOCUMENTED_5XX.get((case.operation.method.upper(), case.operation.path), set())
    if response.status_code in allowed:
        return None
    return not_a_server_error(ctx, response, case)


def unauthenticated_is_refused(ctx, response, case) -> None:
    """Without valid credentials, an operation that requires them must answer 401 or 403."""
    if requires_credentials(case.operation) and response.status_code not in (401, 403):
        raise AssertionError(
            f"{case.operation.label} requires credentials (security: "
            f"{case.operation.definition.raw.get('security')}) but answered HTTP {response.status_code} "
            "to a call without valid ones; expected 401 or 403"
        )


CHECKS = [no_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one database transaction per operation, shared by its cases
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture
def in_process_api(db):
    """The WSGI app inside the test's transaction. Django closes the database connection when a
    request finishes (close_old_connections), which would end the transaction pytest-django
    rolls back; the test client unhooks it the same way. Throttle counters (in the cache) start
    from zero for each operation."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    cache.clear()
    try:
        yield
    finally:
        cache.clear()
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_anonymous(case, in_process_api):
    cache.clear()  # throttles would answer 429 after a few cases and hide the code behind them
    case.call_and_validate(checks=[*CHECKS, unauthenticated_is_refused])


@pytest.fixture
def fuzz_user(db):
    return make_public_user(phone="13700000000")


if any(requires_credentials(op.ok()) for op in schema.get_all_operations() if hasattr(op, "ok")):

    @schema.include(lambda ctx: requires_credentials(ctx.operation)).parametrize()
    @FUZZ_SETTINGS
    def test_api_logged_in(case, in_process_api, fuzz_user):
        cache.clear()
        # A fresh token (what POST /api/v1/auth/sms/login hands out) for every case: one case may
        # well be a logout that revokes it.
        _token, key = issue_token(user=fuzz_user, name="fuzz")
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)
