"""The department registry: which departments exist and what each is responsible for.

The registry is data (``nlp/data/departments.toml`` by default); operators may
replace it with their own file. Department codes are stable identifiers.

Besides names and scopes, each department carries the router's evidence:
``keywords`` / ``keywords_en`` ("word:weight"), ``combos`` / ``combos_en``
(words that only mean this department together, "a|b + c|d : weight"; a
negative weight argues against it) and ``topics`` (a human label per keyword,
used in the reasons a person reads).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_REGISTRY = Path(__file__).with_name("data") / "departments.toml"
TRIAGE = "triage"


@dataclass(frozen=True, slots=True)
class Combo:
    """Words that point to a department only when they occur together.

    ``groups`` is a conjunction of alternatives: every group must have one of
    its words in the text. ``source`` is the rule as written, for reasons.
    """

    groups: tuple[tuple[str, ...], ...]
    weight: float
    source: str


@dataclass(frozen=True, slots=True)
class DepartmentSpec:
    """One department: its stable code, names, scope and the router's evidence for it."""

    code: str
    name_zh: str
    name_en: str
    scope_zh: str = ""
    scope_en: str = ""
    # the subject in a few words, as a citizen's reason names it ("食品药品安全")
    topic_zh: str = ""
    topic_en: str = ""
    # keyword -> weight; the router's rule layer and jieba's dictionary use these
    keywords: dict[str, float] = field(default_factory=dict)
    keywords_en: dict[str, float] = field(default_factory=dict)
    combos: tuple[Combo, ...] = ()
    combos_en: tuple[Combo, ...] = ()
    # keyword -> topic label ("special equipment"), so a reason names the subject
    topics: dict[str, str] = field(default_factory=dict)

    def name(self, lang: str) -> str:
        """The name in ``lang`` (English for "en...", Chinese otherwise)."""
        return self.name_en if lang.startswith("en") else self.name_zh

    def scope(self, lang: str) -> str:
        """The scope in ``lang`` (English for "en...", Chinese otherwise)."""
        return self.scope_en if lang.startswith("en") else self.scope_zh

    def topic(self, keyword: str) -> str:
        """The subject a keyword stands for, or the department's English name."""
        return self.topics.get(keyword, self.name_en)


class RegistryError(ValueError):
    """The registry file is malformed."""


def _split_weight(entry: str) -> tuple[str, str]:
    if ":" not in entry:
        return entry, ""
    word, _, weight = entry.rpartition(":")
    return word, weight


def _weights(entries: list[str], where: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for entry in entries:
        word, weight = _split_weight(entry)
        try:
            out[word.strip()] = float(weight) if weight.strip() else 1.0
        except ValueError as exc:
            raise RegistryError(f"{where}: bad keyword weight in {entry!r}") from exc
    return out


def _combos(entries: list[str], where: str) -> tuple[Combo, ...]:
    out: list[Combo] = []
    for entry in entries:
        body, weight = _split_weight(entry)
        groups = tuple(
            tuple(w.strip() for w in part.split("|") if w.strip()) for part in body.split("+")
        )
        if len(groups) < 2 or not all(groups):
            raise RegistryError(f"{where}: a combo needs two or more word groups: {entry!r}")
        try:
            value = float(weight) if weight.strip() else 1.0
        except ValueError as exc:
            raise RegistryError(f"{where}: bad combo weight in {entry!r}") from exc
        out.append(Combo(groups=groups, weight=value, source=body.strip()))
    return tuple(out)


def _topics(raw: dict[str, list[str]], where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for label, words in raw.items():
        if not isinstance(words, list):
            raise RegistryError(f"{where}: topic {label!r} must list words")
        for word in words:
            out[str(word).strip()] = label
    return out


def load_registry(path: Path | str | None = None) -> list[DepartmentSpec]:
    """Read the registry file; every code appears once and ``triage`` is present."""
    path = Path(path) if path else DEFAULT_REGISTRY
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    specs: list[DepartmentSpec] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("department", []), start=1):
        where = f"{path.name}: department #{i}"
        try:
            code = str(raw["code"]).strip()
            name_zh, name_en = str(raw["name_zh"]), str(raw["name_en"])
        except KeyError as exc:
            raise RegistryError(f"{where}: missing {exc.args[0]}") from exc
        if not code.isidentifier() or code in seen:
            raise RegistryError(f"{where}: code {code!r} is invalid or repeated")
        seen.add(code)
        where = f"{path.name}: department {code}"
        specs.append(
            DepartmentSpec(
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                scope_zh=str(raw.get("scope_zh", "")),
                scope_en=str(raw.get("scope_en", "")),
                topic_zh=str(raw.get("topic_zh", "")),
                topic_en=str(raw.get("topic_en", "")),
                keywords=_weights(list(raw.get("keywords", [])), where),
                keywords_en=_weights(list(raw.get("keywords_en", [])), where),
                combos=_combos(list(raw.get("combos", [])), where),
                combos_en=_combos(list(raw.get("combos_en", [])), where),
                topics=_topics(dict(raw.get("topics", {})), where),
            )
        )
    if TRIAGE not in seen:
        raise RegistryError(f"{path.name}: the registry must define {TRIAGE!r}")
    return specs
