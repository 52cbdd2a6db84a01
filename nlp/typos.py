"""Homophone typos: 电悌 → 电梯, 过其 → 过期, 保质其 → 保质期.

Citizens type with pinyin input methods, so a wrong character usually sounds
like the right one. Rather than listing misspellings, a span of the text is
compared by sound with the domain vocabulary (the registry's keywords):

- sounds are toneless pinyin with the mergers common in Jiangsu speech
  (zh/z, ch/c, sh/s, n/l, -ng/-n), every reading of a character counts;
- only spans made of whole jieba tokens are considered, and only when they
  hold a single-character token or are themselves a rare word: a typo breaks
  a word into stray characters, while correct text segments into words;
- a span that is a common word (报价, 深水) is never "corrected";
- vocabulary words are indexed under their usual reading only, and phrases
  built on function characters (买的, 的士) are left out: 卖的 is not a typo;
- words of up to three characters need the same sound and one shared
  character; longer words may differ in one character whose pinyin is close
  (rapidfuzz), e.g. 农约残留 → 农药残留.
"""

from __future__ import annotations

import itertools
import marshal
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from rapidfuzz import fuzz

from nlp.segment import cache_dir
from nlp.text import is_cjk

# A span seen this often in general Chinese is a word in its own right.
COMMON_WORD_FREQ = 50
NEAR_PINYIN_RATIO = 75.0
MAX_SPAN = 4
NEAR_MIN_LEN = 4
# Characters that make a vocabulary entry a phrase rather than a word.
FUNCTION_CHARS = frozenset("的了是着得地吗呢吧")
MEMO_SIZE = 50_000
_UNSEEN = object()


@dataclass(frozen=True, slots=True)
class Correction:
    """A span of the text (``wrong``) read as a vocabulary word (``right``)."""

    wrong: str
    right: str


def _toneless(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fuzzy(syllable: str) -> str:
    s = syllable
    if s[:2] in ("zh", "ch", "sh"):
        s = s[0] + s[2:]
    if s.startswith("n"):
        s = "l" + s[1:]
    if s.endswith("ng"):
        s = s[:-1]
    return s


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")

# Character -> (fuzzy readings..., plain first reading). Importing pypinyin
# costs ~0.5 s (it parses its whole dictionary), so the table it yields is
# kept in the cache directory and pypinyin is only imported to rebuild it.
_table: dict[int, tuple[str, ...]] | None = None
_table_lock = threading.Lock()


def _build_table() -> dict[int, tuple[str, ...]]:
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[int, tuple[str, ...]] = {}
    for code, raw in pinyin_dict.items():
        readings = [_toneless(r) for r in raw.split(",") if r]
        if not readings:
            continue
        keys: list[str] = []
        for reading in readings:
            key = _fuzzy(reading)
            if key not in keys:
                keys.append(key)
        table[code] = (*keys, readings[0])
    return table


def _sound_table() -> dict[int, tuple[str, ...]]:
    global _table
    if _table is not None:
        return _table
    with _table_lock:
        if _table is None:
            path = Path(cache_dir()) / f"pinyin-sounds-{version('pypinyin')}.marshal"
            try:
                with path.open("rb") as fh:
                    _table = marshal.load(fh)
            except (OSError, EOFError, ValueError, TypeError):
                _table = _build_table()
                try:
                    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".sounds-")
                    with os.fdopen(fd, "wb") as out:
                        marshal.dump(_table, out)
                    os.replace(tmp, path)
                except OSError:
                    pass  # no cache: rebuilt on the next start, still correct
        return _table


@lru_cache(maxsize=8192)
def sounds(char: str) -> tuple[str, ...]:
    """Fuzzy toneless readings of one character, most common first; () if not Chinese."""
    entry = _sound_table().get(ord(char))
    return entry[:-1] if entry else ()


def _plain(word: str) -> str:
    table = _sound_table()
    return "".join(table.get(ord(c), ("", ""))[-1] for c in word)


