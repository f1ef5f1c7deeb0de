"""Role permissions, audit registration and the sidebar group for devices and crowd flow
(called from TelemetryConfig.ready()). What a permitted user sees is narrowed by core.scoping:
operators their own venues' devices, bureau officials their region's, platform admins all."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def grant_role_permissions() -> None:
    from sportsplatform.accounts.models import Role
    from sportsplatform.core.roles import grant

    manage = [
        "telemetry.view_device",
        "telemetry.add_device",
        "telemetry.change_device",
        "telemetry.view_devicecredential",
        "telemetry.change_devicecredential",
    ]
    read = [
        "telemetry.view_venueoccupancy",
        "telemetry.view_trafficrollup",
        "telemetry.view_rejectioncount",
        "telemetry.view_gateevent",
    ]
    grant(Role.PLATFORM_ADMIN, *manage, *read, "telemetry.delete_device")
    grant(Role.BUREAU_OFFICIAL, *manage, *read)
    grant(Role.OPERATOR_STAFF, *manage, *read)


def register_audited_models() -> None:
    from auditlog.registry import auditlog

    from .models import Device

    # Credentials, status changes and registrations are recorded by the domain functions
    # ("telemetry.device.*", "telemetry.credential.*"); plain edits of a device by auditlog.
    if not auditlog.contains(Device):
        auditlog.register(Device, exclude_fields=["last_seen_at", "status"])


def register_navigation() -> None:
    from sportsplatform.backoffice.navigation import NavItem, register_nav_group

    register_nav_group(
        "telemetry",
        order=40,
        title=_("Devices and crowd flow"),
        items=[
            NavItem(_("Devices"), "sensors", "admin:telemetry_device_changelist", "telemetry.view_device"),
            NavItem(
                _("Occupancy now"),
                "groups",
                "admin:telemetry_venueoccupancy_changelist",
                "telemetry.view_venueoccupancy",
            ),
            NavItem(
                _("Traffic history"),
                "monitoring",
                "admin:telemetry_trafficrollup_changelist",
                "telemetry.view_trafficrollup",
            ),
            NavItem(
                _("Rejected messages"),
                "report",
                "admin:telemetry_rejectioncount_changelist",
                "telemetry.view_rejectioncount",
            ),
        ],
    )


def register() -> None:
    grant_role_permissions()
    register_audited_models()
    register_navigation()
