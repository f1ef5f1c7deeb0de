"""`Authorization: Bearer <token>` for the API (API.md, Conventions).

A token that was found is kept in the cache for TOKEN_CACHE_SECONDS (with its user), so a busy
client (the booking rush) costs no query to authenticate. Deleting or saving a token, or saving its
user (deactivation, password change), drops the cached copies at once (signals below, connected
when the accounts app is ready); a change that bypasses the ORM's signals (a queryset update) shows
within TOKEN_CACHE_SECONDS at most."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiToken

# last_used_at is informational; writing it on every request would make every API call a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
TOKEN_CACHE_SECONDS = 60


def _cache_key(key_hash: str) -> str:
    return f"apitoken:{key_hash}"


def forget_tokens(key_hashes) -> None:
    """Drop cached tokens, now and again after the surrounding transaction commits (a request that
    read the old row in between must not put it back for long)."""
    keys = [_cache_key(h) for h in key_hashes]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def _token_changed(sender, instance, **kwargs):
    forget_tokens([instance.key_hash])


def _user_changed(sender, instance, **kwargs):
    forget_tokens(list(ApiToken.objects.filter(user_id=instance.pk).values_list("key_hash", flat=True)))


def connect_signals() -> None:
    from django.contrib.auth import get_user_model

    post_save.connect(_token_changed, sender=ApiToken, dispatch_uid="apitoken-cache-save")
    post_delete.connect(_token_changed, sender=ApiToken, dispatch_uid="apitoken-cache-delete")
    post_save.connect(_user_changed, sender=get_user_model(), dispatch_uid="apitoken-cache-user")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header: expected 'Bearer <token>'."))
        try:
            key = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return self.authenticate_key(key)

    def authenticate_key(self, key: str):
        key_hash = ApiToken.hash_key(key)
        token = cache.get(_cache_key(key_hash))
        if token is None:
            token = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
            if token is None:
                raise exceptions.AuthenticationFailed(_("Invalid token."))
            cache.set(_cache_key(key_hash), token, TOKEN_CACHE_SECONDS)
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("The token has expired. Please sign in again."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
            cache.set(_cache_key(key_hash), token, TOKEN_CACHE_SECONDS)
        return token.user, token

    def authenticate_header(self, request):
        # A WWW-Authenticate challenge makes DRF answer 401 (not 403) to unauthenticated calls.
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "sportsplatform.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Token from POST /api/v1/auth/token or /api/v1/auth/sms/login.",
        }
