"""Generated venue photos (no downloads): a gradient in the venue type's colour, a simple drawing
of what the venue has (court, pool, track, park), and the venue's name when a CJK font is
installed (Noto Sans CJK from fonts-noto-cjk; without it the picture has no text).

Backgrounds are drawn once per (kind, variant) and copied: the name and the JPEG encoding are the
only per-photo work, about 5 ms a photo."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

SIZE = (800, 500)
THUMBNAIL_SIZE = (320, 200)
JPEG_QUALITY = 80
FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]
NOTO_SC_INDEX = 2  # in Noto's .ttc collections: JP, KR, SC, TC, HK — simplified Chinese glyph shapes

# Dark and light end of each drawing's gradient.
PALETTE = {
    "court": ("#0b5d3b", "#3fb27f"),  # badminton / basketball halls: green
    "pool": ("#0a3d6b", "#4fb3e8"),  # natatoriums: blue
    "track": ("#7a2d12", "#e0794a"),  # stadiums: red-brown track
    "gym": ("#2b2b3a", "#8a6cd8"),  # gyms and studios: dark violet
    "park": ("#2f5d1a", "#9acd5b"),  # sports parks: light green
    "hall": ("#5a3a0a", "#e0a33a"),  # gymnasiums and centres: wooden floor
}
KIND_BY_VENUE_TYPE = {
    "stadium": "track",
    "gymnasium": "hall",
    "natatorium": "pool",
    "fitness_centre": "hall",
    "sports_park": "park",
    "school": "track",
    "gym": "gym",
    "other": "court",
}


@dataclass(frozen=True)
class GeneratedPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


@cache
def cjk_font(size: int) -> ImageFont.FreeTypeFont | None:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            try:
                index = NOTO_SC_INDEX if "Noto" in candidate else 0
                return ImageFont.truetype(candidate, size, index=index)
            except OSError:
                continue
    return None


def _gradient(dark: str, light: str, variant: int) -> Image.Image:
    ramp = Image.linear_gradient("L").resize(SIZE)
    if variant % 2:
        ramp = ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return ImageOps.colorize(ramp, dark, light)


def _draw_court(draw: ImageDraw.ImageDraw, variant: int) -> None:
    w, h = SIZE
    x0, y0, x1, y1 = 120, 90, w - 120, h - 110
    draw.rectangle((x0, y0, x1, y1), outline="white", width=5)
    mid = (x0 + x1) // 2
    draw.line((mid, y0, mid, y1), fill="white", width=5)
    if variant % 3 == 0:  # basketball: centre circle and keys
        draw.ellipse((mid - 50, (y0 + y1) // 2 - 50, mid + 50, (y0 + y1) // 2 + 50), outline="white", width=4)
        draw.rectangle((x0, (y0 + y1) // 2 - 60, x0 + 110, (y0 + y1) // 2 + 60), outline="white", width=4)
        draw.rectangle((x1 - 110, (y0 + y1) // 2 - 60, x1, (y0 + y1) // 2 + 60), outline="white", width=4)
    else:  # badminton / tennis: service lines and a net
        for x in (x0 + 90, x1 - 90):
            draw.line((x, y0, x, y1), fill="white", width=3)
        draw.line((x0 + 90, (y0 + y1) // 2, x1 - 90, (y0 + y1) // 2), fill="white", width=3)
        draw.line((mid, y0 - 20, mid, y1 + 20), fill="#dddddd", width=8)


def _draw_pool(draw: ImageDraw.ImageDraw, variant: int) -> None:
    w, h = SIZE
    x0, y0, x1, y1 = 90, 80, w - 90, h - 110
    draw.rectangle((x0, y0, x1, y1), outline="white", width=6)
    lanes = 6 + variant % 3 * 2
    for i in range(1, lanes):
        y = y0 + (y1 - y0) * i // lanes
        for x in range(x0 + 10, x1 - 10, 24):
            draw.ellipse((x, y - 4, x + 10, y + 4), fill="#ffdd33" if (x // 24) % 2 else "#ff5533")


def _draw_track(draw: ImageDraw.ImageDraw, variant: int) -> None:
    w, h = SIZE
    for i in range(6):
        pad = 60 + i * 14
        draw.rounded_rectangle((pad, pad - 20, w - pad, h - pad - 40), radius=150 - i * 14, outline="white", width=2)
    draw.rounded_rectangle((150, 115, w - 150, h - 175), radius=60, fill="#2e8b3e")
    draw.ellipse((w // 2 - 35, h // 2 - 65, w // 2 + 35, h // 2 + 5), outline="white", width=3)


def _draw_gym(draw: ImageDraw.ImageDraw, variant: int) -> None:
    w = SIZE[0]
    for i in range(4 + variant % 3):  # dumbbells on a rack
        x = 120 + i * 120
        draw.rectangle((x, 200, x + 80, 212), fill="#dddddd")
        draw.rectangle((x - 10, 180, x + 10, 232), fill="#444444")
        draw.rectangle((x + 70, 180, x + 90, 232), fill="#444444")
    draw.line((80, 260, w - 80, 260), fill="#bbbbbb", width=6)
    for x in range(100, w - 100, 60):  # mirror panels
        draw.rectangle((x, 40, x + 50, 150), outline="#ffffff55", width=2)


def _draw_park(draw: ImageDraw.ImageDraw, variant: int) -> None:
    w, h = SIZE
    draw.arc((-200, 150, w + 200, h + 300), 190, 350, fill="#f0e2b6", width=26)  # a path
    for i in range(9):  # trees
        x = 60 + (i * 97 + variant * 31) % (w - 120)
        y = 80 + (i * 53) % 150
        draw.ellipse((x - 35, y - 35, x + 35, y + 35), fill="#1f4d12")
        draw.rectangle((x - 5, y + 30, x + 5, y + 60), fill="#5a3a1a")


def _draw_hall(draw: ImageDraw.ImageDraw, variant: int) -> None:
    w, h = SIZE
    for x in range(0, w, 40):  # floorboards
        draw.line((x, 0, x, h), fill="#00000022", width=1)
    _draw_court(draw, variant)


DRAWINGS = {
    "court": _draw_court,
    "pool": _draw_pool,
    "track": _draw_track,
    "gym": _draw_gym,
    "park": _draw_park,
    "hall": _draw_hall,
}


@cache
def _background(kind: str, variant: int) -> Image.Image:
    dark, light = PALETTE[kind]
    image = _gradient(dark, light, variant)
    draw = ImageDraw.Draw(image, "RGBA")
    DRAWINGS[kind](draw, variant)
    draw.rectangle((0, SIZE[1] - 96, SIZE[0], SIZE[1]), fill=(0, 0, 0, 140))  # band for the name
    return image


def render_photo(*, venue_type: str, title: str, caption: str = "", variant: int = 0) -> GeneratedPhoto:
    """A JPEG of 800×500 and its 320×200 thumbnail for a venue of `venue_type`."""
    kind = KIND_BY_VENUE_TYPE.get(venue_type, "court")
    image = _background(kind, variant % 6).copy()
    title_font, caption_font = cjk_font(40), cjk_font(22)
    if title_font is not None:
        draw = ImageDraw.Draw(image)
        draw.text((32, SIZE[1] - 88), title[:18], font=title_font, fill="white")
        if caption:
            draw.text((34, SIZE[1] - 36), caption[:30], font=caption_font, fill="#dddddd")
    return GeneratedPhoto(
        image=_jpeg(image),
        thumbnail=_jpeg(image.resize(THUMBNAIL_SIZE, Image.Resampling.BILINEAR)),
        width=SIZE[0],
        height=SIZE[1],
    )


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False)
    return out.getvalue()
