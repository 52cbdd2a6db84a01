"""The public HTML pages: search, company page (with the objection form), recall list and page.

Every page works without JavaScript (plain links and GET forms); the search
box's suggestions come from ``/static/suggest.js`` calling the JSON API. Every
link carries the page's language, so a reader who chose English stays there.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from disclosure import service
from disclosure.grades import COLOUR, GRADES, MEANING, TITLE, parse_grade
from disclosure.labels import (
    CASE_OUTCOME,
    CATEGORY,
    OBJECTION_STATUS,
    RECALL_STATUS,
    label,
    level_label,
)
from disclosure.models import RECALL_CATEGORIES
from disclosure.recalls import BadCursor, RecallFilter, RecallNotFound, get_recall, list_recalls
from disclosure.web.common import complaint_counts, home_extras, services
from infra.formatting import format_date
from infra.i18n import gettext as _
from infra.web import ApiError, render

PAGE_SIZE = 20
SEARCH_SIZE = 20


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; translated where shown."""
    return message


# how well a search hit matches the query (the lookup's score, 0-100): a strong hit is
# the company meant (an exact name, code, alias, or a typo away); below PARTIAL the hit
# shares only a few characters with the query and is folded away behind the others
STRONG = 85.0
PARTIAL = 60.0
MATCH_LABELS = {
    "strong": N_("Strong match"),
    "partial": N_("Partial match"),
    "weak": N_("Weak match"),
}


def match_level(score: float) -> str:
    """``strong``, ``partial`` or ``weak``: how well a hit matches, for the reader."""
    if score >= STRONG:
        return "strong"
    return "partial" if score >= PARTIAL else "weak"


def search_view(results: list[service.SearchItem] | None, by_name: bool) -> dict[str, Any]:
    """Search results split for the page: the hits shown, the weak tail folded away, and
    whether any hit is strong (otherwise the page says the closest are shown)."""
    if not results or not by_name:
        return {"shown": results or [], "weak": [], "exact": True}
    levels = [match_level(item.score) for item in results]
    exact = "strong" in levels
    if all(level == "weak" for level in levels):
        return {"shown": results, "weak": [], "exact": False}
    shown = [item for item, level in zip(results, levels, strict=True) if level != "weak"]
    weak = [item for item, level in zip(results, levels, strict=True) if level == "weak"]
    return {"shown": shown, "weak": weak, "exact": exact}


def day(value: date | str | None) -> str:
    """A date (or an ISO date string from the API dicts) in the reader's language."""
    if not value:
        return ""
    return format_date(date.fromisoformat(value) if isinstance(value, str) else value)


def page_context(request: web.Request, **ctx: Any) -> dict[str, Any]:
    """What every disclosure template uses: language-keeping links and label lookups."""
    lang = request.get("lang", "zh")

    def link(path: str, **params: Any) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        query["lang"] = lang
        return f"{path}?{urlencode(query)}"

    ctx.update(
        link=link,
        day=day,
        grades=GRADES,
        grade_title=lambda code: _(TITLE[code]) if code in TITLE else "",
        grade_meaning=lambda code: _(MEANING[code]) if code in MEANING else "",
        grade_colour=COLOUR,
        categories=[(c, label(CATEGORY, c)) for c in RECALL_CATEGORIES],
        category_label=lambda code: label(CATEGORY, code),
        recall_status_label=lambda code: label(RECALL_STATUS, code),
        level_label=level_label,
        objection_status_label=lambda code: label(OBJECTION_STATUS, code),
        match_level=match_level,
        match_label=lambda score: _(MATCH_LABELS[match_level(score)]),
    )
    return ctx


async def home(request: web.Request) -> web.Response:
    """The home page; with ``q`` (or ``grade``) it shows search results too."""
    svc = services(request)
    q = request.query.get("q", "").strip()[:200]
    raw_grade = request.query.get("grade", "").strip()
    grade = parse_grade(raw_grade) if raw_grade else None
    error = None
    if raw_grade and grade is None:
        error = _("Choose a grade from the list.")
    results = None
    if q or grade:
        results = service.search_enterprises(svc.published, q, SEARCH_SIZE, grade=grade)
    async with svc.sessions() as session:
        latest = await list_recalls(session, RecallFilter(), 5)
        extras = await home_extras(request, session)
    ctx = page_context(
        request,
        q=q,
        grade=grade,
        results=results,
        hits=search_view(results, bool(q)),
        latest=latest.items,
        error=error,
        **extras,
    )
    return render("home.html", request, ctx, status=400 if error else 200)


