"""Audit records for actions that are not plain model edits (logins, role grants, exports...).
Model edits are captured by django-auditlog (registered in the back office); both land in
auditlog's LogEntry table, which the back office shows read-only."""

from __future__ import annotations

from auditlog.context import set_extra_data
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType


def record(
    *, action: str, actor=None, obj=None, changes: dict | None = None, ip: str | None = None, **data
) -> LogEntry:
    """Write one audit row. `action` is a dotted code such as "accounts.membership.granted"."""
    content_type = ContentType.objects.get_for_model(obj if obj is not None else LogEntry)
    return LogEntry.objects.create(
        content_type=content_type,
        object_pk=str(obj.pk) if obj is not None else "",
        object_id=obj.pk if obj is not None and isinstance(obj.pk, int) else None,
        object_repr=str(obj)[:255] if obj is not None else action,
        action=LogEntry.Action.ACCESS,
        changes=changes or {},
        actor=actor if getattr(actor, "pk", None) else None,
        remote_addr=ip,
        additional_data={"action": action, **data},
    )


__all__ = ["record", "set_extra_data"]
