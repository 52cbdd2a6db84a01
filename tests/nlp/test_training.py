"""Training the routing model from the corpus: reproducible, current, small, sane."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.corpus import CORPUS_DIR, checksum, subsample, train_files, training_rows
from nlp.linear import DEFAULT_MODEL, LinearModel
from nlp.mentions import DEFAULT_MODEL as MENTION_MODEL
from nlp.training import choose_threshold, train


def test_shipped_model_was_trained_on_this_corpus() -> None:
    model = LinearModel.load()
    assert model.meta["corpus_sha256"] == checksum(train_files(CORPUS_DIR)), (
        "the corpus changed since the model was trained: run `zhixin route train`"
    )


def test_model_files_are_small_and_hold_no_code() -> None:
    assert DEFAULT_MODEL.stat().st_size + MENTION_MODEL.stat().st_size < 50_000_000
    with np.load(DEFAULT_MODEL, allow_pickle=False) as data:  # raises if it held objects
        assert "department_coef" in data and "kind_coef" in data


def test_corpus_is_large_and_its_splits_are_apart() -> None:
    train_rows, tune_rows = training_rows()
    assert len(train_rows) + len(tune_rows) >= 5000
    assert not {r.text for r in train_rows} & {r.text for r in tune_rows}
    assert 0.10 < len(tune_rows) / (len(train_rows) + len(tune_rows)) < 0.20


@pytest.fixture(scope="module")
def small() -> tuple[list, list]:
    train_rows, tune_rows = training_rows()
    return subsample(train_rows, 0.08), subsample(tune_rows, 0.3)


def test_training_is_deterministic(small: tuple[list, list]) -> None:
    a = train(*small, c_grid=(5.0,)).model
    b = train(*small, c_grid=(5.0,)).model
    assert a.vocab == b.vocab
    for head in ("department", "kind"):
        assert np.array_equal(a.heads[head].coef, b.heads[head].coef)
        assert a.heads[head].temperature == b.heads[head].temperature


def test_saved_model_predicts_like_the_trained_one(small, tmp_path) -> None:
    model = train(*small, c_grid=(5.0,)).model
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = LinearModel.load(path)
    from nlp.router import Router

    a = Router(model=model).route("月饼发霉了，吃了拉肚子")
    b = Router(model=loaded).route("月饼发霉了，吃了拉肚子")
    assert a.department == b.department and a.confidence == pytest.approx(b.confidence)


def test_threshold_abstains_only_when_it_helps() -> None:
    confidences = [0.9, 0.8, 0.3, 0.2]
    best = ["zhijian", "wujia", "wujia", "zhijian"]
    gold = ["zhijian", "wujia", "triage", "triage"]
    threshold, accuracy = choose_threshold(confidences, best, gold)
    assert 0.3 < threshold <= 0.8 and accuracy == 1.0


def test_training_without_a_corpus_says_where_it_looked(tmp_path, monkeypatch) -> None:
    import nlp.training as training
    from nlp.corpus import CorpusError

    monkeypatch.setattr(training, "CORPUS_DIR", tmp_path)
    with pytest.raises(CorpusError, match="no training files"):
        training.train_from_repository()
