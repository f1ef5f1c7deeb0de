"""Typed errors that domain functions raise. Every interface (pages, API, admin, commands)
turns them into its own kind of answer; the API keeps `code` as the machine-readable code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_message = _("The request could not be processed.")

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    code = "invalid"
    status = 400
    default_message = _("Some of the data is not valid.")


class NotPermitted(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("The request conflicts with the current state.")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many requests. Please try again later.")

    def __init__(self, message=None, *, retry_after: int | None = None, **kwargs):
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class IllegalTransition(Conflict):
    code = "illegal_transition"
    default_message = _("This action is not allowed in the current state.")
