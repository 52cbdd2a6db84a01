"""Files for the evidence tests, made here: a JPEG with GPS in its EXIF, a PNG, a PDF,
and an executable under a photo's name."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (640, 480), color: str = "orange") -> bytes:
    """A photo that says where it was taken (Nanjing) and with which camera."""
    img = Image.new("RGB", size, color)
    for x in range(0, size[0], 40):  # some detail, so it is a picture and not a flat fill
        for y in range(0, size[1], 40):
            img.putpixel((x, y), (0, 0, 0))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0131] = "SecretEditor 1.0"  # Software
    exif[GPS_IFD] = {
        1: "N",
        2: (32.0, 3.0, 36.0),
        3: "E",
        4: (118.0, 46.0, 48.0),
    }
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def gps_of(data: bytes) -> dict[Any, Any]:
    with Image.open(io.BytesIO(data)) as img:
        return dict(img.getexif().get_ifd(GPS_IFD))


def exif_of(data: bytes) -> dict[Any, Any]:
    with Image.open(io.BytesIO(data)) as img:
        return dict(img.getexif())


def png(size: tuple[int, int] = (200, 120)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return out.getvalue()


def pdf() -> bytes:
    """A minimal one-page PDF (a receipt)."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def executable() -> bytes:
    """The start of a Windows executable (MZ header), as someone might name it photo.jpg."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
