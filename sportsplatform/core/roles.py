"""Which model permissions each role holds in the back office.

Apps add their own entries from AppConfig.ready() with `grant(role, "app.codename", ...)`;
the auth backend (accounts.backends) reads this table. What a permitted user may see and change
is further narrowed by scoping (core.scoping)."""

from collections import defaultdict

ROLE_PERMISSIONS: dict[str, set[str]] = defaultdict(set)


def grant(role: str, *perms: str) -> None:
    ROLE_PERMISSIONS[str(role)].update(perms)


def permissions_for_roles(roles) -> set[str]:
    perms: set[str] = set()
    for role in roles:
        perms |= ROLE_PERMISSIONS.get(str(role), set())
    return perms
