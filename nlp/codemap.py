"""Unified social credit code → slot, compact at millions of codes.

A Python dict of a million 18-character keys costs well over 100 MB; the bulk of
the codes sits instead in one sorted fixed-width array (18 bytes each) searched
by bisection, and only codes registered after the bulk load go to a small dict.
"""

from __future__ import annotations

import numpy as np

NONE = 0xFFFFFFFF  # a slot in the sorted array whose code was removed


class CodeMap:
    """Code → slot; bulk-loaded once, then updated in place."""

    def __init__(self) -> None:
        self._codes = np.zeros(0, dtype="S18")
        self._slots = np.zeros(0, dtype=np.uint32)
        self._extra: dict[str, int] = {}

    def load(self, codes: bytes | bytearray) -> np.ndarray:
        """Take slot i's code from codes[18 i: 18 i + 18] for every slot; where a code
        repeats the last slot wins. Returns the slots that lost (to be marked dead)."""
        flat = np.frombuffer(bytes(codes), dtype="S18")
        order = np.argsort(flat, kind="stable")
        ordered = flat[order]
        last = np.ones(len(ordered), dtype=bool)
        last[:-1] = ordered[1:] != ordered[:-1]
        self._codes = ordered[last]
        self._slots = order[last].astype(np.uint32)
        self._extra = {}
        return order[~last]

    def _find(self, code: str) -> int:
        if not len(self._codes) or len(code) != 18:
            return -1
        key = code.encode("ascii", "replace")
        i = int(np.searchsorted(self._codes, key))
        return i if i < len(self._codes) and self._codes[i] == key else -1

    def get(self, code: str) -> int | None:
        """The slot of a code, or None."""
        i = self._find(code)
        if i < 0:
            return self._extra.get(code)
        slot = int(self._slots[i])
        return None if slot == NONE else slot

    def set(self, code: str, slot: int) -> None:
        """Point a code at a slot (a new code, or one re-registered under a new name)."""
        i = self._find(code)
        if i < 0:
            self._extra[code] = slot
        else:
            self._slots[i] = slot

    def pop(self, code: str) -> int | None:
        """Forget a code; its slot, or None."""
        i = self._find(code)
        if i < 0:
            return self._extra.pop(code, None)
        slot = int(self._slots[i])
        self._slots[i] = NONE
        return None if slot == NONE else slot

    def memory_bytes(self) -> int:
        """Arrays plus an estimate for the dict (entry, key string, int value)."""
        return self._codes.nbytes + self._slots.nbytes + len(self._extra) * 170
