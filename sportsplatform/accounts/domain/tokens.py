"""API bearer tokens. The key is shown once; only its SHA-256 is stored."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.utils import timezone

from sportsplatform.core import audit

from ..models import ApiToken, User


def issue_token(*, user: User, name: str = "", ip: str | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`: returns the row and the key to hand to the client."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=ApiToken.hash_key(key),
        name=name[:128],
        expires_at=timezone.now() + settings.API_TOKEN_TTL,
    )
    audit.record(action="accounts.api_token.issued", actor=user, obj=user, ip=ip, token_id=token.pk)
    return token, key


def revoke_token(*, token: ApiToken, actor=None, ip: str | None = None) -> None:
    user = token.user
    token_id = token.pk
    token.delete()
    audit.record(action="accounts.api_token.revoked", actor=actor or user, obj=user, ip=ip, token_id=token_id)
