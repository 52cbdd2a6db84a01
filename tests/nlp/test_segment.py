"""Segmentation (private jieba with the domain dictionary, cache placement) and homophone repair."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from nlp import segment
from nlp.keywords import KeywordMatcher
from nlp.registry import load_registry
from nlp.segment import Segmenter, cache_dir, shared_segmenter
from nlp.typos import HomophoneCorrector


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    shared = shared_segmenter()
    shared.add_words(KeywordMatcher(load_registry()).vocabulary())
    shared.warm()
    return shared


@pytest.mark.parametrize("word", ["电梯", "三包", "预付卡", "瘦肉精", "农药残留", "中文标签"])
def test_domain_words_stay_whole(seg: Segmenter, word: str) -> None:
    assert word in seg.cut(f"我想反映一下{word}的问题，谢谢")


def test_tokens_join_back_to_the_text(seg: Segmenter) -> None:
    text = "In 苏州 the elevator 电梯困人了, 电话 139 1234 5678!"
    assert "".join(seg.cut(text)) == text


def test_the_shared_segmenter_is_one_instance() -> None:
    assert shared_segmenter() is shared_segmenter()


def test_cache_dir_honours_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIXIN_CACHE_DIR", str(tmp_path / "cache"))
    assert cache_dir() == tmp_path / "cache"
    assert (tmp_path / "cache").is_dir()


def test_cache_dir_falls_back_to_a_temp_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("ZHIXIN_CACHE_DIR", str(blocked / "cache"))
    monkeypatch.setattr(segment.Path, "home", lambda: blocked)
    path = cache_dir()
    assert path.is_dir()
    assert blocked not in path.parents


def test_a_fresh_segmenter_writes_its_cache_and_loads_once_across_threads(tmp_path: Path) -> None:
    fresh = Segmenter(tmp_path)
    fresh.add_words(["预付卡"])
    results: list[list[str]] = []
    threads = [
        threading.Thread(target=lambda: results.append(fresh.cut("预付卡的钱退不回来")))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r == results[0] for r in results)
    assert "预付卡" in results[0]
    names = {p.name for p in tmp_path.iterdir()}
    assert any(n.startswith("jieba-dict-min") for n in names)
    assert any(n.startswith("jieba.u") and n.endswith(".cache") for n in names)
    tokenizer = fresh._tokenizer
    fresh.warm()
    assert fresh._tokenizer is tokenizer


def test_frequency_knows_common_words(seg: Segmenter) -> None:
    assert seg.frequency("报价") > seg.frequency("过其") == 0


# --- homophones --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corrector(seg: Segmenter) -> HomophoneCorrector:
    return HomophoneCorrector(
        ["电梯", "过期", "保质期", "农药残留", "预付卡", "保价", "旅行社"], seg.frequency
    )


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("电悌天天坏", "电梯天天坏"),
        ("面包过其了", "面包过期了"),
        ("保质其到昨天", "保质期到昨天"),
        ("农约残留严重", "农药残留严重"),  # one character off, close pinyin
        ("充的预付咔用不了", "充的预付卡用不了"),
        ("旅行设不退钱", "旅行社不退钱"),
    ],
)
def test_homophones_are_repaired(
    seg: Segmenter, corrector: HomophoneCorrector, text: str, fixed: str
) -> None:
    assert corrector.correct(seg.cut(text))[0] == fixed


@pytest.mark.parametrize("text", ["旅行社报价太高", "电梯运行正常", "这个问题过期不候"])
def test_correct_text_is_left_alone(
    seg: Segmenter, corrector: HomophoneCorrector, text: str
) -> None:
    repaired, corrections = corrector.correct(seg.cut(text))
    assert repaired == text
    assert corrections == []