class HomophoneCorrector:
    """Finds spans that sound like a vocabulary word and rewrites them."""

    def __init__(
        self, vocabulary: Iterable[str], frequency: Callable[[str], int] | None = None
    ) -> None:
        self._frequency = frequency or (lambda _w: 0)
        self._vocab: set[str] = set()
        self._by_sound: dict[tuple[str, ...], list[str]] = {}
        self._by_first: dict[tuple[int, str], list[str]] = {}
        self._memo: dict[str, str | None] = {}
        # in a fixed order: when two words sound alike, the first indexed is offered
        for word in sorted(vocabulary):
            self.add(word)

    def add(self, word: str) -> None:
        """Index one vocabulary word under the usual reading of its characters."""
        if word in self._vocab or not 2 <= len(word) <= MAX_SPAN:
            return
        if not all(is_cjk(c) and sounds(c) for c in word) or FUNCTION_CHARS & set(word):
            return
        self._vocab.add(word)
        self._memo.clear()
        # The usual reading only: rare readings (还 as fú) make false friends.
        usual = tuple(sounds(c)[0] for c in word)
        self._by_sound.setdefault(usual, []).append(word)
        self._by_first.setdefault((len(word), usual[0]), []).append(word)

    def _candidate(self, span: str) -> str | None:
        readings = [sounds(c) for c in span]
        if not all(readings):
            return None
        for combo in itertools.product(*readings):
            for word in self._by_sound.get(combo, ()):
                if word != span and any(a == b for a, b in zip(word, span, strict=True)):
                    return word
        if len(span) < NEAR_MIN_LEN:
            return None
        plain = _plain(span)
        for first in readings[0]:
            for word in self._by_first.get((len(span), first), ()):
                same = sum(a == b for a, b in zip(word, span, strict=True))
                if same == len(span) - 1 and fuzz.ratio(plain, _plain(word)) >= NEAR_PINYIN_RATIO:
                    return word
        return None

    def _lookup(self, span: str) -> str | None:
        word = self._memo.get(span, _UNSEEN)
        if word is not _UNSEEN:
            return word  # type: ignore[return-value]
        word = None
        if span not in self._vocab and self._frequency(span) < COMMON_WORD_FREQ:
            word = self._candidate(span)
        if len(self._memo) > MEMO_SIZE:
            self._memo.clear()
        self._memo[span] = word
        return word

    def find(self, tokens: list[str]) -> list[tuple[int, int, Correction]]:
        """Corrections as (first token, end token, correction), left to right, not overlapping."""
        found: list[tuple[int, int, Correction]] = []
        chinese = [_HAN.fullmatch(t) is not None for t in tokens]
        i, n = 0, len(tokens)
        while i < n:
            hit = None
            if chinese[i]:
                # Longest span first, so 保质其 wins over 质其.
                spans: list[tuple[int, str, bool]] = []
                text, loose = "", False
                for j in range(i, min(n, i + MAX_SPAN)):
                    if not chinese[j]:
                        break
                    text += tokens[j]
                    loose = loose or len(tokens[j]) == 1
                    if len(text) > MAX_SPAN:
                        break
                    spans.append((j + 1, text, loose))
                for end, span, has_loose in reversed(spans):
                    if len(span) < 2 or not (has_loose or end == i + 1):
                        continue
                    word = self._lookup(span)
                    if word:
                        hit = (i, end, Correction(span, word))
                        break
            if hit:
                found.append(hit)
                i = hit[1]
            else:
                i += 1
        return found

    def correct(self, tokens: list[str]) -> tuple[str, list[Correction]]:
        """The text rebuilt from ``tokens`` with corrections applied, and the corrections."""
        found = self.find(tokens)
        if not found:
            return "".join(tokens), []
        parts: list[str] = []
        last = 0
        for start, end, corr in found:
            parts.extend(tokens[last:start])
            parts.append(corr.right)
            last = end
        parts.extend(tokens[last:])
        return "".join(parts), [c for _, _, c in found]
