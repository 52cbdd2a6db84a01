"""The citizen's pages: the complaint form (``/complain``) and case tracking (``/track``).

The access code travels only in POST bodies, never in a URL, so it stays out of access
logs, browser history and Referer headers.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from complaints import service
from complaints.evidence import MAX_FILE_BYTES, MAX_FILES_PER_CASE
from complaints.intake import IntakeError, Submission, client_key
from complaints.labels import routing_reasons
from complaints.models import Case
from complaints.web import evidence
from complaints.web.api import asker
from complaints.web.common import services
from complaints.web.subject import Subject, find_subject
from complaints.workflow import WorkflowError
from disclosure.service import search_enterprises
from infra import csrf
from infra.clients import client_address
from infra.i18n import gettext
from infra.limits import RateLimited
from infra.uploads import Upload
from infra.web import ApiError, lang, render

NO_STORE = {"Cache-Control": "no-store"}
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
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
    subject: Subject | None = None,
    suggestions: list[tuple[str, str]] | None = None,
) -> web.Response:
    ctx = {
        "form": form,
        "error": error,
        "subject": subject,
        "suggestions": suggestions or [],
        # one key per rendered form: a double click or a reload files the case once
        "submission_id": form.get("submission_id") or secrets.token_urlsafe(18),
        "evidence_limits": {"count": MAX_FILES_PER_CASE, "size_mb": MAX_FILE_BYTES // 2**20},
    }
    return _page("cases/complain.html", request, ctx, status)


async def complain_form(request: web.Request) -> web.Response:
    """The form; ``?company=USCC`` or ``?recall=ID`` says what the complaint is about."""
    kind = request.query.get("kind")
    form = {"kind": kind if kind in ("complaint", "tip") else ""}
    found = await find_subject(request, lang(request))
    if found.subject is not None:
        form["company"] = found.subject.company
        form["text"] = found.subject.text
        if found.subject.kind == "company":
            # from a company's page: the citizen chose that registered enterprise
            form["company_uscc"] = found.subject.detail
    return _complain_page(request, form, found.error, found.status, found.subject)


def _suggestions(request: web.Request, company: str) -> list[tuple[str, str]]:
    """Registered enterprises the citizen may pick for the company they typed."""
    if not company.strip():
        return []
    hits = search_enterprises(services(request).published, company[:200], SUGGESTIONS)
    return [(h.uscc, h.name) for h in hits if h.score >= SUGGEST_MIN_SCORE]


async def complain_submit(request: web.Request) -> web.Response:
    form: dict[str, str] = {}
    uploads: list[Upload] = []
    if request.content_type in FORM_TYPES:
        form, uploads = await evidence.read_uploads(request, MAX_FILES_PER_CASE)
    csrf.check(request, form.get("csrf_token"))
    try:
        prepared = await evidence.check_files(
            services(request), [u for u in uploads if u.field == "evidence"]
        )
    except ApiError as exc:
        return _complain_page(request, form, exc.message, exc.status)
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
        idempotency_key=(
            client_key(
                services(request).settings.require_secret(), "web", client_address(request), sub_id
            )
            if 16 <= len(sub_id) <= 64
            else None
        ),
    )
    try:
        filed = await service.submit(services(request), sub, client=client_address(request))
    except IntakeError as exc:
        return _complain_page(request, form, exc.localized(), exc.status)
    except RateLimited as exc:
        return _slow_down(_complain_page(request, form, _too_many_message(exc), 429), exc)
    if prepared and not filed.replayed:
        await evidence.attach_files(
            services(request), filed.case.id, prepared, "citizen", "web", announce_it=False
        )
    ctx = _receipt(request, (filed.case, *filed.related), filed.access_code or "")
    ctx["evidence_count"] = len(prepared)
    return _page("cases/filed.html", request, ctx, status=201 if not filed.replayed else 200)


def _receipt(request: web.Request, filed: Sequence[Case], code: str) -> dict[str, Any]:
    """The receipt's context; its language switch shows the same receipt again."""
    departments = services(request).departments
    cases = []
    for case in filed:
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
    fields = [("tracking_no", c.tracking_no) for c in filed] + [("access_code", code)]
    return {
        "cases": cases,
        "access_code": code,
        "lang_form": {"action": "/complain/receipt", "fields": fields},
    }


async def receipt_again(request: web.Request) -> web.Response:
    """The filing receipt shown again (the language switch posts here): the tracking
    numbers and the access code travel in the body, as on the receipt's own form."""
    form = await request.post()
    csrf.check(request, str(form.get(csrf.FIELD, "")) or None)
    numbers = [str(n).strip() for n in form.getall("tracking_no", [])][:4]
    code = str(form.get("access_code", "")).strip()
    svc = services(request)
    secret = svc.settings.require_secret()
    filed = []
    async with svc.sessions() as session:
        for number in numbers:
            try:
                filed.append(
                    await service.receipt_case(session, number, code, secret, asker(request))
                )
            except service.CaseUnavailable:
                return _not_found(request, number[:32])
            except RateLimited as exc:
                return _too_many(request, number[:32], exc)
    if not filed:
        return _not_found(request, "")
    return _page("cases/filed.html", request, _receipt(request, filed, code))


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
    fields = [("tracking_no", view.tracking_no), ("access_code", code)]
    ctx = {
        "view": view,
        "access_code": code,
        "department_names": names,
        # switching language posts the number and code again: the same page comes back
        "lang_form": {"action": "/track", "fields": fields},
        **extra,
    }
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
            error = exc.localized()
            return _status_page(request, view, code, error=error, status=exc.status)
    return _status_page(request, view, code, message=gettext("Thank you for your rating."))


async def evidence_submit(request: web.Request) -> web.Response:
    """The citizen adds files to a filed case from the status page."""
    form, uploads = await evidence.read_uploads(request, MAX_FILES_PER_CASE)
    csrf.check(request, form.get("csrf_token"))
    number, code = form.get("tracking_no", "").strip(), form.get("access_code", "").strip()
    svc = services(request)
    secret = svc.settings.require_secret()
    async with svc.sessions() as session:
        try:
            case = await service.find_case(session, number, code, secret, asker(request))
        except service.CaseUnavailable:
            return _not_found(request, number[:32])
        except RateLimited as exc:
            return _too_many(request, number[:32], exc)
        case_id = case.id
    files = [u for u in uploads if u.field == "evidence"]
    error, status = None, 200
    try:
        if not files:
            raise ApiError(400, "invalid_field", gettext("Choose one or more files."))
        prepared = await evidence.check_files(svc, files)
        await evidence.attach_files(svc, case_id, prepared, "citizen", "web")
    except ApiError as exc:
        error, status = exc.message, exc.status
    async with svc.sessions() as session:
        view = await service.track(session, number, code, secret, lang(request))
    if error:
        return _status_page(request, view, code, error=error, status=status)
    message = gettext("Files added as evidence: {n}. The department will see them.")
    return _status_page(request, view, code, message=message.format(n=len(files)))


def setup(app: web.Application) -> None:
    app.router.add_get("/complain", complain_form, name="complain")
    app.router.add_post("/complain", complain_submit, name="complain_submit")
    app.router.add_post("/complain/receipt", receipt_again, name="complain_receipt")
    app.router.add_get("/track", track_form, name="track")
    app.router.add_post("/track", track_submit, name="track_submit")
    app.router.add_post("/track/rating", rating_submit, name="track_rating")
    app.router.add_post("/track/evidence", evidence_submit, name="track_evidence")
