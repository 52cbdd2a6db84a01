"""The rule layer: which registry keywords and combos a text contains.

Chinese keywords are matched on jieba tokens (a keyword is a token, a run of
consecutive tokens, or part of one longer token), so a keyword never straddles
a word boundary. English keywords are matched on lightly stemmed words, so
"charged", "charges" and "charge" are one keyword. When two matches overlap,
only the longer one counts: 过期钢瓶 is a gas cylinder, not expired food.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from nlp.registry import Combo, DepartmentSpec
from nlp.text import is_cjk

_EN_WORD = re.compile(r"(?=[a-z\d])(?:[a-z]+(?:'[a-z]+)?|\d+[a-z]+)")  # look-ahead: skip in C
MAX_TOKENS = 4
MAX_EN_WORDS = 4


def stem(word: str) -> str:
    """A deliberately small English stemmer: plural, -ed, -ing and a final -e."""
    w = word.casefold().replace("'s", "")
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    return w


def stem_phrase(phrase: str) -> str:
    """A phrase as stemmed words joined by single spaces ("price tags" → "pric tag")."""
    return " ".join(stem(w) for w in _EN_WORD.findall(phrase.casefold()))


def english_stems(text: str) -> list[str]:
    """Stemmed English words of normalised text, in order."""
    return [stem(w) for w in _EN_WORD.findall(text)]


class WordFinder:
    """Which of a fixed set of words occur anywhere in a text, overlaps included.

    For every character that starts a word there is one regular expression
    shaped like the trie of those words; matched at a position, it gives the
    longest word starting there (in C), and the shorter words starting at the
    same position are prefixes of it. The result is the same as testing every
    substring of the text against the set, without making the substrings.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(w for w in words if w)
        self._patterns: dict[str, str | re.Pattern[str]] | None = None

    def _by_first(self) -> dict[str, str | re.Pattern[str]]:
        """The pattern of each first character, made on first use so start-up stays short;
        each is compiled when a text first holds its character."""
        if self._patterns is None:
            trie = _trie(self.words)
            self._patterns = {ch: re.escape(ch) + _trie_pattern(node) for ch, node in trie.items()}
        return self._patterns

    def occurrences(self, text: str) -> list[tuple[int, str]]:
        """Every (offset, word) of the words in ``text``, overlapping ones included."""
        out: list[tuple[int, str]] = []
        words, by_first = self.words, self._by_first()
        for at, ch in enumerate(text):
            pattern = by_first.get(ch)
            if pattern is None:
                continue
            if isinstance(pattern, str):
                pattern = by_first[ch] = re.compile(pattern, re.DOTALL)
            m = pattern.match(text, at)
            if m is None:
                continue
            longest = m.group()
            for k in range(1, len(longest)):
                if longest[:k] in words:
                    out.append((at, longest[:k]))
            out.append((at, longest))
        return out

    def find(self, text: str) -> set[str]:
        """The words that occur in ``text``."""
        return {word for _at, word in self.occurrences(text)}


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching the longest of ``words`` at a position, like the
    alternation of the words longest first, but shaped like their trie so that matching
    does not try every word in turn."""
    return _trie_pattern(_trie(w for w in words if w))


def _trie(words: Iterable[str]) -> dict[str, dict]:
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return trie


def _trie_pattern(node: dict[str, dict]) -> str:
    """An alternation for a trie node: longer continuations first, then the end of a word."""
    branches = [re.escape(ch) + _trie_pattern(child) for ch, child in sorted(node.items()) if ch]
    if "" in node:
        branches.append("")
    if not branches:
        return ""
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence for a department: a keyword or a combo found in the text."""

    label: str  # the words as found, for reasons
    department: str
    weight: float
    topic: str
    start: int = -1  # character offset in the normalised text (-1: not located)