async def company_detail(request: web.Request, code: str) -> dict[str, Any]:
    svc = services(request)
    try:
        async with svc.sessions() as session:
            return await service.enterprise_detail(
                session, svc.published, code, complaint_counts=complaint_counts(request)
            )
    except service.BadCode:
        raise ApiError(
            400, "invalid_code", _("This is not a unified social credit code.")
        ) from None
    except service.NotFound:
        raise ApiError(404, "not_found", _("No enterprise is registered with this code.")) from None


def _complaint_rows(by_outcome: dict[str, int]) -> list[tuple[str, int]]:
    merged: dict[str, int] = {}
    for code, count in by_outcome.items():
        text = label(CASE_OUTCOME, code)
        merged[text] = merged.get(text, 0) + count
    return sorted(merged.items(), key=lambda item: -item[1])


async def company(request: web.Request) -> web.Response:
    return await render_company(request, request.match_info["uscc"])


async def render_company(
    request: web.Request,
    code: str,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> web.Response:
    detail = await company_detail(request, code)
    ctx = page_context(
        request,
        e=detail,
        complaint_rows=_complaint_rows(detail["complaints"]["by_outcome"]),
        errors=errors or {},
        form=form or {},
    )
    return render("company.html", request, ctx, status=400 if errors else 200)


def _recall_filters(
    request: web.Request,
) -> tuple[RecallFilter, dict[str, str], dict[str, str]]:
    """The list's filters, the values to show in the form, and a message per bad field
    (each names the field as the form labels it)."""
    query = request.query
    values = {k: query.get(k, "").strip() for k in ("q", "category", "since", "until")}
    values["q"] = values["q"][:200]
    errors: dict[str, str] = {}
    category = values["category"] or None
    if category is not None and category not in RECALL_CATEGORIES:
        errors["category"] = _("{field}: choose one from the list, not “{value}”.").format(
            field=_("Category"), value=values["category"][:40]
        )
        category = values["category"] = None
    days: dict[str, date | None] = {}
    labels = {"since": _("Published from"), "until": _("Published until")}
    for name in ("since", "until"):
        try:
            days[name] = date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            errors[name] = _("{field}: write the date as 2026-03-15, not “{value}”.").format(
                field=labels[name], value=values[name][:40]
            )
            days[name] = None
            values[name] = ""
    since, until = days["since"], days["until"]
    if since and until and since > until:
        errors["since"] = _("{since} is later than {until}.").format(
            since=labels["since"], until=labels["until"]
        )
        since = until = None
    return RecallFilter(values["q"] or None, category, since, until), values, errors


async def recall_list(request: web.Request) -> web.Response:
    filters, values, errors = _recall_filters(request)
    cursor = request.query.get("cursor", "").strip() or None
    notice = None
    page = None
    if not errors:
        # with a bad filter no list is shown: an unfiltered one would look filtered
        async with services(request).sessions() as session:
            try:
                page = await list_recalls(session, filters, PAGE_SIZE, cursor)
            except BadCursor:
                notice = _("That page link has expired; showing the newest notices.")
                cursor = None
                page = await list_recalls(session, filters, PAGE_SIZE)
    ctx = page_context(
        request,
        page=page,
        values=values,
        errors=errors,
        notice=notice,
        paged=cursor is not None,
        filtered=any(values.values()) or bool(errors),
    )
    return render("recall_list.html", request, ctx, status=400 if errors or notice else 200)


async def recall_page(request: web.Request) -> web.Response:
    raw = request.match_info["id"]
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 2**31:
        raise ApiError(404, "not_found", _("There is no such recall notice."))
    try:
        async with services(request).sessions() as session:
            recall = await get_recall(session, int(raw))
    except RecallNotFound:
        raise ApiError(404, "not_found", _("There is no such recall notice.")) from None
    return render("recall.html", request, page_context(request, r=recall))


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", home, name="home")
    app.router.add_get("/search", home, name="search")
    app.router.add_get("/enterprises/{uscc}", company, name="company")
    app.router.add_get("/recalls", recall_list, name="recall_list")
    app.router.add_get("/recalls/{id}", recall_page, name="recall_page")
