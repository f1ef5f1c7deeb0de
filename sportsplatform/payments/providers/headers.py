"""Reading callback headers the same way whatever carries them: Django's request.headers, a plain
dict from the in-process sandbox delivery, or WSGI META keys (HTTP_WECHATPAY_TIMESTAMP)."""

from __future__ import annotations

from collections.abc import Mapping


def header(headers: Mapping[str, str], name: str) -> str:
    if name in headers:
        return headers[name] or ""
    wanted = name.lower()
    meta = "HTTP_" + name.upper().replace("-", "_")
    for key, value in headers.items():
        if key.lower() == wanted or key == meta:
            return value or ""
    return ""
