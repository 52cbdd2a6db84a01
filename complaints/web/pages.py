"""The citizen's pages: the complaint form (``/complain``) and case tracking (``/track``).

The access code travels only in POST bodies, never in a URL, so it stays out of access
logs, browser history and Referer headers.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from complaints import service
from complaints.intake import IntakeError, Submission
from complaints.labels import routing_reasons
from complaints.web.api import asker
from complaints.web.common import services
from complaints.workflow import WorkflowError
from disclosure.service import search_enterprises
from infra import csrf
from infra.clients import client_address
from infra.i18n import gettext
from infra.limits import RateLimited
from infra.web import lang, render

NO_STORE = {"Cache-Control": "no-store"}
SUGGESTIONS = 5
SUGGEST_MIN_SCORE = 60.0


def _page(template: str, request: web.Request, ctx: dict[str, Any], status: int = 200):
    response = render(template, request, ctx, status=status)
    response.headers.update(NO_STORE)
    return response


async def _form(request: web.Request) -> dict[str, str]:
    data = await request.post()
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _slow_down(response: web.Response, exc: RateLimited) -> web.Response:
    response.headers["Retry-After"] = exc.header
    return response


def _too_many_message(exc: RateLimited) -> str:
    return gettext("Too many attempts; try again in {minutes} minutes.").format(minutes=exc.minutes)


def _complain_page(
    request: web.Request,
    form: dict[str, str],
    error: str | None = None,
    status: int = 200,
    suggestions: list[tuple[str, str]] | None = None,
) -> web.Response:
    ctx = {
        "form": form,
        "error": error,
        "suggestions": suggestions or [],
        # one key per rendered form: a double click or a reload files the case once
        "submission_id": form.get("submission_id") or secrets.token_urlsafe(18),
    }
    return _page("cases/complain.html", request, ctx, status)


async def complain_form(request: web.Request) -> web.Response:
    kind = request.query.get("kind")
    form = {"kind": kind if kind in ("complaint", "tip") else ""}
    # from a company's page (/complain?company=USCC): the citizen chose that enterprise
    code = request.query.get("company", "").strip().upper()[:18]
    name = services(request).published.name_of(code) if code else None
    if name is not None:
        form.update(company=name, company_uscc=code)
    return _complain_page(request, form)


def _suggestions(request: web.Request, company: str) -> list[tuple[str, str]]:
    """Registered enterprises the citizen may pick for the company they typed."""
    if not company.strip():
        return []
    hits = search_enterprises(services(request).published, company[:200], SUGGESTIONS)
    return [(h.uscc, h.name) for h in hits if h.score >= SUGGEST_MIN_SCORE]


async def complain_submit(request: web.Request) -> web.Response:
    form = await _form(request)
    csrf.check(request, form.get("csrf_token"))
    kind = form.get("kind") or None
    if kind not in (None, "complaint", "tip"):
        return _complain_page(request, form, gettext("kind must be complaint or tip"), 400)
    if form.get("action") == "suggest":
        # the register's names for the company typed: the citizen picks one or none
        suggestions = _suggestions(request, form.get("company", ""))
        form.pop("company_uscc", None)
        error = None if suggestions else gettext("No registered company matches this name.")
        return _complain_page(request, form, error, suggestions=suggestions)
    sub_id = form.get("submission_id", "")
    sub = Submission(
        text=form.get("text", ""),
        channel="web",
        kind=kind,
        company=form.get("company", "").strip() or None,
        enterprise_uscc=form.get("company_uscc", "").strip() or None,
        contact=form.get("contact", "").strip() or None,
        reporter_name=form.get("name", "").strip() or None,
        anonymous=form.get("anonymous") == "1",
        lang=lang(request),
        idempotency_key=f"web:{sub_id}" if 16 <= len(sub_id) <= 64 else None,
    )
    try:
        filed = await service.submit(services(request), sub, client=client_address(request))
    except IntakeError as exc:
        return _complain_page(request, form, exc.localized(), exc.status)
    except RateLimited as exc:
        return _slow_down(_complain_page(request, form, _too_many_message(exc), 429), exc)
    departments = services(request).departments
    cases = []
    for case in (filed.case, *filed.related):
        spec = departments.get(case.department)
        cases.append(
            {
                "tracking_no": case.tracking_no,
                "kind": case.kind,
                "department_name": spec.name(lang(request)) if spec else case.department,
                "due": case.accept_due,
                "reasons": routing_reasons(case.routing_reasons, lang(request)),
            }
        )
    ctx = {"cases": cases, "access_code": filed.access_code}
    return _page("cases/filed.html", request, ctx, status=201 if not filed.replayed else 200)


async def track_form(request: web.Request) -> web.Response:
    number = request.query.get("tracking_no", "")[:32]
    return _page("cases/track.html", request, {"tracking_no": number})


def _not_found(request: web.Request, number: str) -> web.Response:
    error = gettext("No case matches this tracking number and access code.")
    return _page("cases/track.html", request, {"tracking_no": number, "error": error}, 404)


def _too_many(request: web.Request, number: str, exc: RateLimited) -> web.Response:
    ctx = {"tracking_no": number, "error": _too_many_message(exc)}
    return _slow_down(_page("cases/track.html", request, ctx, 429), exc)


def _status_page(
    request: web.Request, view: service.CitizenView, code: str, **extra: Any
) -> web.Response:
    status = extra.pop("status", 200)
    names = {c: d.name(lang(request)) for c, d in services(request).departments.items()}
    ctx = {"view": view, "access_code": code, "department_names": names, **extra}
    return _page("cases/status.html", request, ctx, status)


async def track_submit(request: web.Request) -> web.Response:
    form = await _form(request)
    csrf.check(request, form.get("csrf_token"))
    number, code = form.get("tracking_no", "").strip(), form.get("access_code", "").strip()
    svc = services(request)
    async with svc.sessions() as session:
        try:
            view = await service.track(
                session, number, code, svc.settings.require_secret(), lang(request), asker(request)
            )
        except service.CaseUnavailable:
            return _not_found(request, number[:32])
        except RateLimited as exc:
            return _too_many(request, number[:32], exc)
    return _status_page(request, view, code)


async def rating_submit(request: web.Request) -> web.Response:
    form = await _form(request)
    csrf.check(request, form.get("csrf_token"))
    number, code = form.get("tracking_no", "").strip(), form.get("access_code", "").strip()
    raw = form.get("rating", "")
    rating: Any = int(raw) if raw.isascii() and raw.isdigit() and len(raw) == 1 else raw
    comment = form.get("comment", "").strip() or None
    svc = services(request)
    secret = svc.settings.require_secret()
    async with svc.sessions() as session:
        try:
            view = await service.rate(
                session, number, code, secret, rating, comment, lang(request), asker(request)
            )
            await session.commit()
        except service.CaseUnavailable:
            return _not_found(request, number[:32])
        except RateLimited as exc:
            return _too_many(request, number[:32], exc)
        except WorkflowError as exc:
            await session.rollback()
            view = await service.track(session, number, code, secret, lang(request))
            error = gettext(exc.msgid).format(**exc.params)
            return _status_page(request, view, code, error=error, status=exc.status)
    return _status_page(request, view, code, message=gettext("Thank you for your rating."))


def setup(app: web.Application) -> None:
    app.router.add_get("/complain", complain_form, name="complain")
    app.router.add_post("/complain", complain_submit, name="complain_submit")
    app.router.add_get("/track", track_form, name="track")
    app.router.add_post("/track", track_submit, name="track_submit")
    app.router.add_post("/track/rating", rating_submit, name="track_rating")
