from django.conf import settings


def client_ip(request) -> str:
    """The caller's IP. X-Forwarded-For is only believed for the number of proxies we run
    (TRUSTED_PROXY_COUNT); otherwise anyone could pick their IP and dodge rate limits."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return remote
