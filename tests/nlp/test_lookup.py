"""The in-memory enterprise lookup (nlp/lookup.py): typos, pinyin, codes, live updates."""

from __future__ import annotations

import random

import pytest

from disclosure.namegen import generate_enterprises
from nlp.lookup import EnterpriseIndex, LookupHit
from nlp.names import pinyin_syllables
from nlp.uscc import make_code

CHENGRUI = make_code("91", "320500", "MA1XK7Q2")
CHENGRUI_WUXI = make_code("91", "320200", "MA2B3C4D")
HONGDA = make_code("91", "320206", "13579BDF")
LAOWANG = make_code("92", "320583", "L0W4NG88")
NAMED = [
    (CHENGRUI, "苏州澄瑞电子科技有限公司", ("澄瑞电子", "Chengrui Electronics")),
    (CHENGRUI_WUXI, "无锡澄瑞机械有限公司", ()),
    (HONGDA, "无锡市惠山区宏达机械制造厂", ()),
    (LAOWANG, "昆山市玉山镇老王面馆（个体工商户）", ()),
]


@pytest.fixture(scope="module")
def background() -> list:
    return list(generate_enterprises(3000, seed=99))


@pytest.fixture(scope="module")
def index(background: list) -> EnterpriseIndex:
    """Shared by the tests that only search."""
    rows = [(r.uscc, r.name, r.aliases) for r in background]
    return EnterpriseIndex.build(rows + NAMED)


@pytest.fixture
def fresh(background: list) -> EnterpriseIndex:
    """A smaller index of its own for the tests that change it."""
    rows = [(r.uscc, r.name, r.aliases) for r in background[:1000]]
    return EnterpriseIndex.build(rows + NAMED)


def first(index: EnterpriseIndex, query: str) -> LookupHit:
    hits = index.search(query, limit=5)
    assert hits, query
    return hits[0]


@pytest.mark.parametrize(
    "query",
    [
        "苏州澄瑞电子科技有限公司",  # the registered name
        "澄瑞电子科技",  # region and legal form dropped
        "苏州成瑞电子",  # homophone: 成 for 澄
        "苏州澄电子科技",  # a character missing
        "苏州瑞澄电子科技",  # two characters swapped
        "蘇州澄瑞電子",  # Traditional characters
        "苏州澄瑞的电梯",  # noise around the name, as a router may pass it
        "chengrui dianzi",  # pinyin
        "suzhouchengruidianzikeji",
        "ＳＵＺＨＯＵ ＣＨＥＮＧＲＵＩ",
    ],
)
def test_finds_the_company_first(index: EnterpriseIndex, query: str) -> None:
    assert first(index, query).uscc == CHENGRUI


def test_region_tells_same_brand_apart(index: EnterpriseIndex) -> None:
    assert first(index, "无锡澄瑞").uscc == CHENGRUI_WUXI
    assert first(index, "惠山宏达机械").uscc == HONGDA
    assert first(index, "玉山老王面馆").uscc == LAOWANG


def test_exact_name_and_reasons(index: EnterpriseIndex) -> None:
    hit = first(index, "苏州澄瑞电子科技有限公司")
    assert (hit.score, hit.reason) == (100.0, "exact name")
    assert first(index, "苏州成瑞电子科技").reason == "pinyin"
    assert first(index, "苏州澄电子科技").reason == "fuzzy"


def test_alias(index: EnterpriseIndex) -> None:
    hit = first(index, "Chengrui Electronics")
    assert (hit.uscc, hit.reason) == (CHENGRUI, "alias")
    assert first(index, "澄瑞电子").reason == "alias"


@pytest.mark.parametrize(
    "query",
    [CHENGRUI, CHENGRUI.lower(), CHENGRUI.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})],
)
def test_code_is_an_exact_match(index: EnterpriseIndex, query: str) -> None:
    hit = first(index, query)
    assert (hit.uscc, hit.score, hit.reason) == (CHENGRUI, 100.0, "code")


def test_code_with_spaces_and_words(index: EnterpriseIndex) -> None:
    spaced = " ".join(CHENGRUI[i : i + 4] for i in range(0, 18, 4))
    assert first(index, f"代码 {spaced} 的等级").reason == "code"
    unknown = make_code("91", "320100", "YYYY0000")
    assert all(h.reason != "code" for h in index.search(unknown))


def test_hits_are_ranked_and_bounded(index: EnterpriseIndex) -> None:
    hits = index.search("宏达机械", limit=7)
    assert 0 < len(hits) <= 7
    assert all(0 <= h.score <= 100 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.uscc for h in hits}) == len(hits)
    with pytest.raises(AttributeError):  # hits are immutable: memoised answers share them
        hits[0].score = 1.0  # type: ignore[misc]
    assert index.search("") == [] and index.search("   ") == [] and index.search("澄", 0) == []


