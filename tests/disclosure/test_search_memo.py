"""The search index's memo of recent answers never serves a stale answer: any change
to the index empties it."""

from __future__ import annotations

import gc

from disclosure.cache import MemoIndex
from nlp.lookup import LookupHit
from nlp.uscc import make_code

A = make_code("91", "320500", "71000001")
B = make_code("91", "320500", "71000002")


def test_repeated_search_is_answered_from_the_memo_until_the_index_changes() -> None:
    index = MemoIndex.build([(A, "苏州澄瑞电子科技有限公司", ("澄瑞电子",))])
    first = index.search("澄瑞电子", limit=5)
    assert [h.uscc for h in first] == [A]
    assert index.search("澄瑞电子", limit=5) == first
    assert (index.memo_hits, index.memo_misses) == (1, 1)
    first.clear()  # a caller changing its list does not change the memo
    assert [h.uscc for h in index.search("澄瑞电子", limit=5)] == [A]

    index.add(B, "无锡澄瑞电子有限公司")
    assert {h.uscc for h in index.search("澄瑞电子", limit=5)} == {A, B}
    assert len(index.search("澄瑞电子", limit=1)) == 1  # another limit, another answer
    index.remove(A)
    assert [h.uscc for h in index.search("澄瑞电子", limit=5)] == [B]


def test_the_memo_is_bounded() -> None:
    index = MemoIndex.build([(A, "苏州澄瑞电子科技有限公司", ())])
    index.MEMO_SIZE = 3
    for query in ("澄瑞", "苏州澄瑞", "澄瑞电子", "澄瑞科技"):
        index.search(query)
    assert len(index._memo) == 3
    index.search("澄瑞科技")  # the newest is kept
    assert index.memo_hits == 1


def test_the_memo_drops_the_answer_least_recently_used() -> None:
    index = MemoIndex.build([(A, "苏州澄瑞电子科技有限公司", ())])
    index.MEMO_SIZE = 3
    for query in ("澄瑞", "苏州澄瑞", "澄瑞电子", "澄瑞"):  # the first asked again
        index.search(query)
    index.search("澄瑞科技")
    assert list(index._memo) == [("澄瑞电子", 10), ("澄瑞", 10), ("澄瑞科技", 10)]
    assert index.search("澄瑞") and index.memo_hits == 2


def test_the_memo_is_out_of_the_collectors_sight() -> None:
    """Thousands of answers churn through the memo under a stream of new queries; kept as
    named tuples, every full collection walked them all (pauses of tens of milliseconds
    at the p99). Plain tuples of strings and numbers are untracked once looked at;
    a memoised answer still comes back as LookupHits."""
    index = MemoIndex.build([(A, "苏州澄瑞电子科技有限公司", ("澄瑞电子",))])
    first = index.search("澄瑞电子", limit=5)
    gc.collect()  # the hits are untracked in the first pass, the answer holding them next
    gc.collect()
    stored = index._memo[("澄瑞电子", 5)]
    assert stored and not gc.is_tracked(stored)
    assert not any(gc.is_tracked(hit) for hit in stored)
    again = index.search("澄瑞电子", limit=5)
    assert again == first and all(isinstance(h, LookupHit) for h in again)
    assert again[0].uscc == A and again[0].reason in {"alias", "exact name", "fuzzy"}
