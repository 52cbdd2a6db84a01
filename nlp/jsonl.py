"""``zhixin route``: JSON Lines in, one JSON line out per line in, in the same order.

Each input line is an object with ``text`` and usually ``id``; ``kind`` and
``company`` are optional hints (as when the citizen chose /tip or named the
company in a separate field). A line that is not a JSON object with a
non-empty ``text`` gets an output line with an ``error`` field instead, and
the following lines are still routed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from nlp.kind import KINDS
from nlp.router import Router

OUTPUT_FIELDS = ("id", "department", "kind", "company", "enterprise", "confidence", "reasons")


def route_record(router: Router, line: str, line_no: int) -> dict[str, Any]:
    """The output object for one input line: routing fields, or ``id``, ``line`` and ``error``."""
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return {"id": None, "line": line_no, "error": f"line {line_no}: not valid JSON ({exc.msg})"}
    if not isinstance(obj, dict):
        return {"id": None, "line": line_no, "error": f"line {line_no}: not a JSON object"}
    ident = obj.get("id")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        what = "missing" if text is None else "empty or not a string"
        return {"id": ident, "line": line_no, "error": f"line {line_no}: field 'text' is {what}"}
    kind = obj.get("kind")
    company = obj.get("company")
    result = router.route(
        text,
        kind_hint=kind if kind in KINDS else None,
        company_hint=company if isinstance(company, str) else None,
    )
    return {"id": ident, **result.to_dict()}


def route_stream(router: Router, lines: Iterable[str]) -> Iterator[str]:
    """One JSON line (no newline) per input line, in order; errors never stop the stream."""
    for line_no, line in enumerate(lines, start=1):
        record = route_record(router, line.strip(), line_no)
        yield json.dumps(record, ensure_ascii=False)


def is_error(output_line: str) -> bool:
    """Whether an output line of :func:`route_stream` reports an error (for the exit status)."""
    return '"error"' in output_line and "error" in json.loads(output_line)
