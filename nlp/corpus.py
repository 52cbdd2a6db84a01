"""The labelled routing corpus: where it lives, how it is split, its checksum.

Layout (``corpus/`` at the root of the repository; see its README):

- ``corpus/train/*.jsonl``: the training part, written in several voices;
  a fixed 15% of it, chosen by a hash of the text, is the **tuning split**
  (regularisation, calibration and the abstention threshold are chosen there);
- ``corpus/test/citizens.jsonl``: the test split written separately, by a
  different method, never used to choose anything;
- ``corpus/test/authors.jsonl``: the first corpus's test split, kept to
  compare with the rules router on the text those rules were written for.

Each line: ``{"text", "department", "kind", "company", "lang"}``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parents[1] / "corpus"
TUNE_PERCENT = 15
TEST_SPLITS = ("citizens", "authors")


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled text."""

    text: str
    department: str
    kind: str
    company: str | None = None
    lang: str = "zh"
    source: str = ""


class CorpusError(ValueError):
    """A corpus file is malformed; the message names the file and line."""


def read_jsonl(path: Path) -> list[Labelled]:
    """The rows of one corpus file."""
    rows: list[Labelled] = []
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                rows.append(
                    Labelled(
                        text=str(obj["text"]),
                        department=str(obj["department"]),
                        kind=str(obj["kind"]),
                        company=obj.get("company") or None,
                        lang=str(obj.get("lang") or "zh"),
                        source=path.stem,
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise CorpusError(f"{path.name}:{no}: {exc}") from exc
    return rows


def train_files(root: Path = CORPUS_DIR) -> list[Path]:
    """The training files, in a fixed order."""
    return sorted((root / "train").glob("*.jsonl"))


def is_tune(text: str) -> bool:
    """Whether a training text belongs to the tuning split (a fixed hash of the text)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < TUNE_PERCENT


def training_rows(root: Path = CORPUS_DIR) -> tuple[list[Labelled], list[Labelled]]:
    """(train, tune): every training file's rows, split by :func:`is_tune`."""
    train: list[Labelled] = []
    tune: list[Labelled] = []
    seen: set[str] = set()
    for path in train_files(root):
        for row in read_jsonl(path):
            if row.text in seen:  # a text written twice counts once
                continue
            seen.add(row.text)
            (tune if is_tune(row.text) else train).append(row)
    return train, tune


def test_rows(split: str, root: Path = CORPUS_DIR) -> list[Labelled]:
    """The rows of a test split (``citizens`` or ``authors``)."""
    if split not in TEST_SPLITS:
        raise CorpusError(f"unknown test split {split!r}; use one of {', '.join(TEST_SPLITS)}")
    return read_jsonl(root / "test" / f"{split}.jsonl")


def checksum(paths: Iterable[Path]) -> str:
    """SHA-256 over the files' names and bytes: what a trained model was made from."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def subsample(rows: Sequence[Labelled], fraction: float) -> list[Labelled]:
    """A deterministic ``fraction`` of ``rows`` (by hash), for learning curves."""
    if fraction >= 1:
        return list(rows)
    cut = int(fraction * 1000)
    return [
        r
        for r in rows
        if int.from_bytes(hashlib.sha256(b"lc" + r.text.encode()).digest()[:4], "big") % 1000 < cut
    ]
