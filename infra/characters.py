"""Characters a text must not carry where it goes: lone surrogates, XML's forbidden controls.

Half of a surrogate pair is no character: UTF-8 cannot encode it, so a string that
holds one can be stored but not sent. JSON can carry one (``"\\ud800"``); the edge
refuses it and the domain checks again, and what is shown escapes one stored earlier.

ElementTree escapes ``<``, ``&`` and quotes, but writes a control character such as
U+0007 as it is, and one of them makes a whole document (the Atom feed, an Open311
XML answer) unreadable to every client. Imports strip them; writers strip them again.
"""

from __future__ import annotations

import re

# in a Python string every code point in this range is a lone surrogate
SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    return SURROGATE.search(text) is not None


def readable(text: str) -> str:
    """The text with each lone surrogate replaced by U+FFFD, so it can be encoded."""
    return SURROGATE.sub("\ufffd", text)


# C0 controls except tab, line feed and carriage return; DEL and the C1 controls;
# lone surrogates; the two non-characters XML excludes.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def strip_controls(text: str) -> tuple[str, list[str]]:
    """The text without control characters, and the ``U+XXXX`` names of those removed."""
    found = _CONTROL.findall(text)
    if not found:
        return text, []
    return _CONTROL.sub("", text), [f"U+{ord(c):04X}" for c in found]


def xml_text(text: str) -> str:
    """``text`` with every character XML cannot carry removed."""
    return _CONTROL.sub("", text)
