"""The bot's messages about companies, recalls and cases, as Telegram HTML."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.keyboards import category_name
from bot.markup import quote
from complaints.labels import label
from disclosure.grades import MEANING
from infra import i18n as catalogue
from infra.formatting import format_date
from nlp.router import RoutingResult

GRADE_MARK = {"AAA": "🟢", "AA": "🟢", "A": "🟢", "B": "🟡", "C": "🟠", "D": "🔴"}
SUMMARY_TEXT = 600  # characters of a description shown back in summaries and alerts


@contextmanager
def speaking(i18n: I18n, lang: str) -> Iterator[None]:
    """Render in ``lang`` outside an update (deliveries)."""
    lang = lang if lang in catalogue.LANGS else catalogue.DEFAULT_LANG
    token = catalogue.current_lang.set(lang)
    try:
        with i18n.context(), i18n.use_locale(catalogue.CATALOGUE[lang]):
            yield
    finally:
        catalogue.current_lang.reset(token)


def status_name(status: str) -> str:
    return label("status", status)


def kind_name(kind: str) -> str:
    return label("kind", kind)


def shorten(text: str, limit: int = SUMMARY_TEXT) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def grade_line(grade: dict[str, Any] | None) -> str:
    if grade is None:
        return _("No quality-credit grade on record.")
    valid = ""
    if grade.get("valid_from") or grade.get("valid_until"):
        start = format_date(_as_date(grade.get("valid_from"))) or "…"
        end = format_date(_as_date(grade.get("valid_until"))) or "…"
        valid = "\n" + _("Valid: {start} – {end}").format(start=start, end=end)
    return (
        f"{GRADE_MARK.get(grade['grade'], '')} <b>{quote(grade['grade'])}</b> "
        f"({quote(grade['year'])}) — {quote(_(MEANING[grade['grade']]))}{valid}"
    )


def _as_date(value: Any) -> Any:
    from datetime import date

    if isinstance(value, str):
        return date.fromisoformat(value)
    return value


def enterprise_card(detail: dict[str, Any]) -> str:
    """A company's card from ``disclosure.service.enterprise_detail``."""
    lines = [f"🏭 <b>{quote(detail['name'])}</b>", f"<code>{quote(detail['uscc'])}</code>"]
    where = " · ".join(quote(x) for x in (detail.get("region"), detail.get("industry")) if x)
    if where:
        lines.append(where)
    lines += ["", grade_line(detail.get("grade"))]
    grade = detail.get("grade")
    if grade and grade.get("authority"):
        lines.append(_("Graded by: {authority}").format(authority=quote(grade["authority"])))
    recalls = detail.get("recalls") or []
    complaints = (detail.get("complaints") or {}).get("total", 0)
    lines.append("")
    lines.append(_("Recalls: {n} · Complaints and tips: {m}").format(n=len(recalls), m=complaints))
    return "\n".join(lines)


def candidates_text(query: str) -> str:
    return _("Several companies match “{query}”. Which one do you mean?").format(query=quote(query))


def closest_text(query: str) -> str:
    return _("No exact match for “{query}”. The closest names are:").format(query=quote(query))


def recall_line(index: int, recall: Any) -> str:
    return (
        f"{index}. <b>{quote(recall.title)}</b>\n"
        f"   {quote(category_name(recall.category))} · {format_date(recall.published)} · "
        f"{quote(recall.producer)}"
    )


def recall_card(recall: Any) -> str:
    lines = [
        f"⚠️ <b>{quote(recall.title)}</b>",
        _("Recall no.: {no}").format(no=f"<code>{quote(recall.recall_no)}</code>"),
        _("Product: {product}").format(product=quote(recall.product)),
    ]
    if recall.brand or recall.model:
        lines.append(
            _("Brand / model: {brand}").format(
                brand=quote(" ".join(x for x in (recall.brand, recall.model) if x))
            )
        )
    lines += [
        _("Category: {category}").format(category=quote(category_name(recall.category))),
        _("Producer: {producer}").format(producer=quote(recall.producer)),
        _("Published: {date}").format(date=format_date(recall.published)),
        "",
        _("Defect: {reason}").format(reason=quote(recall.reason)),
    ]
    if recall.hazard:
        lines.append(_("Possible harm: {hazard}").format(hazard=quote(recall.hazard)))
    lines.append(_("What to do: {remedy}").format(remedy=quote(recall.remedy)))
    if recall.url:
        lines.append(quote(recall.url))
    return "\n".join(lines)


def routing_lines(routing: RoutingResult, department_name: str, lang: str = "zh") -> list[str]:
    """Which department the router chose and why, in plain sentences (before confirming)."""
    lines = [_("Department: <b>{department}</b>").format(department=quote(department_name))]
    reasons: Sequence[str] = routing.reasons_in(lang)
    if reasons:
        lines.append(_("Why: {reasons}").format(reasons=quote(" ".join(reasons[:3]))))
    return lines