def test_add_replace_remove(fresh: EnterpriseIndex) -> None:
    index = fresh
    size = len(index)
    code = make_code("91", "321000", "NEW00001")
    assert all(h.uscc != code for h in index.search("扬州璟翊光伏科技"))
    index.add(code, "扬州璟翊光伏科技有限公司", ["璟翊光伏"])
    assert len(index) == size + 1
    assert first(index, "扬州璟翊光伏科技").uscc == code
    assert index.get(code).aliases == ("璟翊光伏",)
    # re-imported under a new name: the old name no longer leads to it
    index.add(code.lower(), "扬州琨珩新能源有限公司")
    assert len(index) == size + 1
    assert first(index, "琨珩新能源").uscc == code
    assert all(h.uscc != code for h in index.search("璟翊光伏科技"))
    assert index.get(code).name == "扬州琨珩新能源有限公司"
    index.remove(code)
    assert len(index) == size and index.get(code) is None and code not in index
    assert all(h.uscc != code for h in index.search("琨珩新能源"))
    index.remove(code)  # twice is harmless
    assert len(index) == size


def test_compaction_keeps_results(fresh: EnterpriseIndex, background: list) -> None:
    index = fresh
    index.remove(background[0].uscc)
    index.add(background[1].uscc, "苏州璟翊珩电梯工程有限公司")
    index.compact()
    assert index.get(background[0].uscc) is None
    assert first(index, "璟翊珩电梯").uscc == background[1].uscc
    assert first(index, "苏州成瑞电子").uscc == CHENGRUI


def test_incremental_index_answers_like_the_bulk_one(background: list) -> None:
    rows = [(r.uscc, r.name, r.aliases) for r in background[:800]] + NAMED
    bulk = EnterpriseIndex.build(rows)
    live = EnterpriseIndex()
    for row in rows:
        live.add(*row)
    for query in ("苏州成瑞电子", "chengrui dianzi", "宏达机械", background[5].brand, "玉山老王"):
        assert [h.uscc for h in bulk.search(query)] == [h.uscc for h in live.search(query)]
    live.compact()  # grown from empty: re-keyed at its real size
    assert [h.uscc for h in live.search("苏州成瑞电子")] == [
        h.uscc for h in bulk.search("苏州成瑞电子")
    ]


def test_bulk_build_keeps_the_last_of_a_repeated_code() -> None:
    code = make_code("91", "320500", "DUP00001")
    index = EnterpriseIndex.build(
        [(code, "苏州宏达机械有限公司", ()), (code.lower(), "苏州璟翊光伏科技有限公司", ()), *NAMED]
    )
    assert len(index) == len(NAMED) + 1
    assert index.get(code).name == "苏州璟翊光伏科技有限公司"
    assert all(h.uscc != code for h in index.search("苏州宏达机械"))


def test_rejects_malformed_codes() -> None:
    with pytest.raises(ValueError):
        EnterpriseIndex().add("12345", "苏州澄瑞电子科技有限公司")


def test_recall_on_20k_register() -> None:
    records = [r for r in generate_enterprises(20_000, seed=5) if not r.branch]
    assert len(records) > 19_000
    index = EnterpriseIndex.build((r.uscc, r.name, r.aliases) for r in records)
    rng = random.Random(3)
    targets = rng.sample(records, 100)
    swapped = pinyin = 0
    for r in targets:
        spoken = r.place[-1] + r.town + r.brand + r.phrase
        i = rng.randrange(len(spoken) - 1)
        typo = spoken[:i] + spoken[i + 1] + spoken[i] + spoken[i + 2 :]
        swapped += first(index, typo).uscc == r.uscc
        pinyin += first(index, " ".join(pinyin_syllables(spoken))).uscc == r.uscc
    assert swapped / len(targets) >= 0.93
    assert pinyin / len(targets) >= 0.93


@pytest.mark.parametrize("fragment", ["股份", "股份有限", "有限", "有限责任"])
def test_a_cut_off_legal_form_does_not_lower_the_score(
    fresh: EnterpriseIndex, fragment: str
) -> None:
    # 股份 is the start of 股份有限公司, which the comparison leaves out of the name
    code = make_code("91", "320581", "MA9TYGF1")
    fresh.add(code, "常熟泰越光伏科技股份有限公司")
    partial = first(fresh, "泰越光伏科技")
    longer = first(fresh, "泰越光伏科技" + fragment)
    assert partial.uscc == longer.uscc == code
    assert longer.score >= partial.score


def test_changes_wait_for_a_search_in_another_thread() -> None:
    """The server routes texts (which searches the index) on a worker thread while the
    event loop applies registry changes; the compiled kernels run without the GIL over
    views of the buffers an insert grows. Without a lock, inserts failed half-done."""
    import threading

    records = list(generate_enterprises(2500, seed=5))
    index = EnterpriseIndex.build((r.uscc, r.name, r.aliases) for r in records[:500])
    errors: list[BaseException] = []
    done = threading.Event()

    def search_until_done() -> None:
        queries = [r.name[2:8] for r in records]
        n = 0
        while not done.is_set():
            try:
                index.search(queries[n % len(queries)], 10)
            except Exception as exc:
                errors.append(exc)
                return
            n += 1

    searcher = threading.Thread(target=search_until_done)
    searcher.start()
    try:
        for r in records[500:]:
            index.add(r.uscc, r.name, r.aliases)
    finally:
        done.set()
        searcher.join()
    assert errors == []
    assert len(index) == len(records)
    assert all(index.get(r.uscc).name == r.name for r in records[::50])  # type: ignore[union-attr]
    assert first(index, records[-1].name).uscc == records[-1].uscc
