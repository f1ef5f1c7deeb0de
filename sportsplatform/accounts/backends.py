from django.contrib.auth.backends import ModelBackend

from sportsplatform.core.roles import permissions_for_roles
from sportsplatform.core.scoping import scope_for


class RoleAwareModelBackend(ModelBackend):
    """Username-or-phone + password login; permissions come from the user's roles (core.roles)
    on top of any granted directly, so a role change takes effect without editing groups."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            user_obj._role_perm_cache = permissions_for_roles(scope_for(user_obj).roles)
        return super().get_all_permissions(user_obj) | user_obj._role_perm_cache
