"""Photos and documents of a venue. An upload is judged by its content, never by the name or the
content type the browser sends: a photo must open in Pillow as a JPEG, PNG or WebP image; a
document must start with the signature of a format allowed for its kind (PDF for reports, PDF or
an image for indoor maps, glTF/GLB and common CAD/BIM exports for 3D models). SVG is refused
everywhere: it can carry scripts that run when the file is opened from our domain.

Stored names are random (`venues/<id>/photos/<uuid>.jpg`): the uploader's file name never reaches
the disk, and an unpublished document's URL cannot be guessed."""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from sportsplatform.core import audit
from sportsplatform.core.errors import ValidationFailed

from ..models import DocumentKind, Venue, VenueDocument, VenuePhoto
from .checks import Problems, require_stored_in_scope

MB = 1024 * 1024

# --- photos -------------------------------------------------------------------------------------

MAX_PHOTO_BYTES = 10 * MB
MAX_PHOTO_PIXELS = 40_000_000
THUMBNAIL_WIDTH = 480
# Pillow format → (extension, content type)
PHOTO_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}


@dataclass(frozen=True)
class PhotoInfo:
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return PHOTO_FORMATS[self.format][0]

    @property
    def content_type(self) -> str:
        return PHOTO_FORMATS[self.format][1]


def _size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    return int(size)


