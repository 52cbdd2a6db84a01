"""Is an answer what the form's step asked for? A phone number is not a description, a
company or a city; a whole sentence is not a company's name. Pure functions."""

from __future__ import annotations

import re

_PHONE = re.compile(r"^\+?[\d\s\-()（）]{6,20}$")
_MAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_OR_MAIL = re.compile(r"(\d[\d\s\-+()]{5,}\d)|([^@\s]+@[^@\s]+\.[^@\s]+)")
SENTENCE_MARKS = set("。！？!?，,；;")
MAX_NAME = 40
MAX_CITY = 20


def is_contact_only(text: str) -> bool:
    """The whole answer is a phone number or an e-mail address."""
    text = text.strip()
    return bool(_PHONE.match(text) and sum(c.isdigit() for c in text) >= 6) or bool(
        _MAIL.match(text)
    )


def is_sentence(text: str, limit: int = MAX_NAME) -> bool:
    """Longer than a name, or punctuated like a sentence."""
    text = text.strip()
    return len(text) > limit or bool(SENTENCE_MARKS & set(text))


def looks_like_contact(text: str) -> bool:
    """A phone number or an e-mail address somewhere in the answer."""
    return bool(PHONE_OR_MAIL.search(text))