class KeywordMatcher:
    """Finds the registry's keywords and combos in a segmented text."""

    def __init__(self, registry: Sequence[DepartmentSpec]) -> None:
        self._zh: dict[str, list[tuple[str, float, str]]] = {}
        self._en: dict[str, list[tuple[str, float, str]]] = {}
        self._combos: list[tuple[DepartmentSpec, Combo, tuple[frozenset[str], ...]]] = []
        self._combos_en: list[tuple[DepartmentSpec, tuple[tuple[str, ...], ...], Combo]] = []
        for spec in registry:
            for word, weight in spec.keywords.items():
                self._zh.setdefault(word.casefold(), []).append(
                    (spec.code, weight, spec.topic(word))
                )
            for phrase, weight in spec.keywords_en.items():
                key = stem_phrase(phrase)
                if key:
                    self._en.setdefault(key, []).append((spec.code, weight, spec.topic(phrase)))
            for combo in spec.combos:
                sets = tuple(frozenset(w.casefold() for w in g) for g in combo.groups)
                self._combos.append((spec, combo, sets))
            for combo in spec.combos_en:
                groups = tuple(tuple(f" {stem_phrase(w)} " for w in g) for g in combo.groups)
                self._combos_en.append((spec, groups, combo))
        # combo word of a first group -> the combos it may start, by place in the list
        self._combo_first: dict[str, list[int]] = {}
        for k, (_spec, _combo, sets) in enumerate(self._combos):
            for w in sets[0] if sets else ():
                self._combo_first.setdefault(w, []).append(k)
        self._zh_words = WordFinder(self._zh)
        self._combo_words = WordFinder(
            {w for _s, _c, sets in self._combos for g in sets for w in g}
            | {w for _s, combo, _sets in self._combos for g in combo.groups for w in g}
        )

    def vocabulary(self) -> set[str]:
        """Chinese keywords, which jieba must keep whole."""
        return {k for k in self._zh if len(k) >= 2 and all(is_cjk(c) for c in k)}

    def typo_vocabulary(self, min_weight: float = 1.0) -> set[str]:
        """Keywords distinctive enough that a same-sounding span is taken for a typo of them.

        Weak keywords (卖到, 退款) are common phrases: 买到 sounds like 卖到 and is
        no typo, so they are left out.
        """
        return {
            k for k in self.vocabulary() if max(w for _code, w, _topic in self._zh[k]) >= min_weight
        }

    def scan_words(self) -> frozenset[str]:
        """The words :meth:`match` looks for in a text (keywords and combo words)."""
        return self._zh_words.words | self._combo_words.words

    def _zh_spans(
        self, tokens: Sequence[str], found: Sequence[tuple[int, str]] | None = None
    ) -> list[tuple[int, int, str]]:
        """Keywords that are a run of one to ``MAX_TOKENS`` whole tokens, or lie inside one
        token of three or more characters (two characters at least, not the whole token)."""
        # every token's start offset, then the end of the text
        starts = list(accumulate(map(len, tokens), initial=0))
        first = dict(zip(starts, range(len(starts)), strict=True))  # token by start offset
        spans: list[tuple[int, int, str]] = []
        if found is None:
            found = self._zh_words.occurrences("".join(tokens))
        zh = self._zh
        for start, word in found:
            if word not in zh:
                continue
            end = start + len(word)
            i, j = first.get(start), first.get(end)
            if i is not None and j is not None:
                if j - i <= MAX_TOKENS and not tokens[i].isspace():
                    spans.append((start, end, word))
                continue
            i = bisect_right(starts, start) - 1
            tok = tokens[i]
            tok_end = starts[i] + len(tok)
            if end <= tok_end and len(tok) >= 3 and len(word) >= 2 and not tok.isspace():
                spans.append((start, end, word))
        return spans

    @staticmethod
    def _longest(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        # A match inside a longer match is part of that match, not evidence of its own.
        kept = []
        for s in spans:
            inside = any(
                o[0] <= s[0] and s[1] <= o[1] and (o[1] - o[0]) > (s[1] - s[0]) for o in spans
            )
            if not inside:
                kept.append(s)
        return kept

    def match(
        self,
        tokens: Sequence[str],
        text: str,
        stems: Sequence[str],
        discount: Iterable[tuple[int, int]] = (),
        found: Sequence[tuple[int, str]] | None = None,
    ) -> list[Evidence]:
        """Evidence in a text: ``tokens`` join to ``text``; ``stems`` are its English words.

        Keywords inside a ``discount`` span (the company's own name: 华康食品有限公司
        says little about the complaint) count half. ``found`` may give the
        occurrences of :meth:`scan_words` (and others) in the joined tokens, when
        the caller has scanned the text already; ``text`` must then start them.
        """
        discount = list(discount)
        out: list[Evidence] = []
        seen: set[str] = set()
        for start, end, word in sorted(self._longest(self._zh_spans(tokens, found))):
            if word in seen:
                continue
            seen.add(word)
            factor = 0.5 if any(a <= start and end <= b for a, b in discount) else 1.0
            for code, weight, topic in self._zh[word]:
                out.append(Evidence(word, code, weight * factor, topic, start))
        en_spans: list[tuple[int, int, str]] = []
        for i in range(len(stems)):
            for j in range(i + 1, min(len(stems), i + MAX_EN_WORDS) + 1):
                key = " ".join(stems[i:j])
                if key in self._en:
                    en_spans.append((i, j, key))
        for _i, _j, key in sorted(self._longest(en_spans)):
            if key in seen:
                continue
            seen.add(key)
            for code, weight, topic in self._en[key]:
                out.append(Evidence(key, code, weight, topic))
        if self._combos:
            # The combo words in the text, so each group is one set test.
            if found is None:
                present = self._combo_words.find(text)
            else:
                size = len(text)
                present = {w for at, w in found if at + len(w) <= size}
            # only the combos whose first group holds a word of the text, in registry order
            first = self._combo_first
            for k in sorted({k for w in present for k in first.get(w, ())}):
                spec, combo, sets = self._combos[k]
                if any(g.isdisjoint(present) for g in sets[1:]):
                    continue
                words = [next(w for w in g if w in present) for g in combo.groups]
                out.append(_combo_evidence(spec, words, combo.weight))
        if self._combos_en and stems:
            padded = f" {' '.join(stems)} "
            for spec, groups, combo in self._combos_en:
                words = []
                for g in groups:  # the first group without a word of the text ends the test
                    word = next((w for w in g if w in padded), "").strip()
                    if not word:
                        break
                    words.append(word)
                else:
                    out.append(_combo_evidence(spec, words, combo.weight))
        return out


def _combo_evidence(spec: DepartmentSpec, found: list[str], weight: float) -> Evidence:
    topic = next((spec.topics[w] for w in found if w in spec.topics), spec.name_en)
    return Evidence(" + ".join(found), spec.code, weight, topic)