def _human_size(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= MB else f"{size / 1024:.0f} KB"


def inspect_photo(upload) -> PhotoInfo:
    """The photo's format and size, or ValidationFailed (field "image") saying why it is refused."""
    size = _size_of(upload)
    if size == 0:
        raise _photo_error(_("The file is empty."))
    if size > MAX_PHOTO_BYTES:
        raise _photo_error(
            _("The photo is %(size)s; at most %(max)s is allowed.")
            % {"size": _human_size(size), "max": _human_size(MAX_PHOTO_BYTES)}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            fmt, (width, height) = image.format, image.size
            # Checked before anything decodes the pixels: a small file can declare a huge canvas.
            if width * height > MAX_PHOTO_PIXELS:
                raise _photo_error(
                    _("The photo has %(mp)s megapixels; at most %(max)s are allowed.")
                    % {"mp": f"{width * height / 1e6:.0f}", "max": f"{MAX_PHOTO_PIXELS / 1e6:.0f}"}
                )
            if fmt not in PHOTO_FORMATS:
                raise _photo_error(_("Upload a JPEG, PNG or WebP image."))
            image.verify()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _photo_error(_("This file is not a JPEG, PNG or WebP image, or it is damaged.")) from None
    finally:
        upload.seek(0)
    return PhotoInfo(format=fmt, width=width, height=height)


def _photo_error(message) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_image", fields={"image": [str(message)]})


def make_thumbnail(upload, *, width: int = THUMBNAIL_WIDTH) -> bytes:
    """A JPEG `width` pixels wide (never enlarged), upright per the EXIF orientation."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.draft("RGB", (width * 2, width * 8))  # JPEG: decode at a reduced scale, much faster
            image = ImageOps.exif_transpose(image)
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, (255, 255, 255))
                background.paste(image, mask=image.getchannel("A"))
                image = background
            elif image.mode != "RGB":
                image = image.convert("RGB")
            image.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _photo_error(_("This file is not a JPEG, PNG or WebP image, or it is damaged.")) from None
    finally:
        upload.seek(0)
    return out.getvalue()


def _delete_files(*fields) -> None:
    for field in fields:
        if field and field.name:
            field.storage.delete(field.name)


@transaction.atomic
def add_photo(*, venue: Venue, upload, actor, caption: str = "", order: int = 0) -> VenuePhoto:
    """Store a photo and its thumbnail (THUMBNAIL_WIDTH px JPEG)."""
    require_stored_in_scope(actor, venue)
    info = inspect_photo(upload)
    thumbnail = make_thumbnail(upload)
    stem = uuid.uuid4().hex
    photo = VenuePhoto(venue=venue, caption=(caption or "").strip()[:128], order=order)
    try:
        photo.image.save(f"photos/{stem}.{info.extension}", upload, save=False)
        photo.thumbnail.save(f"photos/{stem}-{THUMBNAIL_WIDTH}.jpg", ContentFile(thumbnail), save=False)
        photo.save()
    except Exception:
        _delete_files(photo.image, photo.thumbnail)
        raise
    audit.record(
        action="venues.photo.added",
        actor=actor,
        obj=venue,
        photo=photo.pk,
        format=info.format,
        width=info.width,
        height=info.height,
    )
    return photo


@transaction.atomic
def update_photo(*, photo: VenuePhoto, actor) -> VenuePhoto:
    """Save a changed caption or order (the image itself is replaced by adding a new photo)."""
    require_stored_in_scope(actor, photo)
    photo.caption = (photo.caption or "").strip()[:128]
    photo.save(update_fields=["caption", "order"])
    return photo


@transaction.atomic
def remove_photo(*, photo: VenuePhoto, actor) -> None:
    require_stored_in_scope(actor, photo)
    image, thumbnail = photo.image, photo.thumbnail
    audit.record(action="venues.photo.removed", actor=actor, obj=photo.venue, photo=photo.pk)
    photo.delete()
    transaction.on_commit(lambda: _delete_files(image, thumbnail))


# --- documents ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileFormat:
    key: str
    label: object
    extensions: tuple[str, ...]
    content_type: str


FORMATS = {
    f.key: f
    for f in (
        FileFormat("pdf", "PDF", ("pdf",), "application/pdf"),
        FileFormat("png", "PNG", ("png",), "image/png"),
        FileFormat("jpeg", "JPEG", ("jpg", "jpeg"), "image/jpeg"),
        FileFormat("glb", "glTF (GLB)", ("glb",), "model/gltf-binary"),
        FileFormat("gltf", "glTF", ("gltf",), "model/gltf+json"),
        FileFormat("ifc", "IFC", ("ifc",), "application/x-step"),
        FileFormat("dwg", "DWG", ("dwg",), "image/vnd.dwg"),
        FileFormat("dxf", "DXF", ("dxf",), "image/vnd.dxf"),
        FileFormat("obj", "OBJ", ("obj",), "model/obj"),
        FileFormat("fbx", "FBX", ("fbx",), "application/octet-stream"),
        FileFormat("stl", "STL", ("stl",), "model/stl"),
    )
}

# What each kind of document may be. Drawings also come as the CAD files they were drawn in.
KIND_FORMATS: dict[str, tuple[str, ...]] = {
    DocumentKind.DRAWING: ("pdf", "dwg", "dxf"),
    DocumentKind.INSPECTION: ("pdf",),
    DocumentKind.INDOOR_MAP: ("pdf", "png", "jpeg"),
    DocumentKind.MODEL_3D: ("glb", "gltf", "ifc", "dwg", "dxf", "obj", "fbx", "stl"),
}
KIND_MAX_BYTES: dict[str, int] = {
    DocumentKind.DRAWING: 50 * MB,
    DocumentKind.INSPECTION: 50 * MB,
    DocumentKind.INDOOR_MAP: 50 * MB,
    DocumentKind.MODEL_3D: 200 * MB,
}
HEAD_BYTES = 64 * 1024

_DXF_ASCII = re.compile(rb"^\s*(?:999\s*\r?\n[^\n]*\n\s*)*0\s*\r?\n\s*SECTION\b")
_OBJ_STATEMENT = re.compile(rb"(?m)^\s*(?:v|vt|vn|f|o|g|mtllib|usemtl)\s+\S")


def _contains(upload, needle: bytes) -> bool:
    """Whether the file contains `needle`, read in chunks (a glTF's keys may come in any order)."""
    upload.seek(0)
    tail = b""
    while chunk := upload.read(MB):
        if needle in tail + chunk:
            return True
        tail = chunk[-len(needle) :]
    return False


def _matches(fmt: str, head: bytes, size: int, upload) -> bool:
    text_head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if fmt == "pdf":
        return b"%PDF-" in head[:1024]
    if fmt == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if fmt == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if fmt == "glb":
        return head[:4] == b"glTF" and int.from_bytes(head[4:8], "little") in (1, 2)
    if fmt == "gltf":
        return text_head.startswith(b"{") and b"\x00" not in head and _contains(upload, b'"asset"')
    if fmt == "ifc":
        return text_head.startswith(b"ISO-10303-21;")
    if fmt == "dwg":
        return head.startswith(b"AC10") or head.startswith(b"AC1.") or head.startswith(b"AC2.")
    if fmt == "dxf":
        return head.startswith(b"AutoCAD Binary DXF\r\n\x1a\x00") or bool(_DXF_ASCII.match(head))
    if fmt == "obj":
        return b"\x00" not in head and bool(_OBJ_STATEMENT.search(head))
    if fmt == "fbx":
        return head.startswith(b"Kaydara FBX Binary  \x00") or text_head.startswith(b"; FBX")
    if fmt == "stl":
        if size >= 84 and size == 84 + 50 * int.from_bytes(head[80:84], "little"):
            return True  # binary STL: 80-byte header, triangle count, 50 bytes per triangle
        return text_head.startswith(b"solid") and b"\x00" not in head and b"facet" in head
    return False


@dataclass(frozen=True)
class DocumentInfo:
    format: FileFormat
    size: int

    @property
    def extension(self) -> str:
        return self.format.extensions[0]


def allowed_extensions(kind: str) -> list[str]:
    return [ext for key in KIND_FORMATS.get(kind, ()) for ext in FORMATS[key].extensions]


def inspect_document(upload, *, kind: str) -> DocumentInfo:
    """The format and size of a document of `kind`, or ValidationFailed (field "file")."""
    if kind not in KIND_FORMATS:
        raise ValidationFailed(fields={"kind": [_("Unknown kind of document.")]})
    size = _size_of(upload)
    limit = KIND_MAX_BYTES[kind]
    if size == 0:
        raise _file_error(_("The file is empty."))
    if size > limit:
        raise _file_error(
            _("The file is %(size)s; at most %(max)s is allowed for a %(kind)s.")
            % {"size": _human_size(size), "max": _human_size(limit), "kind": DocumentKind(kind).label}
        )
    extension = PurePath(getattr(upload, "name", "") or "").suffix.lower().lstrip(".")
    allowed = allowed_extensions(kind)
    candidates = [key for key in KIND_FORMATS[kind] if extension in FORMATS[key].extensions]
    if not candidates:
        raise _file_error(
            _("A %(kind)s must be one of: %(formats)s.")
            % {"kind": DocumentKind(kind).label, "formats": ", ".join(f".{e}" for e in allowed)}
        )
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    for key in candidates:
        if _matches(key, head, size, upload):
            upload.seek(0)
            return DocumentInfo(format=FORMATS[key], size=size)
    upload.seek(0)
    raise _file_error(
        _("The content of this file is not %(format)s, whatever its name says.")
        % {"format": " / ".join(str(FORMATS[k].label) for k in candidates)}
    )


def _file_error(message) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_file", fields={"file": [str(message)]})


def document_problems(document: VenueDocument) -> Problems:
    problems = Problems()
    document.title = (document.title or "").strip()
    if not document.title:
        problems.add("title", _("Enter a title."))
    if document.kind not in KIND_FORMATS:
        problems.add("kind", _("Unknown kind of document."))
    if document.kind == DocumentKind.INSPECTION:
        if document.issued_on is None:
            problems.add("issued_on", _("An inspection report needs the date it was issued."))
        if document.valid_until is None:
            problems.add("valid_until", _("An inspection report needs the date it is valid until."))
    if document.issued_on and document.valid_until and document.valid_until < document.issued_on:
        problems.add("valid_until", _("Valid until cannot be before the issue date."))
    return problems


@transaction.atomic
def add_document(
    *,
    venue: Venue,
    kind: str,
    upload,
    title: str,
    actor,
    issued_on: date | None = None,
    valid_until: date | None = None,
    is_public: bool = False,
) -> VenueDocument:
    """Store a drawing, inspection report, indoor map or 3D model. Drawings and inspection reports
    stay with the operator and bureaus unless `is_public`."""
    require_stored_in_scope(actor, venue)
    title = (title or "").strip() or PurePath(getattr(upload, "name", "") or "").stem
    document = VenueDocument(
        venue=venue, kind=kind, title=title[:128], issued_on=issued_on, valid_until=valid_until, is_public=is_public
    )
    problems = document_problems(document)
    try:
        info = inspect_document(upload, kind=kind)
    except ValidationFailed as exc:
        for field, messages in exc.fields.items():
            for message in messages:
                problems.add(field, message)
    problems.raise_if_any()
    document.content_type = info.format.content_type
    document.size = info.size
    try:
        document.file.save(f"documents/{uuid.uuid4().hex}.{info.extension}", upload, save=False)
        document.save()
    except Exception:
        _delete_files(document.file)
        raise
    audit.record(
        action="venues.document.added",
        actor=actor,
        obj=venue,
        document=document.pk,
        kind=kind,
        format=info.format.key,
        size=info.size,
        is_public=is_public,
    )
    return document


@transaction.atomic
def update_document(*, document: VenueDocument, actor) -> VenueDocument:
    """Save a changed title, dates or publication (a new file is a new document)."""
    require_stored_in_scope(actor, document)
    document_problems(document).raise_if_any()
    document.save(update_fields=["title", "issued_on", "valid_until", "is_public", "updated_at"])
    return document


@transaction.atomic
def remove_document(*, document: VenueDocument, actor) -> None:
    require_stored_in_scope(actor, document)
    file = document.file
    audit.record(action="venues.document.removed", actor=actor, obj=document.venue, document=document.pk)
    document.delete()
    transaction.on_commit(lambda: _delete_files(file))


# --- reads ----------------------------------------------------------------------------------------


def is_expired(document: VenueDocument, *, today: date | None = None) -> bool:
    """An inspection report past its valid-until date."""
    today = today or timezone.localdate()
    return bool(
        document.kind == DocumentKind.INSPECTION and document.valid_until is not None and document.valid_until < today
    )


def expired_inspection_reports(queryset=None, *, today: date | None = None):
    qs = queryset if queryset is not None else VenueDocument.objects.all()
    return qs.filter(kind=DocumentKind.INSPECTION, valid_until__lt=today or timezone.localdate())


EXPIRED_LABEL = gettext_lazy("expired")
