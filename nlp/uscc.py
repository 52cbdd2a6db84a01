"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

Eighteen characters: registration authority (1), organisation type (1),
administrative division (6), organisation code (9, GB 11714 with its own check
character) and a check character over the first seventeen. Real codes exist
whose check character fails (early pilot codes), so validation distinguishes
a *malformed* code (reject) from one whose check character is wrong (warn).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from nlp.text import fold_width

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_SHAPE = re.compile(rf"[{ALPHABET}]{{18}}")
_CANDIDATE = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")

# GB 11714 organisation code: 8 characters from 0-9A-Z, then a check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class CodeStatus(Enum):
    VALID = "valid"
    BAD_CHECK = "bad_check"  # well formed, but a check character does not match
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class CodeCheck:
    code: str
    status: CodeStatus
    message: str

    @property
    def acceptable(self) -> bool:
        """Well formed: valid, or only a check character off (warn, do not reject)."""
        return self.status is not CodeStatus.MALFORMED


def clean(code: str) -> str:
    """Trimmed, width-folded, upper-cased code."""
    return fold_width(code).strip().upper().replace(" ", "")


def check_character(first17: str) -> str:
    """The GB 32100 check character for the first seventeen characters."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(first8: str) -> str:
    """The GB 11714 check character of an organisation code's first eight characters."""
    total = 0
    for c, w in zip(first8, _ORG_WEIGHTS, strict=True):
        value = int(c) if c.isdigit() else ord(c) - ord("A") + 10
        total += value * w
    r = 11 - total % 11
    return {10: "X", 11: "0"}.get(r, str(r))


def organisation_code(code: str) -> str:
    """The embedded GB 11714 organisation code (characters 9 to 17)."""
    return clean(code)[8:17]


def validate(code: str) -> CodeCheck:
    """Classify a code as valid, well formed with a bad check character, or malformed."""
    c = clean(code)
    if len(c) != 18:
        return CodeCheck(c, CodeStatus.MALFORMED, f"must be 18 characters, got {len(c)}")
    if not _SHAPE.fullmatch(c):
        bad = sorted({ch for ch in c if ch not in _VALUE})
        return CodeCheck(
            c, CodeStatus.MALFORMED, f"characters not allowed: {''.join(bad)} (no I, O, S, V, Z)"
        )
    expected = check_character(c[:17])
    if c[17] != expected:
        return CodeCheck(
            c, CodeStatus.BAD_CHECK, f"check character is {c[17]}, expected {expected}"
        )
    org = c[8:17]
    if org[:8].isalnum() and org[8] != org_check_character(org[:8]):
        return CodeCheck(
            c,
            CodeStatus.BAD_CHECK,
            f"organisation code check character is {org[8]}, "
            f"expected {org_check_character(org[:8])}",
        )
    return CodeCheck(c, CodeStatus.VALID, "valid")


def is_well_formed(code: str) -> bool:
    """Eighteen characters of the code alphabet, whatever the check characters say."""
    return bool(_SHAPE.fullmatch(clean(code)))


def make_code(prefix: str, division: str, org8: str) -> str:
    """Build a valid code from a 2-character prefix, a 6-digit division and an 8-character
    organisation code body (check characters computed)."""
    org = org8 + org_check_character(org8)
    first17 = prefix + division + org
    return first17 + check_character(first17)


def find_codes(text: str) -> list[str]:
    """Well-formed codes that appear in free text."""
    return [m for m in _CANDIDATE.findall(fold_width(text).upper()) if is_well_formed(m)]
