"""What a complaint form opened from a company page or a recall notice is about.

``/complain?company=USCC`` and ``/complain?recall=ID`` prefill the form: the company
field gets the registered name (so the router links the enterprise), a recall's
reference opens the description. A malformed or unknown value is a message on the
form, never an error page.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from complaints.web.common import services
from disclosure import service as disclosure
from disclosure.recalls import RecallNotFound, get_recall
from infra.i18n import gettext as _


@dataclass(frozen=True, slots=True)
class Subject:
    """The company or recall notice the complaint is about, as the form shows it."""

    kind: str  # "company" or "recall"
    title: str
    detail: str
    href: str
    company: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Lookup:
    subject: Subject | None = None
    error: str | None = None
    status: int = 200


def _company(request: web.Request, raw: str, lang: str) -> Lookup:
    try:
        code = disclosure.check_code(raw)
    except disclosure.BadCode:
        message = _("“{value}” is not a unified social credit code; name the company below.")
        return Lookup(error=message.format(value=raw[:40]), status=400)
    name = services(request).published.name_of(code)
    if name is None:
        message = _("No enterprise is registered with the code {code}; name the company below.")
        return Lookup(error=message.format(code=code), status=404)
    href = f"/enterprises/{code}?lang={lang}"
    return Lookup(Subject("company", name, code, href, name))


async def _recall(request: web.Request, raw: str, lang: str) -> Lookup:
    message = _("There is no recall notice numbered “{value}”; describe the product below.")
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 2**31:
        return Lookup(error=message.format(value=raw[:40]), status=400)
    try:
        async with services(request).sessions() as session:
            recall = await get_recall(session, int(raw))
    except RecallNotFound:
        return Lookup(error=message.format(value=raw), status=404)
    opening = _("About the recall notice {number} ({title}): ").format(
        number=recall.recall_no, title=recall.title
    )
    detail = _("{number}, producer {producer}").format(
        number=recall.recall_no, producer=recall.producer
    )
    href = f"/recalls/{recall.id}?lang={lang}"
    return Lookup(Subject("recall", recall.title, detail, href, recall.producer, opening))


async def find_subject(request: web.Request, lang: str) -> Lookup:
    """The subject named by ``?company=`` or ``?recall=`` (company first), if any."""
    company = request.query.get("company", "").strip()
    if company:
        return _company(request, company, lang)
    recall = request.query.get("recall", "").strip()
    if recall:
        return await _recall(request, recall, lang)
    return Lookup()
