"""The enterprise index as one shared file: written once, mapped read-only by every process.

``save_index`` writes an index's arrays (``nlp.indexfile``); ``open_index``
maps them and returns a new, empty index layered on top: additions and
replacements go to the top layer (as on a built index), and the mapped layer's
one-byte-per-name liveness flags are copy-on-write: a page of them becomes
private only when a name on it is replaced or removed. Every other
array (names, canonical texts, pinyin, postings, the code table) is a view of
the shared pages, so a process adds a few megabytes, not the whole index.
"""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from nlp.codemap import CodeMap
from nlp.indexfile import IndexFileError, MappedArrays, write_arrays
from nlp.lookup import EnterpriseIndex
from nlp.postings import Postings

FORMAT = 4  # bump when the arrays or the text folding change: older files are rebuilt
_I = TypeVar("_I", bound=EnterpriseIndex)

__all__ = ["FORMAT", "IndexFileError", "open_index", "save_index"]


def _u8(blob: bytes | bytearray) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype=np.uint8)


def save_index(index: EnterpriseIndex, path: Path, meta: dict[str, Any]) -> None:
    """Write a built index (not one layered on a file) to ``path``, atomically."""
    if index._base is not None or index._mapped is not None:
        raise ValueError("only a built index can be saved")
    index.compact()  # fold incremental additions into the main postings
    codemap = CodeMap()
    dead = codemap.load(index._codes)  # the newest slot of a repeated code wins
    alive = bytearray(index._alive)
    for slot in dead.tolist():
        alive[slot] = 0
    post = index._postings
    arrays = {
        "codes": _u8(index._codes),
        "texts": _u8(index._texts),
        "text_off": np.frombuffer(index._text_off, dtype=np.uint64),
        "alive": _u8(alive),
        "code_sorted": codemap._codes,
        "code_slot": codemap._slots,
        "doc_slot": np.frombuffer(index._doc_slot, dtype=np.uint32),
        "doc_off": np.frombuffer(index._doc_off, dtype=np.uint64),
        "canon": np.frombuffer(bytes(index._canon), dtype=np.uint16),
        "units": np.frombuffer(bytes(index._units), dtype=np.uint16),
        "doc_alias": _u8(index._doc_alias),
        "doc_skip": _u8(index._doc_skip),
        "bounds": post._bounds,
        "post": post._post,
    }
    info = {"live": sum(alive), "bits": post._bits, "n_docs": post._n_docs}
    write_arrays(path, FORMAT, arrays, {**meta, "index": info})


def open_index(cls: type[_I], path: Path, verify: bool = True) -> tuple[_I, dict[str, Any]]:
    """A new empty ``cls`` layered on the index in ``path``, and the writer's metadata.

    Raises ``IndexFileError`` when the file is missing, of another format, or corrupt."""
    mapped = MappedArrays(path, FORMAT, verify=verify)
    meta = dict(mapped.meta)
    try:
        info = meta.pop("index")
        base = EnterpriseIndex()
        base._mapped = mapped
        base._codes, base._texts = mapped["codes"], mapped["texts"]
        base._text_off = mapped["text_off"]
        # replaced names are hidden here: copy-on-write, a page is private once written
        base._alive = mapped.writable("alive")
        base._live = int(info["live"])
        base._codemap = CodeMap()
        base._codemap._codes, base._codemap._slots = mapped["code_sorted"], mapped["code_slot"]
        base._doc_slot, base._doc_off = mapped["doc_slot"], mapped["doc_off"]
        base._canon, base._units = mapped["canon"], mapped["units"]
        base._doc_alias, base._doc_skip = mapped["doc_alias"], mapped["doc_skip"]
        base._postings = Postings.mapped(
            mapped["bounds"], mapped["post"], int(info["bits"]), int(info["n_docs"])
        )
        _check(base)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, IndexFileError):
            raise
        raise IndexFileError(f"{path}: inconsistent index arrays ({exc})") from exc
    top = cls()
    top._base = base
    return top, meta


def _check(base: EnterpriseIndex) -> None:
    """Cheap consistency checks, so a damaged file fails here and not in a search."""
    n_slots, n_docs = len(base._alive), len(base._doc_slot)
    if len(base._codes) != 18 * n_slots or len(base._text_off) != n_slots + 1:
        raise ValueError("slot arrays disagree")
    if int(base._text_off[-1]) != len(base._texts):
        raise ValueError("text offsets run past the texts")
    if len(base._doc_off) != n_docs + 1 or int(base._doc_off[-1]) != len(base._canon):
        raise ValueError("document offsets run past the texts")
    if len(base._units) != len(base._canon) or len(base._doc_skip) != n_docs:
        raise ValueError("document arrays disagree")
    if n_docs and int(np.max(base._doc_slot)) >= n_slots:
        raise ValueError("a document names a slot that does not exist")
    post = base._postings
    if int(post._bounds[-1]) != len(post._post) or len(post._bounds) != post.buckets + 1:
        raise ValueError("postings bounds disagree")
    if len(post._post) and int(np.max(post._post)) >= n_docs:
        raise ValueError("a posting names a document that does not exist")
    if not isinstance(base._text_off, np.ndarray | array):
        raise TypeError("offsets")
