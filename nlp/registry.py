"""The department registry: which departments exist and what each is responsible for.

The registry is data (``nlp/data/departments.toml`` by default); operators may
replace it with their own file. Department codes are stable identifiers.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_REGISTRY = Path(__file__).with_name("data") / "departments.toml"
TRIAGE = "triage"


@dataclass(frozen=True, slots=True)
class DepartmentSpec:
    code: str
    name_zh: str
    name_en: str
    scope_zh: str = ""
    scope_en: str = ""
    # keyword -> weight; the router's rule layer and jieba's dictionary use these
    keywords: dict[str, float] = field(default_factory=dict)
    keywords_en: dict[str, float] = field(default_factory=dict)

    def name(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh

    def scope(self, lang: str) -> str:
        return self.scope_en if lang.startswith("en") else self.scope_zh


class RegistryError(ValueError):
    """The registry file is malformed."""


def _weights(entries: list[str], where: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for entry in entries:
        word, _, weight = entry.rpartition(":") if ":" in entry else (entry, "", "")
        try:
            out[word.strip()] = float(weight) if weight else 1.0
        except ValueError as exc:
            raise RegistryError(f"{where}: bad keyword weight in {entry!r}") from exc
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
        specs.append(
            DepartmentSpec(
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                scope_zh=str(raw.get("scope_zh", "")),
                scope_en=str(raw.get("scope_en", "")),
                keywords=_weights(list(raw.get("keywords", [])), where),
                keywords_en=_weights(list(raw.get("keywords_en", [])), where),
            )
        )
    if TRIAGE not in seen:
        raise RegistryError(f"{path.name}: the registry must define {TRIAGE!r}")
    return specs
