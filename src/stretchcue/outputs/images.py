"""Images as files of ours: JPEG, PNG and PDF, each sealed (disk/ours.py) where its format keeps a comment."""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin

from stretchcue.disk.ours import BLANK, BLANK_TEXT, seal

JPEG_QUALITY = 88
PRINT_DPI = 300


def jpeg(image: Image.Image) -> bytes:
    """A compact baseline JPEG (every player shows it), sealed as ours in a comment."""
    data = io.BytesIO()
    image.save(data, "JPEG", quality=JPEG_QUALITY, optimize=True, comment=BLANK)
    return seal(data.getvalue())


def png(image: Image.Image) -> bytes:
    """A PNG, sealed as ours in its Software text."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", BLANK_TEXT)
    data = io.BytesIO()
    image.save(data, "PNG", pnginfo=info)  # (optimize=True saves ~8% for 30 times the time)
    return seal(data.getvalue())


def pdf(pages: list[Image.Image], title: str) -> bytes:
    """The pages as a PDF at print resolution, sealed as ours as its creator (given as bytes, which
    Pillow writes as they are: a str would be stored as UTF-16)."""
    data = io.BytesIO()
    first, *rest = pages
    first.save(data, "PDF", save_all=True, append_images=rest, resolution=PRINT_DPI, title=title, creator=BLANK)
    return seal(data.getvalue())
