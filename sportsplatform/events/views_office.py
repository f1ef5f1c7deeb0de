"""Downloads of an event application's private documents (safety plan, permits, insurance...).
The files live under MEDIA_ROOT/private/, which is never served directly: only the organiser's
staff, the bureau whose region covers the event, and platform admins get them here. Anyone else —
including a guessed id — gets 404, exactly like a missing document. Every download is audited."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from sportsplatform.core import audit
from sportsplatform.core.errors import NotFound
from sportsplatform.core.scoping import require_visible

from .domain.applications import visible_applications
from .models import Event, EventAttachment

INLINE_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def _file_response(request, *, field_file, filename: str, obj, what: str):
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    suffix = PurePath(field_file.name).suffix.lower()
    content_type = INLINE_TYPES.get(suffix)
    audit.record(
        action="events.document.downloaded",
        actor=request.user,
        obj=obj,
        ip=getattr(request, "client_ip", None),
        document=what,
    )
    response = FileResponse(
        handle,
        as_attachment=content_type is None,
        filename=f"{filename}{suffix}",
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _visible_events(request):
    # The back-office list's rule: drafts never submitted only to the organiser.
    return visible_applications(request.user, Event.objects.all())


@require_GET
@staff_member_required
def attachment_download(request, pk: int):
    try:
        attachment = require_visible(
            request.user,
            EventAttachment.objects.select_related("event").filter(event__in=_visible_events(request)),
            pk=pk,
        )
    except NotFound:
        raise Http404 from None
    name = attachment.title or attachment.get_kind_display()
    return _file_response(request, field_file=attachment.file, filename=name, obj=attachment.event, what=name)


@require_GET
@staff_member_required
def safety_plan_download(request, pk: int):
    try:
        event = require_visible(request.user, _visible_events(request), pk=pk)
    except NotFound:
        raise Http404 from None
    if not event.safety_plan:
        raise Http404
    name = f"{event.title}-{gettext('safety plan')}"
    return _file_response(request, field_file=event.safety_plan, filename=name, obj=event, what="safety_plan")
