"""What a photo or document must be to be kept as evidence, and what is kept of it.

The type is decided by the file's first bytes, never by its name or the type the
client claims: JPEG, PNG, WebP and GIF are images, ``%PDF-`` is a document; anything
else (an executable renamed ``.jpg`` included) is refused. Images are decoded and
re-encoded with Pillow, so EXIF (GPS position, camera, time), comments, ICC profiles and
whatever follows the image data are gone; the orientation EXIF asked for is applied
first. PDFs are kept byte for byte and only ever served as downloads.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from infra.blobstore import blob_name
from infra.i18n import LocalizedError

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_CASE = 10
MAX_CASE_BYTES = 50 * 1024 * 1024
# a larger image is refused before it is decoded (a "decompression bomb")
MAX_PIXELS = 40_000_000
THUMB_SIZE = 320
JPEG_QUALITY = 88

# the retention period of evidence, in days, counted from the case's last entry once
# it is finished (resolved, closed or rejected)
RETENTION_DAYS = {"complaint": 3 * 365, "inquiry": 365, "tip": 5 * 365}
FINISHED = ("resolved", "closed", "rejected")


def N_(message: str) -> str:
    """Mark a message for translation; it is translated where it is shown."""
    return message


class EvidenceRefused(LocalizedError):
    """The file is not taken; nothing was stored. ``msgid`` is the English message."""

    def __init__(self, code: str, message: str, status: int = 400, **params: Any) -> None:
        super().__init__(message, **params)
        self.code = code
        self.status = status


@dataclass(frozen=True, slots=True)
class Stored:
    """A checked file already in the evidence store, named by its hashes: what a
    conversation keeps until its case is filed."""

    sha256: str
    kind: str
    content_type: str
    bytes: int
    width: int | None = None
    height: int | None = None
    thumb_sha256: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stored:
        return cls(**{name: data.get(name) for name in cls.__slots__})


@dataclass(frozen=True, slots=True)
class Prepared:
    """A checked file as it will be stored, with its thumbnail for images."""

    kind: str  # image or document
    content_type: str
    data: bytes
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None
    note: str | None = None

    @property
    def sha256(self) -> str:
        return blob_name(self.data)

    def stored(self) -> Stored:
        """What is recorded once the file and its thumbnail are in the store."""
        return Stored(
            self.sha256,
            self.kind,
            self.content_type,
            len(self.data),
            self.width,
            self.height,
            None if self.thumbnail is None else blob_name(self.thumbnail),
            self.note,
        )


def sniff(head: bytes) -> str | None:
    """The type the first bytes show: jpeg, png, webp, gif, pdf, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:1024].lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        return "pdf"
    return None


def too_large() -> EvidenceRefused:
    return EvidenceRefused(
        "too_large",
        N_("A file may be at most {limit} MB."),
        413,
        limit=MAX_FILE_BYTES // (1024 * 1024),
    )


def prepare(data: bytes, note: str | None = None) -> Prepared:
    """Check one uploaded file and turn it into what is stored (CPU work: run it off the
    event loop). ``EvidenceRefused`` says why a file is not taken."""
    if not data:
        raise EvidenceRefused("empty_file", N_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise too_large()
    found = sniff(data[:1100])
    if found is None:
        raise EvidenceRefused(
            "unsupported_type",
            N_("Only photos (JPEG, PNG, WebP, GIF) and PDF documents are accepted."),
            415,
        )
    if note is not None:
        note = note.strip()[:1000] or None
    if found == "pdf":
        if b"%%EOF" not in data[-2048:]:
            raise EvidenceRefused("damaged_file", N_("The file is damaged or incomplete."))
        return Prepared("document", "application/pdf", data, note=note)
    return _image(data, note, lossless=found in ("png", "gif"))


def _image(data: bytes, note: str | None, lossless: bool) -> Prepared:
    """Photos (JPEG, WebP) become JPEG; PNG and GIF (screenshots, scans) become PNG."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise EvidenceRefused(
                    "too_many_pixels",
                    N_("The picture is too large ({pixels} million pixels; at most {limit})."),
                    413,
                    pixels=round(width * height / 1e6),
                    limit=MAX_PIXELS // 1_000_000,
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            out = io.BytesIO()
            if lossless:
                mode = "RGBA" if img.mode in ("RGBA", "LA", "P") and _has_alpha(img) else "RGB"
                clean = img.convert(mode)
                # a fresh image: no info, no text chunks, no profile travel along
                fresh = Image.new(mode, clean.size)
                fresh.paste(clean)
                fresh.save(out, "PNG", optimize=True)
                content_type = "image/png"
            else:
                clean = img.convert("RGB")
                fresh = Image.new("RGB", clean.size)
                fresh.paste(clean)
                fresh.save(out, "JPEG", quality=JPEG_QUALITY)
                content_type = "image/jpeg"
            thumb = fresh.convert("RGB")
            thumb.thumbnail((THUMB_SIZE, THUMB_SIZE))
            thumb_out = io.BytesIO()
            thumb.save(thumb_out, "JPEG", quality=80)
    except EvidenceRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise EvidenceRefused("damaged_file", N_("The file is damaged or incomplete.")) from None
    stored = out.getvalue()
    if len(stored) > MAX_FILE_BYTES:
        raise too_large()
    return Prepared(
        "image",
        content_type,
        stored,
        fresh.width,
        fresh.height,
        thumb_out.getvalue(),
        note,
    )


def _has_alpha(img: Any) -> bool:
    if img.mode == "P":
        return "transparency" in img.info
    return True
