"""Named numpy arrays in one file, mapped read-only and shared by every process.

The layout: a fixed header (magic, format version, length of the table of
contents, CRC-32 of everything after the header), a JSON table of contents
(each array's dtype, shape and offset, plus the writer's metadata), then the
arrays, each aligned to 64 bytes. Readers map the file with ``mmap`` and wrap
each array with ``numpy.frombuffer``: the pages live once in the page cache,
whatever the number of processes. The mapping is copy-on-write: arrays are
read-only, except one asked for with ``writable``, whose pages a process copies
only where it writes them. A file is written to a temporary name and
renamed into place, so a reader sees the old file or the new one, never half.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import tempfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"ZXINDEX\0"
_HEAD = struct.Struct("<8sIIQI")  # magic, version, toc bytes, data bytes, crc32
_ALIGN = 64


class IndexFileError(ValueError):
    """The file is missing, of another format version, truncated or corrupt."""


def _crc(view: memoryview) -> int:
    crc, step = 0, 1 << 24
    for start in range(0, len(view), step):
        crc = zlib.crc32(view[start : start + step], crc)
    return crc


def write_arrays(
    path: Path, version: int, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]
) -> None:
    """Write the arrays and metadata to ``path`` atomically (temporary file, then rename)."""
    toc: dict[str, Any] = {"meta": dict(meta), "arrays": {}}
    offset = 0
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        toc["arrays"][name] = {"dtype": arr.dtype.str, "shape": list(arr.shape), "at": offset}
        offset += -(-arr.nbytes // _ALIGN) * _ALIGN
    toc_bytes = json.dumps(toc, ensure_ascii=False).encode()
    toc_bytes += b" " * (-(_HEAD.size + len(toc_bytes)) % _ALIGN)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w+b") as out:
            out.truncate(_HEAD.size + len(toc_bytes) + offset)
            with mmap.mmap(out.fileno(), 0) as mm:
                base = _HEAD.size
                mm[base : base + len(toc_bytes)] = toc_bytes
                base += len(toc_bytes)
                for name, arr in arrays.items():
                    at = base + toc["arrays"][name]["at"]
                    flat = np.ascontiguousarray(arr).reshape(-1).view(np.uint8)
                    mm[at : at + len(flat)] = memoryview(flat)
                crc = _crc(memoryview(mm)[_HEAD.size :])
                mm[: _HEAD.size] = _HEAD.pack(MAGIC, version, len(toc_bytes), offset, crc)
                mm.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class MappedArrays:
    """A file written by ``write_arrays``, mapped read-only and checked."""

    def __init__(self, path: Path, version: int, verify: bool = True) -> None:
        try:
            with open(path, "rb") as f:
                self.stat = os.fstat(f.fileno())
                if self.stat.st_size < _HEAD.size:
                    raise IndexFileError(f"{path}: too short to be an index file")
                self._mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
        except OSError as exc:
            raise IndexFileError(f"{path}: {exc.strerror or exc}") from exc
        magic, found, toc_len, data_len, crc = _HEAD.unpack_from(self._mm, 0)
        if magic != MAGIC:
            raise IndexFileError(f"{path}: not an index file")
        if found != version:
            raise IndexFileError(f"{path}: format version {found}, expected {version}")
        if len(self._mm) != _HEAD.size + toc_len + data_len:
            raise IndexFileError(f"{path}: truncated or padded ({len(self._mm)} bytes)")
        if verify and _crc(memoryview(self._mm)[_HEAD.size :]) != crc:
            raise IndexFileError(f"{path}: checksum mismatch")
        try:
            toc = json.loads(bytes(self._mm[_HEAD.size : _HEAD.size + toc_len]))
            self.meta: dict[str, Any] = toc["meta"]
            self._toc: dict[str, Any] = toc["arrays"]
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexFileError(f"{path}: unreadable table of contents") from exc
        self._base = _HEAD.size + toc_len
        self.path = path

    def __getitem__(self, name: str) -> np.ndarray:
        arr = self.writable(name)
        arr.flags.writeable = False
        return arr

    def writable(self, name: str) -> np.ndarray:
        """An array that this process may change: a page becomes private when written."""
        try:
            spec = self._toc[name]
            dtype = np.dtype(spec["dtype"])
            count = int(np.prod(spec["shape"], dtype=np.int64))
            arr = np.frombuffer(self._mm, dtype=dtype, count=count, offset=self._base + spec["at"])
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexFileError(f"{self.path}: array {name!r} is missing or damaged") from exc
        return arr.reshape(spec["shape"])

    def __contains__(self, name: object) -> bool:
        return name in self._toc
