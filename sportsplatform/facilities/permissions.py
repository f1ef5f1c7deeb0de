"""Role permissions and audit registration for fitness facilities (see venues/permissions.py;
the sidebar entry lives in the venues group 场馆与设施). `register()` is idempotent."""

from __future__ import annotations


def grant_role_permissions() -> None:
    from sportsplatform.accounts.models import Role
    from sportsplatform.core.roles import grant

    everything = ("add", "change", "delete", "view")
    equipment = [f"facilities.{a}_equipment" for a in everything]
    grant(Role.PLATFORM_ADMIN, *[f"facilities.{a}_facility" for a in everything], *equipment)
    grant(Role.BUREAU_OFFICIAL, "facilities.view_facility", "facilities.add_facility", "facilities.change_facility")
    grant(Role.BUREAU_OFFICIAL, *equipment)
    grant(Role.OPERATOR_STAFF, "facilities.view_facility", "facilities.add_facility", "facilities.change_facility")
    grant(Role.OPERATOR_STAFF, *equipment)


def register_audited_models() -> None:
    from auditlog.registry import auditlog

    from .models import Equipment, Facility

    def skip(model, *fields: str) -> list[str]:
        reverse = [f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete]
        return [*fields, *reverse]

    if not auditlog.contains(Facility):
        auditlog.register(Facility, exclude_fields=skip(Facility, "search_text", "updated_at", "length_m"))
    if not auditlog.contains(Equipment):
        auditlog.register(Equipment, exclude_fields=skip(Equipment))


def register() -> None:
    grant_role_permissions()
    register_audited_models()
