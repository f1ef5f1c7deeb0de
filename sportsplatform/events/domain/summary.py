"""The event summary (赛事总结): the organiser's text with photos and videos, shown on the event's
public page once published (and while the event itself is published).

Uploads are checked before they are stored: photos must open as JPEG, PNG or WebP images (Pillow
reads them, so a renamed file is refused), videos must be MP4 or WebM by their first bytes; both
have a size limit. Files live under MEDIA_ROOT/events/<id>/ — public, like venue photos."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import Conflict, ValidationFailed

from ..models import Event, EventMedia, MediaKind
from .results import require_manager

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_VIDEO_BYTES = 200 * 1024 * 1024
MAX_MEDIA_PER_EVENT = 60
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


def save_summary(*, event: Event, actor, text: str) -> Event:
    require_manager(actor, event)
    text = (text or "").strip()
    if len(text) > 20000:
        raise ValidationFailed(_("The summary is too long (at most 20,000 characters)."), fields={"summary": ["long"]})
    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(summary=text, updated_at=timezone.now())
        audit.record(action="events.summary.saved", actor=actor, obj=event)
    event.summary = text
    return event


def _video_kind(head: bytes) -> str | None:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return ".mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return ".webm"
    return None


def _check_photo(file) -> str:
    from PIL import Image, UnidentifiedImageError

    try:
        file.seek(0)
        with Image.open(file) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    finally:
        file.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationFailed(_("Photos must be JPEG, PNG or WebP images."), fields={"file": ["not an image"]})
    return PHOTO_FORMATS[kind]


def add_media(*, event: Event, actor, file, caption: str = "") -> EventMedia:
    """Add a photo or a video (which one is read from the file itself)."""
    require_manager(actor, event)
    if file is None:
        raise ValidationFailed(_("Choose a photo or video file."), fields={"file": ["required"]})
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    video = _video_kind(head)
    if video:
        kind, extension = MediaKind.VIDEO, video
        if file.size > MAX_VIDEO_BYTES:
            raise ValidationFailed(_("Videos can be at most 200 MB."), fields={"file": ["too large"]})
    else:
        kind = MediaKind.PHOTO
        if file.size > MAX_PHOTO_BYTES:
            raise ValidationFailed(_("Photos can be at most 10 MB."), fields={"file": ["too large"]})
        try:
            extension = _check_photo(file)
        except ValidationFailed:
            raise ValidationFailed(
                _("Upload a JPEG, PNG or WebP photo, or an MP4 or WebM video."), fields={"file": ["unsupported"]}
            ) from None
    with transaction.atomic():
        # Lock the event row so two uploads count and number themselves one after the other.
        Event.objects.select_for_update().filter(pk=event.pk).first()
        if EventMedia.objects.filter(event=event).count() >= MAX_MEDIA_PER_EVENT:
            raise Conflict(
                _("An event summary holds at most %(n)s photos and videos.") % {"n": MAX_MEDIA_PER_EVENT},
                code="too_many_media",
            )
        position = (EventMedia.objects.filter(event=event).aggregate(m=Max("position"))["m"] or 0) + 1
        media = EventMedia(event=event, kind=kind, caption=(caption or "").strip()[:128], position=position)
        media.file.save(f"{kind}-{position}{extension}", file, save=False)
        media.save()
        audit.record(action="events.summary.media_added", actor=actor, obj=event, media=media.pk, kind=kind)
    return media


def remove_media(*, media: EventMedia, actor) -> None:
    event = media.event
    require_manager(actor, event)
    with transaction.atomic():
        audit.record(action="events.summary.media_removed", actor=actor, obj=event, media=media.pk)
        name = media.file.name
        storage = media.file.storage
        media.delete()
        transaction.on_commit(lambda: storage.delete(name))


def publish_summary(*, event: Event, actor) -> Event:
    require_manager(actor, event)
    if not event.is_published:
        raise Conflict(_("The event is not published."), code="not_published")
    if not (event.summary or "").strip():
        raise ValidationFailed(_("Write the summary before publishing it."), fields={"summary": ["required"]})
    now = timezone.now()
    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(summary_published_at=now)
        audit.record(action="events.summary.published", actor=actor, obj=event)
    event.summary_published_at = now
    return event


def unpublish_summary(*, event: Event, actor) -> Event:
    require_manager(actor, event)
    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(summary_published_at=None)
        audit.record(action="events.summary.unpublished", actor=actor, obj=event)
    event.summary_published_at = None
    return event


@dataclass
class PublicSummary:
    text: str
    photos: list[EventMedia]
    videos: list[EventMedia]


def published_summary(event: Event) -> PublicSummary | None:
    """What the public page shows; None while the summary (or the event) is not published."""
    if not (event.is_published and event.summary_published_at):
        return None
    media = list(EventMedia.objects.filter(event=event).order_by("position", "id"))
    return PublicSummary(
        text=event.summary,
        photos=[m for m in media if m.kind == MediaKind.PHOTO],
        videos=[m for m in media if m.kind == MediaKind.VIDEO],
    )
