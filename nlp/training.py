"""Train the routing model from the corpus in the repository (``zhixin route train``).

Both heads (department and kind) are multinomial logistic regressions from
scikit-learn over the features of ``nlp.features``. Everything that is
chosen is chosen on the tuning split, never on a test split:

- the regularisation strength ``C`` of each head, from a small grid;
- a calibration temperature per head (the one scalar that minimises the
  tuning split's log loss), so that probabilities mean what they say;
- the abstention threshold: below it, a text goes to the triage desk.

Training is deterministic: the same corpus and library versions give the
same artefact. scikit-learn is needed only here, not to route.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp.corpus import (
    CORPUS_DIR,
    CorpusError,
    Labelled,
    checksum,
    train_files,
    training_rows,
)
from nlp.features import FeatureBag, Reader
from nlp.kind import KINDS
from nlp.linear import DEFAULT_MODEL, Head, LinearModel
from nlp.mentions import DEFAULT_MODEL as MENTION_MODEL
from nlp.mentions import MentionFinder, span_accuracy, training_pairs
from nlp.registry import TRIAGE, DepartmentSpec, load_registry

C_GRID = (10.0, 30.0, 100.0)
MIN_DF = 2
TEMPERATURES = tuple(round(0.3 + 0.05 * i, 2) for i in range(75))
FORMAT_VERSION = 1
MENTION_C_GRID = (0.3, 1.0, 3.0)
MENTION_THRESHOLDS = tuple(round(0.1 + 0.05 * i, 2) for i in range(18))


@dataclass(frozen=True, slots=True)
class TrainingReport:
    """What training chose and how well it did on the tuning split."""

    model: LinearModel
    lines: list[str]


def _vocabulary(bags: Sequence[FeatureBag], dense: Sequence[str]) -> tuple[list[str], np.ndarray]:
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.counts.keys())
    text = sorted(name for name, n in df.items() if n >= MIN_DF)
    n = len(bags)
    idf = np.array([math.log((1 + n) / (1 + df[name])) + 1.0 for name in text], dtype=np.float32)
    return text + list(dense), idf


def _matrix(model: LinearModel, bags: Sequence[FeatureBag]):  # -> scipy.sparse.csr_matrix
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for bag in bags:
        idx, val = model.vectorise(bag)
        indices.extend(idx.tolist())
        data.extend(val.tolist())
        indptr.append(len(indices))
    return csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(indices), np.asarray(indptr)),
        shape=(len(bags), len(model.vocab)),
    )


def _fit(x, y: Sequence[str], c: float):  # -> LogisticRegression
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=3000, tol=1e-5)
    clf.fit(x, list(y))
    return clf


def _head(clf, classes: Sequence[str], temperature: float) -> Head:
    order = [list(clf.classes_).index(c) for c in classes]
    return Head(
        classes=tuple(classes),
        coef=clf.coef_.T[:, order].astype(np.float32),
        intercept=clf.intercept_[order].astype(np.float32),
        temperature=temperature,
    )


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    best, best_loss = 1.0, math.inf
    for t in TEMPERATURES:
        probs = _softmax(logits / t)
        loss = -float(np.mean(np.log(probs[np.arange(len(gold)), gold] + 1e-12)))
        if loss < best_loss:
            best, best_loss = t, loss
    return best


def choose_threshold(
    confidences: Sequence[float], best: Sequence[str], gold: Sequence[str]
) -> tuple[float, float]:
    """The abstention threshold with the best department accuracy, and that accuracy.

    Abstaining (sending to triage) is right only when the gold label is triage.
    Thresholds from 0 to 0.99 in steps of 0.01 are tried; among those with the
    best accuracy, the middle of the longest run is kept, so that the choice
    does not sit on the edge of what the tuning split happened to contain.
    """
    grid = [i / 100 for i in range(100)]
    accuracy = []
    for thr in grid:
        ok = sum(
            (b if c >= thr else TRIAGE) == g
            for c, b, g in zip(confidences, best, gold, strict=True)
        )
        accuracy.append(ok / len(gold))
    top = max(accuracy)
    runs: list[list[float]] = []
    for thr, acc in zip(grid, accuracy, strict=True):
        if acc >= top - 1e-12:
            if runs and abs(runs[-1][-1] + 0.01 - thr) < 1e-9:
                runs[-1].append(thr)
            else:
                runs.append([thr])
    longest = max(runs, key=len)
    return round(longest[len(longest) // 2], 2), top


def train(
    train_rows: Sequence[Labelled],
    tune_rows: Sequence[Labelled],
    registry: list[DepartmentSpec] | None = None,
    c_grid: Sequence[float] = C_GRID,
    corpus_sum: str = "",
    progress: Callable[[str], None] | None = None,
    mentions: MentionFinder | None = None,
) -> TrainingReport:
    """Fit both heads on ``train_rows``; choose C, temperatures and threshold on ``tune_rows``."""
    say = progress or (lambda _m: None)
    registry = registry if registry is not None else load_registry()
    departments = [spec.code for spec in registry]
    reader = Reader(registry, mentions=mentions)
    say(f"reading {len(train_rows)} training and {len(tune_rows)} tuning texts")
    train_bags = [reader.read(r.text).bag for r in train_rows]
    tune_bags = [reader.read(r.text).bag for r in tune_rows]
    vocab, idf = _vocabulary(train_bags, reader.featurizer.dense_names())
    shell = LinearModel(vocab, len(idf), idf, {}, {})
    x_train, x_tune = _matrix(shell, train_bags), _matrix(shell, tune_bags)
    lines = [f"vocabulary: {len(idf)} text features + {len(vocab) - len(idf)} evidence features"]
    heads: dict[str, Head] = {}
    chosen_c: dict[str, float] = {}
    threshold, tune_dept_acc = 0.0, 0.0
    for name, classes, label in (
        ("department", departments, lambda r: r.department),
        ("kind", list(KINDS), lambda r: r.kind),
    ):
        y_train = [label(r) for r in train_rows]
        y_tune = [label(r) for r in tune_rows]
        unknown = sorted(set(y_train) - set(classes))
        if unknown:
            raise ValueError(f"{name}: labels not in the registry: {', '.join(unknown)}")
        best = None
        for c in c_grid:
            clf = _fit(x_train, y_train, c)
            acc = float(np.mean(clf.predict(x_tune) == np.asarray(y_tune)))
            say(f"{name}: C={c:g} tune accuracy {acc:.3f}")
            if best is None or acc > best[0] + 1e-9:
                best = (acc, c, clf)
        assert best is not None
        acc, c, clf = best
        missing = [k for k in classes if k not in clf.classes_]
        if missing:
            raise ValueError(f"{name}: no training text for {', '.join(missing)}")
        gold = np.array([list(clf.classes_).index(y) for y in y_tune])
        temperature = _temperature(clf.decision_function(x_tune), gold)
        heads[name] = _head(clf, classes, temperature)
        chosen_c[name] = c
        lines.append(f"{name}: C={c:g}, temperature {temperature:.2f}, tune accuracy {acc:.3f}")
        if name == "department":
            probs = _softmax(clf.decision_function(x_tune) / temperature)
            best_idx = probs.argmax(axis=1)
            threshold, tune_dept_acc = choose_threshold(
                probs.max(axis=1).tolist(),
                [str(clf.classes_[i]) for i in best_idx],
                y_tune,
            )
            lines.append(
                f"abstention threshold {threshold:.3f} (tune department accuracy "
                f"{tune_dept_acc:.3f})"
            )
    meta = {
        "format": FORMAT_VERSION,
        "corpus_sha256": corpus_sum,
        "train_texts": len(train_rows),
        "tune_texts": len(tune_rows),
        "c": chosen_c,
        "threshold": threshold,
        "min_df": MIN_DF,
    }
    return TrainingReport(LinearModel(vocab, len(idf), idf, heads, meta), lines)


def train_from_repository(
    progress: Callable[[str], None] | None = None,
) -> tuple[TrainingReport, MentionReport]:
    """Train the mention scorer, then the router, on ``corpus/train`` and its tuning split."""
    if not train_files(CORPUS_DIR):
        raise CorpusError(f"no training files in {CORPUS_DIR / 'train'}: train from a checkout")
    train_rows, tune_rows = training_rows(CORPUS_DIR)
    mentions = train_mentions(train_rows, tune_rows)
    finder = MentionFinder(mentions.weights, mentions.threshold)
    report = train(
        train_rows,
        tune_rows,
        corpus_sum=checksum(train_files(CORPUS_DIR)),
        progress=progress,
        mentions=finder,
    )
    return report, mentions


@dataclass(frozen=True, slots=True)
class MentionReport:
    """The trained mention scorer (weights and threshold) and what was chosen."""

    weights: dict[str, float]
    threshold: float
    lines: list[str]

    def to_json(self) -> dict[str, object]:
        """The artefact written to ``nlp/data/mention_model.json``."""
        return {
            "threshold": self.threshold,
            "weights": {k: round(v, 6) for k, v in sorted(self.weights.items()) if abs(v) > 1e-6},
        }


def train_mentions(train_rows: Sequence[Labelled], tune_rows: Sequence[Labelled]) -> MentionReport:
    """Fit the mention scorer on labelled companies; choose C and threshold on the tuning split."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    blank = MentionFinder(weights={}, threshold=0.5)
    xs, ys = training_pairs(blank, [(r.text, r.company) for r in train_rows])
    vec = DictVectorizer()
    x = vec.fit_transform([dict.fromkeys(f, 1) for f in xs])
    tune = [(r.text, r.company) for r in tune_rows]
    best: tuple[float, float, float, dict[str, float]] | None = None
    lines = [f"mentions: {len(xs)} candidates, {sum(ys)} of them the labelled name"]
    for c in MENTION_C_GRID:
        # balanced: a text has one name among dozens of candidates
        clf = LogisticRegression(C=c, max_iter=3000, tol=1e-6, class_weight="balanced")
        clf.fit(x, ys)
        weights = {n: float(w) for n, w in zip(vec.feature_names_, clf.coef_[0], strict=True)}
        weights["bias"] = weights.get("bias", 0.0) + float(clf.intercept_[0])
        for threshold in MENTION_THRESHOLDS:
            acc = span_accuracy(MentionFinder(weights, threshold), tune)["accuracy"]
            if best is None or acc > best[0] + 1e-9:
                best = (acc, c, threshold, weights)
    assert best is not None
    acc, c, threshold, weights = best
    lines.append(f"mentions: C={c:g}, threshold {threshold:.2f}, tune accuracy {acc:.3f}")
    return MentionReport(weights, threshold, lines)


def write_artefacts(
    report: TrainingReport,
    mentions: MentionReport,
    model_path: Path = DEFAULT_MODEL,
    mention_path: Path = MENTION_MODEL,
) -> None:
    """Write the router model and the mention scorer where ``nlp`` loads them from."""
    report.model.save(model_path)
    text = json.dumps(mentions.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
    mention_path.write_text(text + "\n", encoding="utf-8")


def model_is_current(model_path: Path = DEFAULT_MODEL) -> bool:
    """Whether the shipped model was trained on the corpus as it is now."""
    try:
        trained_on = LinearModel.load(model_path).meta.get("corpus_sha256")
    except (OSError, ValueError, KeyError):
        return False
    return trained_on == checksum(train_files(CORPUS_DIR))
