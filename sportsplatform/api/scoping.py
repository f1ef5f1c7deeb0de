"""DRF glue for the one scoping mechanism (core.scoping): every API view over scoped data uses
these, so an out-of-scope object is filtered from lists and answers 404 by id, exactly like
the back office."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from sportsplatform.core.scoping import scope_for, visible_to


class HasBackOfficeScope(BasePermission):
    """Authenticated, with a back-office role (platform, bureau, operator, institution, expert)."""

    message = _("This is available to platform, bureau and venue staff only.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and not scope_for(user).is_empty)


class ScopedQuerysetMixin:
    """For generic views: set `queryset`; lists and lookups only ever see what the user may."""

    permission_classes = [HasBackOfficeScope]

    def get_queryset(self):
        return visible_to(self.request.user, super().get_queryset())
