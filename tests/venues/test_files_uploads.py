"""venues.domain.files: photos must be real images (thumbnail made on upload), documents must be
what their kind allows, by content and size; expired inspection reports; private documents."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

import io
import json
import os
import struct
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sportsplatform.core.errors import NotFound, ValidationFailed
from sportsplatform.venues.domain import files
from sportsplatform.venues.models import VenueDocument, VenuePhoto
from sportsplatform.venues.queries import public_documents
from tests.backoffice.conftest import world  # noqa: F401  (fixture)

from .factories import make_venue

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_upload(name="photo.png", *, size=(1200, 800), fmt="PNG", mode="RGB") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new(mode, size, color=(0, 120, 200) if mode == "RGB" else 0).save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_add_photo_stores_image_and_makes_a_480px_jpeg_thumbnail(world, media_root):
    venue = make_venue()

    photo = files.add_photo(venue=venue, upload=image_upload(), caption="正门", actor=world.users["wuhou"])

    photo = VenuePhoto.objects.get(pk=photo.pk)
    assert (photo.width, photo.height) == (1200, 800)
    assert photo.image.name.startswith(f"venues/{venue.pk}/photos/") and photo.image.name.endswith(".png")
    with Image.open(photo.thumbnail.path) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (480, 320)
    assert str(media_root) in photo.image.path


def test_add_photo_text_renamed_jpg_is_refused_and_nothing_stored(world, media_root):
    venue = make_venue()

    with pytest.raises(ValidationFailed) as exc:
        files.add_photo(venue=venue, upload=upload("photo.jpg", b"just some text, not a picture"), actor=None)

    assert "image" in exc.value.fields
    assert not VenuePhoto.objects.exists()
    assert not media_root.exists() or not [p for p in media_root.rglob("*") if p.is_file()]


def test_add_photo_gif_is_refused(world):
    with pytest.raises(ValidationFailed):
        files.add_photo(venue=make_venue(), upload=image_upload("a.gif", fmt="GIF", mode="L"), actor=None)


def test_add_photo_over_40_megapixels_is_refused_before_decoding(world):
    huge = image_upload("huge.png", size=(8000, 6000), mode="1")  # compresses to a few KB

    with pytest.raises(ValidationFailed) as exc:
        files.add_photo(venue=make_venue(), upload=huge, actor=None)

    assert "百万像素" in exc.value.fields["image"][0]


def test_add_photo_over_10_mb_is_refused(world):
    big = upload("big.jpg", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024))

    with pytest.raises(ValidationFailed) as exc:
        files.add_photo(venue=make_venue(), upload=big, actor=None)

    assert "MB" in exc.value.fields["image"][0]


def test_add_photo_other_county_answers_not_found(world):
    venue = make_venue(region="510104", lat="30.62", lng="104.10")

    with pytest.raises(NotFound):
        files.add_photo(venue=venue, upload=image_upload(), actor=world.users["wuhou"])


def test_add_document_pdf_inspection_report_records_type_and_size(world):
    venue = make_venue()

    document = files.add_document(
        venue=venue,
        kind="inspection",
        upload=upload("报告.pdf", PDF),
        title="",
        issued_on=date(2025, 1, 1),
        valid_until=date(2026, 1, 1),
        actor=world.users["wuhou"],
    )

    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.title == "报告"
    assert document.file.name.endswith(".pdf") and "报告" not in document.file.name


def glb() -> bytes:
    return b"glTF" + struct.pack("<II", 2, 12)


def binary_stl(triangles=2) -> bytes:
    return b"\0" * 80 + struct.pack("<I", triangles) + b"\0" * (50 * triangles)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("model.glb", glb(), "model/gltf-binary"),
        ("model.gltf", json.dumps({"asset": {"version": "2.0"}, "scenes": []}).encode(), "model/gltf+json"),
        ("building.ifc", b"ISO-10303-21;\nHEADER;\nENDSEC;\n", "application/x-step"),
        ("plan.dwg", b"AC1032" + b"\0" * 100, "image/vnd.dwg"),
        ("plan.dxf", b"  0\nSECTION\n  2\nHEADER\n  0\nENDSEC\n  0\nEOF\n", "image/vnd.dxf"),
        ("mesh.obj", b"# exported\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n", "model/obj"),
        ("mesh.fbx", b"Kaydara FBX Binary  \x00\x1a\x00" + b"\0" * 20, "application/octet-stream"),
        ("mesh.stl", binary_stl(), "model/stl"),
    ],
)
def test_add_document_3d_model_formats_are_recognised(world, name, content, content_type):
    document = files.add_document(
        venue=make_venue(), kind="model_3d", upload=upload(name, content), title="模型", actor=None
    )

    assert document.content_type == content_type


@pytest.mark.parametrize(
    ("kind", "name", "content"),
    [
        ("inspection", "report.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 20),  # a PNG named .pdf
        ("inspection", "report.docx", b"PK\x03\x04"),  # not allowed for reports
        ("drawing", "plan.pdf", b"<html><script>alert(1)</script></html>"),
        ("indoor_map", "map.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("model_3d", "model.glb", b"GLTF" + b"\0" * 8),
        ("model_3d", "model.gltf", b'{"scenes": []}'),
        ("model_3d", "mesh.stl", b"\0" * 80 + struct.pack("<I", 5) + b"\0" * 10),
    ],
)
def test_add_document_content_not_matching_kind_is_refused(world, kind, name, content):
    with pytest.raises(ValidationFailed) as exc:
        files.add_document(
            venue=make_venue(),
            kind=kind,
            upload=upload(name, content),
            title="x",
            issued_on=date(2025, 1, 1),
            valid_until=date(2026, 1, 1),
            actor=None,
        )

    assert "file" in exc.value.fields
    assert not VenueDocument.objects.exists()


def test_add_document_over_the_kinds_limit_is_refused(world, monkeypatch):
    monkeypatch.setitem(files.KIND_MAX_BYTES, "drawing", 100)

    with pytest.raises(ValidationFailed) as exc:
        files.add_document(venue=make_venue(), kind="drawing", upload=upload("a.pdf", PDF * 5), title="x", actor=None)

    assert "最大允许" in exc.value.fields["file"][0]


def test_add_document_inspection_report_needs_both_dates(world):
    with pytest.raises(ValidationFailed) as exc:
        files.add_document(venue=make_venue(), kind="inspection", upload=upload("a.pdf", PDF), title="x", actor=None)

    assert {"issued_on", "valid_until"} <= exc.value.fields.keys()


def test_expired_inspection_report_is_flagged(world):
    venue = make_venue()
    today = date(2026, 6, 1)
    expired = files.add_document(
        venue=venue,
        kind="inspection",
        upload=upload("old.pdf", PDF),
        title="2024 检测",
        issued_on=date(2024, 5, 1),
        valid_until=today - timedelta(days=1),
        actor=None,
    )
    current = files.add_document(
        venue=venue,
        kind="inspection",
        upload=upload("new.pdf", PDF),
        title="2026 检测",
        issued_on=date(2026, 5, 1),
        valid_until=date(2027, 5, 1),
        actor=None,
    )

    assert files.is_expired(expired, today=today)
    assert not files.is_expired(current, today=today)
    assert list(files.expired_inspection_reports(today=today)) == [expired]


def test_unpublished_drawing_is_not_a_public_document(world):
    venue = make_venue()
    private = files.add_document(venue=venue, kind="drawing", upload=upload("a.pdf", PDF), title="施工图", actor=None)
    shown = files.add_document(
        venue=venue, kind="indoor_map", upload=upload("m.pdf", PDF), title="室内地图", is_public=True, actor=None
    )

    assert public_documents(venue) == [shown]
    assert private not in public_documents(venue)


def test_remove_photo_deletes_its_files_after_commit(world, django_capture_on_commit_callbacks):
    photo = files.add_photo(venue=make_venue(), upload=image_upload(), actor=None)
    image_path, thumb_path = photo.image.path, photo.thumbnail.path

    with django_capture_on_commit_callbacks(execute=True):
        files.remove_photo(photo=photo, actor=None)

    assert not VenuePhoto.objects.exists()
    assert not os.path.exists(image_path) and not os.path.exists(thumb_path)
