"""django-auditlog's middleware, with the client IP we trust.

auditlog takes the first X-Forwarded-For entry, which any client can set to anything; the audit
trail would then record an address of the attacker's choosing. This subclass records
`request.client_ip`, which core.middleware.ClientIPMiddleware (earlier in MIDDLEWARE) resolves
believing only the TRUSTED_PROXY_COUNT proxies we run."""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings

from sportsplatform.core.net import client_ip


class AuditlogMiddleware(BaseAuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request):
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        ip = getattr(request, "client_ip", None)
        if ip is None:
            ip = client_ip(request)
        return ip or None

    @staticmethod
    def _get_remote_port(request) -> int | None:
        # X-Forwarded-Port is as forgeable as X-Forwarded-For: believe it only behind our proxies.
        raw = (
            request.headers.get("X-Forwarded-Port", "")
            if settings.TRUSTED_PROXY_COUNT
            else request.META.get("REMOTE_PORT", "")
        )
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None
