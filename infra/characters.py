"""Characters no text may hold: lone UTF-16 surrogates.

Half of a surrogate pair is no character: UTF-8 cannot encode it, so a string that
holds one can be stored but not sent. JSON can carry one (``"\\ud800"``); the edge
refuses it and the domain checks again, and what is shown escapes one stored earlier.
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
