"""HTML for Telegram messages: escaping user text and splitting long messages."""

from __future__ import annotations

import html
import re

LIMIT = 4096  # Telegram's longest message, in UTF-16 code units
_TOKEN = re.compile(r"<(/?)([a-zA-Z-]+)[^>]*>|&#?\w+;|[\s\S]", re.ASCII)
_VOID = {"br"}


def quote(text: object) -> str:
    """User or database text made safe for ``parse_mode=HTML``."""
    return html.escape(str(text), quote=False)


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = LIMIT) -> list[str]:
    """Split an HTML message into parts of at most ``limit``: at line ends when possible,
    never inside a tag or an entity, closing and reopening tags across a cut."""
    if _units(text) <= limit:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    open_tags: list[tuple[str, str]] = []  # (name, opening tag text)
    last_break = -1  # index in ``current`` just after the last newline
    break_tags: list[tuple[str, str]] = []

    def closing(tags: list[tuple[str, str]]) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(tags))

    def flush(upto: int, tags: list[tuple[str, str]]) -> None:
        nonlocal current, size
        head, rest = current[:upto], current[upto:]
        chunk = "".join(head).rstrip("\n") + closing(tags)
        if chunk.strip():
            parts.append(chunk)
        reopen = "".join(opening for _, opening in tags)
        current = [reopen, *rest] if reopen else rest
        size = sum(_units(t) for t in current)

    for match in _TOKEN.finditer(text):
        token = match.group(0)
        reserve = _units(closing(open_tags)) + 16
        if size + _units(token) + reserve > limit:
            if last_break > 0:
                flush(last_break, break_tags)
            else:
                flush(len(current), open_tags)
            last_break = -1
        current.append(token)
        size += _units(token)
        if match.group(2):
            name = match.group(2).lower()
            if name in _VOID:
                pass
            elif match.group(1):
                for i in range(len(open_tags) - 1, -1, -1):
                    if open_tags[i][0] == name:
                        del open_tags[i]
                        break
            else:
                open_tags.append((name, token))
        elif token == "\n":
            last_break = len(current)
            break_tags = list(open_tags)
    tail = "".join(current).rstrip("\n")
    if tail.strip():
        parts.append(tail)
    return parts
