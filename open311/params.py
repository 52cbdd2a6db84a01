"""What an Open311 request carries, checked: the posted fields of a new request and the
filters of a listing. Every refusal is an ``Open311Error`` whose description is in the
request's language (``?lang=`` or Accept-Language, Chinese by default), like the rest
of the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web

from complaints.intake import Submission, client_key
from infra.clients import client_address
from infra.db import utcnow
from infra.i18n import LocalizedError
from infra.web import SERVICES, lang
from open311 import formats as fmt311

MAX_RANGE = timedelta(days=90)
MAX_IDS = 100


class Open311Error(LocalizedError):
    """A request the service refuses: the HTTP status and the English message id with
    its ``{placeholders}``; ``description`` is it in the reader's language."""

    def __init__(self, status: int, msgid: str, **params: object) -> None:
        super().__init__(msgid, **params)
        self.status = status
        self.description = self.localized()


def _float(form: dict[str, str], name: str) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        raise Open311Error(400, "{name} must be a decimal number", name=name)
    return value


def submission(form: dict[str, str], request: web.Request) -> Submission:
    """The posted fields of a new request as a submission to the intake, or the refusal."""
    code = form.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    check_service(request, code)
    description = form.get("description", "")
    if not description.strip():
        raise Open311Error(400, "description is required")
    kind = form.get("attribute[kind]", "").strip() or None
    if kind not in (None, "complaint", "tip"):
        raise Open311Error(400, "attribute[kind] must be complaint or tip")
    anonymous_raw = form.get("attribute[anonymous]", "false").strip().lower()
    if anonymous_raw not in ("true", "false", ""):
        raise Open311Error(400, "attribute[anonymous] must be true or false")
    names = [form.get("first_name", "").strip(), form.get("last_name", "").strip()]
    contact = " / ".join(
        v for v in (form.get("email", "").strip(), form.get("phone", "").strip()) if v
    )
    key = request.headers.get("Idempotency-Key", "").strip()
    secret = request.app[SERVICES].settings.require_secret()
    return Submission(
        text=description,
        channel="open311",
        kind=kind,
        company=form.get("attribute[company]", "").strip() or None,
        enterprise_uscc=form.get("attribute[company_uscc]", "").strip() or None,
        contact=contact or None,
        reporter_name=" ".join(n for n in names if n) or None,
        anonymous=anonymous_raw == "true",
        lang=lang(request),
        idempotency_key=(
            client_key(secret, "open311", client_address(request), key) if key else None
        ),
        department=None if code == fmt311.AUTO else code,
        address=form.get("address_string", "").strip() or None,
        lat=_float(form, "lat"),
        lon=_float(form, "long"),
    )


def check_service(request: web.Request, code: str) -> None:
    """Refuse a service code that is neither ``auto`` nor a department's."""
    if code != fmt311.AUTO and code not in request.app[SERVICES].departments:
        raise Open311Error(404, "unknown service_code {code}", code=code)


def _datetime(request: web.Request, name: str) -> datetime | None:
    if name not in request.query:
        return None
    raw = request.query[name].strip()
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise Open311Error(
            400, "{name} must be a W3C date-time such as 2026-01-01T00:00:00Z", name=name
        ) from None


def listed(request: web.Request, name: str) -> list[str]:
    """A comma-separated query parameter's values."""
    return [v.strip() for v in request.query.get(name, "").split(",") if v.strip()]


@dataclass(frozen=True, slots=True)
class Filters:
    """A listing's filters: the ids (which override the rest), the time window, the
    statuses wanted and the service codes."""

    ids: list[str]
    start: datetime
    end: datetime
    statuses: set[str]
    codes: list[str]


def filters(request: web.Request) -> Filters:
    """The listing filters of ``GET requests``; every one is checked, even those the ids
    override."""
    ids = listed(request, "service_request_id")
    if len(ids) > MAX_IDS:
        raise Open311Error(400, "at most {count} service_request_id values at once", count=MAX_IDS)
    start, end = _datetime(request, "start_date"), _datetime(request, "end_date")
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date")
    if start and end and end - start > MAX_RANGE:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    try:
        end = end or (start + MAX_RANGE if start else utcnow())
        start = start or end - MAX_RANGE
    except OverflowError:
        raise Open311Error(400, "start_date or end_date is out of range") from None
    statuses = {s.lower() for s in listed(request, "status")}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open or closed")
    return Filters(ids, start, end, statuses, listed(request, "service_code"))
