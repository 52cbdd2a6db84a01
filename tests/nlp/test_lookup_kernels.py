"""The lookup's compiled parts: keys, string measures, short queries (nlp/lookup_kernels.py,
nlp/lookup_score.py), checked against plain definitions and rapidfuzz."""

from __future__ import annotations

import random

import numpy as np
import pytest
from rapidfuzz.distance import OSA, LCSseq

from disclosure.namegen import generate_enterprises
from nlp import lookup_score
from nlp.lookup import EnterpriseIndex
from nlp.lookup_text import doc_text
from nlp.postings import UNIT_PAIR, Postings, bulk_keys, code_units, pair_key, text_keys
from nlp.uscc import make_code


def reference_keys(canon: str, units: str, skip: int) -> set[int]:
    """The keys as the index defines them, written out plainly."""
    keys: set[int] = set()
    for i in range(len(canon) - 1):
        for gap in (1, 2):
            j = i + gap
            if j < len(canon) and j >= skip:
                keys.add(pair_key(ord(canon[i]), ord(canon[j])))
        if i + 1 >= skip:
            keys.add(UNIT_PAIR | pair_key(ord(units[i]), ord(units[i + 1])))
    return keys


@pytest.fixture(scope="module")
def names() -> list[str]:
    return [r.name for r in generate_enterprises(400, seed=5)]


def test_query_keys_match_the_definition_and_the_bulk_build(names: list[str]) -> None:
    docs = [doc_text(n) for n in names]
    docs = [d for d in docs if d[0]]
    canon = "".join(c for c, _, _ in docs).encode("utf-16")[2:]
    units = "".join(u for _, u, _ in docs).encode("utf-16")[2:]
    from array import array

    off = array("Q", [0])
    for c, _, _ in docs:
        off.append(off[-1] + len(c))
    skips = bytes(min(s, 255) for _, _, s in docs)
    keys, owners = bulk_keys(canon, units, off, skips)
    for n, (c, u, s) in enumerate(docs):
        expected = reference_keys(c, u, s)
        assert set(text_keys(c, u, s).tolist()) == expected, c
        assert set(keys[owners == n].tolist()) == expected, c
    assert any(s for _, _, s in docs)  # the region prefix was exercised


def test_lcs_and_osa_agree_with_rapidfuzz() -> None:
    rng = random.Random(3)
    alphabet = "澄瑞电子科技苏州无锡abc"
    for _ in range(400):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 15)))
        qa, qb = code_units(a), code_units(b)
        chars, masks = lookup_score._pattern(qa)
        assert lookup_score._lcs(qa, chars, masks, qb) == LCSseq.similarity(a, b), (a, b)
        table = np.empty((len(a) + 1, len(b) + 1), dtype=np.int64)
        assert lookup_score._osa(qa, qb, table) == OSA.distance(a, b), (a, b)
        keys, masks = lookup_score._pattern(qa)
        taken = np.zeros(len(keys), dtype=np.int64)
        shared = lookup_score._shared(keys, masks, qb, taken)
        assert shared == LCSseq.similarity(sorted(a), sorted(b)), (a, b)
        assert not taken.any()  # left as found for the next text
    long_a = "".join(rng.choice(alphabet) for _ in range(90))  # past one machine word
    long_b = "".join(rng.choice(alphabet) for _ in range(70))
    qa = code_units(long_a)
    chars, masks = lookup_score._pattern(qa)
    got = lookup_score._lcs(qa, chars, masks, code_units(long_b))
    assert got == LCSseq.similarity(long_a, long_b)


BRAND = make_code("91", "320500", "MA7RTQ01")
BRAND_LONGER = make_code("91", "320200", "MA7RTQ02")
OTHER = make_code("91", "320100", "MA7RTQ03")


@pytest.fixture(scope="module")
def index() -> EnterpriseIndex:
    rows = [(r.uscc, r.name, r.aliases) for r in generate_enterprises(3000, seed=41)]
    rows += [
        (BRAND_LONGER, "无锡市惠山区璟翀精密机械制造有限公司", ()),
        (BRAND, "苏州璟翀电子有限公司", ()),
        (OTHER, "南京翀璟贸易有限公司", ()),  # the same characters in the other order
    ]
    return EnterpriseIndex.build(rows)


def test_a_short_query_takes_the_containment_path(
    index: EnterpriseIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = Postings.contained

    def spy(self: Postings, q: np.ndarray, docs: tuple, limit: int, cap: int) -> np.ndarray:
        found = original(self, q, docs, limit, cap)
        calls.append(len(found))
        return found

    monkeypatch.setattr(Postings, "contained", spy)
    hits = index.search("璟翀", 10)
    assert calls == [2]  # the two names that contain it, not the swapped one
    # the shorter name first, as the scoring would put it; only names that contain it
    assert [h.uscc for h in hits] == [BRAND, BRAND_LONGER]
    assert index.search("翀璟", 10)[0].uscc == OTHER
    calls.clear()
    assert index.search("璟翀电子", 3)[0].uscc == BRAND  # four characters: the general path
    assert calls == []


def test_a_short_query_no_name_contains_falls_back_to_fuzzy(index: EnterpriseIndex) -> None:
    hits = index.search("璟冲", 5)  # a homophone of 翀: no name contains it
    assert BRAND in [h.uscc for h in hits]


def test_the_short_path_sees_additions_and_removals(index: EnterpriseIndex) -> None:
    fresh = EnterpriseIndex.build([(BRAND, "苏州璟翀电子有限公司", ())])
    added = make_code("91", "320500", "MA7RTQ04")
    fresh.add(added, "璟翀有限公司")
    assert [h.uscc for h in fresh.search("璟翀", 5)] == [added, BRAND]
    fresh.remove(added)
    assert [h.uscc for h in fresh.search("璟翀", 5)] == [BRAND]
