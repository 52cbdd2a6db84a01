"""Reading ``multipart/form-data`` bodies that carry files, with limits per file and in
all, without the application-wide body limit (which is for JSON and plain forms).

A file's name as sent is kept only as text; it never becomes a path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDictProxy

from infra.web import SETTINGS


class UploadTooLarge(ValueError):
    """A file or the whole body is over its limit."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"{what} is over {limit} bytes")
        self.what = what
        self.limit = limit


class NotMultipart(ValueError):
    """The body is not multipart/form-data."""


class MalformedBody(ValueError):
    """The multipart body cannot be read (bad part headers, a broken boundary)."""


@dataclass(frozen=True, slots=True)
class Upload:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Parts:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[Upload] = field(default_factory=list)


def _from_post(form: MultiDictProxy[str | web.FileField], max_file: int) -> Parts:
    parts = Parts()
    for name, value in form.items():
        if isinstance(value, str):
            parts.fields.setdefault(name, value)
            continue
        if isinstance(value, bytes | bytearray):
            # a file part without a filename (a browser's empty file input): raw bytes
            data, filename, content_type = bytes(value[: max_file + 1]), "", ""
        else:
            data = value.file.read(max_file + 1)
            filename, content_type = value.filename or "", value.content_type
        if len(data) > max_file:
            raise UploadTooLarge("file", max_file)
        if data or filename:
            parts.files.append(Upload(name, filename, content_type, data))
    return parts


async def read_parts(
    request: web.Request, *, max_file: int, max_total: int, max_files: int = 20
) -> Parts:
    """Form fields (first value of each) and files of a multipart body. Empty file inputs
    (a form sent with no file chosen) are left out. ``MalformedBody`` for a body that
    cannot be parsed."""
    try:
        return await _read_parts(request, max_file, max_total, max_files)
    except (HttpProcessingError, LookupError) as exc:
        raise MalformedBody(str(exc)[:200]) from None
    except ValueError as exc:
        # invalid UTF-8 is answered as such by the error middleware
        if isinstance(exc, UploadTooLarge | NotMultipart | MalformedBody | UnicodeDecodeError):
            raise
        raise MalformedBody(str(exc)[:200]) from None


async def _read_parts(request: web.Request, max_file: int, max_total: int, max_files: int) -> Parts:
    if request.content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        return Parts(fields={k: v for k, v in form.items() if isinstance(v, str)})
    size = request.content_length
    if request.content_type != "multipart/form-data":
        # any other body is held to the application's limit, as on every other route
        limit = request.app[SETTINGS].max_body_bytes
        if size is not None and size > limit:
            raise UploadTooLarge("body", limit)
        raise NotMultipart(request.content_type)
    if size is not None and size > max_total:
        raise UploadTooLarge("body", max_total)
    if size is not None and size <= request.app[SETTINGS].max_body_bytes:
        # small enough for the app's own parser (and maybe read already by a middleware)
        return _from_post(await request.post(), max_file)
    parts = Parts()
    total = 0
    reader = await request.multipart()
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader) or not part.name:
            continue
        if part.filename is None:
            text = await part.read(decode=True)
            total += len(text)
            if total > max_total:
                raise UploadTooLarge("body", max_total)
            parts.fields.setdefault(part.name, text.decode(part.get_charset("utf-8")))
            continue
        chunks = bytearray()
        while chunk := await part.read_chunk(64 * 1024):
            chunks += chunk
            total += len(chunk)
            if len(chunks) > max_file:
                raise UploadTooLarge("file", max_file)
            if total > max_total:
                raise UploadTooLarge("body", max_total)
        if chunks or part.filename:
            if len(parts.files) >= max_files:
                raise UploadTooLarge("files", max_files)
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            parts.files.append(Upload(part.name, part.filename, content_type, bytes(chunks)))
    return parts
