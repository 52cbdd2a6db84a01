"""The trained routing model at run time: two linear heads over one feature vocabulary.

The artefact (``nlp/data/router_model.npz``, written by ``nlp.training``) holds
plain arrays, no pickled objects, so it loads in milliseconds, cannot run code
and does not depend on the version of the library that trained it:

- ``vocab``: feature names (UTF-8, one per line); the first ``n_text`` are
  sparse text features with their ``idf``, the rest are dense evidence;
- per head (``department``, ``kind``): ``classes``, ``coef`` (features ×
  classes), ``intercept`` and a calibration ``temperature``;
- ``meta``: JSON with the corpus checksum, the hyper-parameters and the
  abstention threshold chosen on the tuning split.

A text's sparse features are weighted like scikit-learn's
``TfidfVectorizer(sublinear_tf=True)`` (1 + log tf, times idf, L2-normalised);
the dense features are used as they are. Scores are the dot product plus the
intercept, divided by the temperature, through a softmax.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from nlp.features import Columns, FeatureBag

DEFAULT_MODEL = Path(__file__).with_name("data") / "router_model.npz"
HEADS = ("department", "kind")


@dataclass(frozen=True, slots=True)
class Head:
    """One classifier: its classes, weights and calibration."""

    classes: tuple[str, ...]
    coef: np.ndarray  # (features, classes), float32
    intercept: np.ndarray  # (classes,)
    temperature: float


@dataclass(frozen=True, slots=True)
class Prediction:
    """Calibrated probabilities of one head for one text, with the features that produced them."""

    probabilities: dict[str, float]
    indices: np.ndarray  # feature columns present in the text
    values: np.ndarray  # their weights after tf-idf and normalisation
    head: Head
    rows: np.ndarray | None = None  # head.coef[indices], when already gathered

    def best(self) -> tuple[str, float]:
        """The most probable class and its probability."""
        label = max(self.probabilities, key=self.probabilities.__getitem__)
        return label, self.probabilities[label]

    def contributions(
        self,
        label: str,
        against: str | None = None,
        top: int | None = None,
        mask: np.ndarray | None = None,
        keep: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """Columns that pushed towards ``label`` (rather than ``against``), largest first.

        ``mask`` (a boolean per column) or ``keep`` (a boolean per column of
        the text, in :attr:`indices` order) keeps only the columns worth naming.
        """
        indices, values, rows = self.indices, self.values, self.rows
        if keep is None and mask is not None and len(indices):
            keep = mask[indices]
        if keep is not None and len(indices):
            indices, values = indices[keep], values[keep]
            if rows is not None:  # the text's rows, gathered from the large matrix once
                rows = rows[keep]
        col = self.head.classes.index(label)
        if rows is None:
            rows = self.head.coef[indices]
        weights = rows[:, col]
        if against is not None:
            weights = weights - rows[:, self.head.classes.index(against)]
        else:
            # rows.mean(axis=1), without the Python wrapper around it
            mean = np.add.reduce(rows, axis=1)
            np.true_divide(mean, rows.shape[1], out=mean, casting="unsafe")
            weights = weights - mean
        scores = weights * values
        negative = -scores
        if top is not None and len(scores) > top:
            keep = negative.argpartition(top)[:top]
            order = keep[negative[keep].argsort()]
        else:
            order = negative.argsort()
        cols, weights = indices[order].tolist(), scores[order].tolist()
        return [(c, w) for c, w in zip(cols, weights, strict=True) if w > 0]


class LinearModel:
    """The routing model loaded from its artefact."""

    def __init__(
        self,
        vocab: list[str],
        n_text: int,
        idf: np.ndarray,
        heads: Mapping[str, Head],
        meta: Mapping[str, Any],
    ) -> None:
        self.vocab = vocab
        self.index = {name: i for i, name in enumerate(vocab)}
        self.n_text = n_text
        self.idf = idf.astype(np.float32)
        self.heads = dict(heads)
        self.meta = dict(meta)
        self._columns: Columns | None = None  # built on the first text

    @classmethod
    def load(cls, path: Path | str | None = None) -> LinearModel:
        """Read an artefact written by :func:`save`."""
        with np.load(Path(path or DEFAULT_MODEL), allow_pickle=False) as data:
            vocab = bytes(data["vocab"]).decode("utf-8").split("\n")
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            heads = {
                name: Head(
                    classes=tuple(bytes(data[f"{name}_classes"]).decode("utf-8").split("\n")),
                    coef=np.ascontiguousarray(data[f"{name}_coef"], dtype=np.float32),
                    intercept=np.asarray(data[f"{name}_intercept"], dtype=np.float32),
                    temperature=float(data[f"{name}_temperature"]),
                )
                for name in HEADS
            }
            return cls(vocab, int(data["n_text"]), data["idf"], heads, meta)

    def save(self, path: Path | str) -> None:
        """Write the artefact (deterministic bytes for the same model)."""
        arrays: dict[str, np.ndarray] = {
            "vocab": _utf8("\n".join(self.vocab)),
            "n_text": np.asarray(self.n_text, dtype=np.int64),
            "idf": self.idf.astype(np.float32),
            "meta": _utf8(json.dumps(self.meta, ensure_ascii=False, sort_keys=True)),
        }
        for name, head in self.heads.items():
            arrays[f"{name}_classes"] = _utf8("\n".join(head.classes))
            arrays[f"{name}_coef"] = head.coef.astype(np.float32)
            arrays[f"{name}_intercept"] = head.intercept.astype(np.float32)
            arrays[f"{name}_temperature"] = np.asarray(head.temperature, dtype=np.float64)
        with Path(path).open("wb") as fh:
            np.savez_compressed(fh, **arrays)

    def vectorise(self, bag: FeatureBag) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of the features in ``bag`` that the model knows."""
        index = self.index
        if self._columns is None:
            self._columns = Columns(self.vocab, index, self.n_text)
        counts = self._columns.count(bag)
        dense = [(index[name], v) for name, v in bag.dense.items() if name in index]
        n = len(counts)
        idx = np.fromiter(
            chain(counts.keys(), (i for i, _v in dense)), dtype=np.int64, count=n + len(dense)
        )
        val = np.empty(n + len(dense), dtype=np.float32)
        if n:
            tf = np.fromiter(counts.values(), dtype=np.float32, count=n)
            text = (1.0 + np.log(tf)) * self.idf[idx[:n]]
            norm = float(np.sqrt(np.dot(text, text))) or 1.0
            val[:n] = text / norm
        if dense:
            val[n:] = [v for _i, v in dense]
        return idx, val

    def predict(
        self, head_name: str, indices: np.ndarray, values: np.ndarray, temperature: bool = True
    ) -> Prediction:
        """Calibrated class probabilities of one head."""
        head = self.heads[head_name]
        rows = head.coef[indices]
        logits = values @ rows + head.intercept if len(indices) else head.intercept
        logits = np.asarray(logits, dtype=np.float64)
        if temperature:
            logits = logits / head.temperature
        # logits.max() and exp.sum(), without the Python wrappers around them
        logits -= np.maximum.reduce(logits)
        exp = np.exp(logits)
        probs = exp / np.add.reduce(exp)
        return Prediction(
            dict(zip(head.classes, probs.tolist(), strict=True)), indices, values, head, rows
        )

    def feature_name(self, column: int) -> str:
        """The name of a feature column (``w:发霉``)."""
        return self.vocab[column]


def _utf8(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
