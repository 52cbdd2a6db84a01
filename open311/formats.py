"""Open311 GeoReport v2 documents as data, and their JSON and XML forms.

What a public read shows of a case: its status, department, dates and deadline. The
description and location are shown only for requests filed through Open311 itself
(whose clients know GeoReport requests are public), with phone numbers, e-mail
addresses and order numbers taken out (``nlp.redact``). Contact details and names
never appear. Tips are not shown at all: a read by id answers as for a number never
issued.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from aiohttp import web

from complaints.labels import label
from complaints.models import Case
from infra.characters import readable, xml_text
from infra.web import dumps
from nlp.redact import redact
from nlp.registry import DepartmentSpec

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-30T00:00:00+08:00"
AUTO = "auto"
OPEN = ("received", "accepted", "in_progress")
FORMATS = {"json": "application/json", "xml": "text/xml"}
# root and item element names of each list document (GeoReport v2 XML)
XML_NAMES = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}


def open311_status(status: str) -> str:
    return "open" if status in OPEN else "closed"


def w3c(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def end_of_day(day: date | None) -> str | None:
    """A deadline day as the last second of that day in China."""
    return f"{day.isoformat()}T23:59:59+08:00" if day else None


def service(spec: DepartmentSpec | None, lang: str) -> dict[str, Any]:
    """One entry of the service list: a department, or ``auto`` (the router decides)."""
    if spec is None:
        name = "Route automatically" if lang == "en" else "自动分派"
        description = (
            "Describe the problem; the service chooses the responsible department."
            if lang == "en"
            else "描述问题，系统自动分派给主管部门。"
        )
        code, keywords = AUTO, "auto,complaint,tip"
    else:
        name, description = spec.name(lang), spec.scope(lang)
        code = spec.code
        words = spec.keywords_en if lang == "en" else spec.keywords
        keywords = ",".join(list(words)[:10])
    return {
        "service_code": code,
        "service_name": name,
        "description": description,
        "metadata": True,
        "type": "realtime",
        "keywords": keywords,
        "group": "quality" if lang == "en" else "质量投诉举报",
    }


def definition(code: str, lang: str) -> dict[str, Any]:
    """The attributes every service takes: the kind, the company, anonymity for tips."""
    en = lang == "en"
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": "kind",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "complaint or tip" if en else "投诉或举报",
                "order": 1,
                "description": (
                    "Complaint (your own dispute, needs email or phone) or tip (a violation)"
                    if en
                    else "投诉（本人的消费纠纷，须留电话或邮箱）或举报（违法行为）"
                ),
                "values": [
                    {"key": "complaint", "name": "Complaint" if en else "投诉"},
                    {"key": "tip", "name": "Tip" if en else "举报"},
                ],
            },
            {
                "variable": True,
                "code": "company",
                "datatype": "string",
                "required": False,
                "datatype_description": "business name" if en else "企业名称",
                "order": 2,
                "description": "The business concerned" if en else "涉及的企业",
                "values": [],
            },
            {
                "variable": True,
                "code": "anonymous",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "true or false",
                "order": 3,
                "description": (
                    "For a tip: store no name or contact"
                    if en
                    else "举报可匿名：不保存姓名和联系方式"
                ),
                "values": [
                    {"key": "false", "name": "No" if en else "否"},
                    {"key": "true", "name": "Yes" if en else "是"},
                ],
            },
            {
                "variable": True,
                "code": "company_uscc",
                "datatype": "string",
                "required": False,
                "datatype_description": (
                    "unified social credit code" if en else "统一社会信用代码"
                ),
                "order": 4,
                "description": (
                    "The registered enterprise the person chose; without it a case is "
                    "linked only on an unambiguous strong match of the company name"
                    if en
                    else "提交人确认的登记企业；不填时仅在企业名称唯一且高度匹配时关联"
                ),
                "values": [],
            },
        ],
    }


def discovery(base_url: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": "Zhixin quality complaints and tips, Jiangsu",
        "key_service": "zhixin apikey add --name NAME",
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": list(FORMATS.values()),
            }
        ],
    }


@lru_cache(maxsize=4096)
def public_description(text: str) -> str:
    """The text as published, without phone numbers, e-mail addresses and order numbers:
    redacted once per text and remembered, not again on every GET of the request list."""
    return redact(text)


def shows_content(case: Case) -> bool:
    """Whether the request's description, place and media link are public: filed through
    Open311 itself, and not a tip."""
    return case.kind != "tip" and case.channel == "open311"


def public_request(
    case: Case, spec: DepartmentSpec | None, lang: str, media_url: str | None = None
) -> dict[str, Any] | None:
    """A case as anyone may read it over Open311; None for a tip, named or anonymous:
    whether a tip exists is itself confidential."""
    if case.kind == "tip":
        return None
    public = shows_content(case)
    if case.status == "rejected":
        notes = label("reject_reason", case.reject_reason)
    elif case.outcome:
        notes = label("outcome", case.outcome)
    else:
        notes = label("status", case.status)
    updated = max(
        t for t in (case.created_at, case.accepted_at, case.resolved_at, case.closed_at) if t
    )
    due = case.accept_due if case.status == "received" else case.resolve_due
    return {
        "service_request_id": case.tracking_no,
        "status": open311_status(case.status),
        "status_notes": notes,
        "service_name": spec.name(lang) if spec else case.department,
        "service_code": case.department,
        "description": public_description(case.text) if public else None,
        "agency_responsible": spec.name(lang) if spec else case.department,
        "service_notice": None,
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": end_of_day(due) if case.status in OPEN else None,
        "address": case.address if public else None,
        "address_id": None,
        "zipcode": None,
        "lat": case.lat if public else None,
        "long": case.lon if public else None,
        "media_url": media_url if public else None,
    }


def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    child = ET.SubElement(parent, name)
    if isinstance(value, bool):
        child.text = "true" if value else "false"
    elif isinstance(value, dict):
        for key, item in value.items():
            _xml_value(child, key, item)
    elif isinstance(value, list):
        # attributes > attribute, values > value, formats > format, endpoints > endpoint
        singular = name[:-1] if name.endswith("s") else name
        for item in value:
            _xml_value(child, singular, item)
    elif value is not None:
        # a lone surrogate or a control character would void the document
        child.text = xml_text(readable(str(value)))


def to_xml(document: Any, kind: str | None) -> bytes:
    """XML for a list document (``kind`` names it) or a single one (``kind`` is its root)."""
    if isinstance(document, list):
        root_name, item_name = XML_NAMES[kind or "requests"]
        root = ET.Element(root_name)
        for item in document:
            _xml_value(root, item_name, item)
    else:
        root = ET.Element(kind or "response")
        for key, value in document.items():
            _xml_value(root, key, value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def respond(document: Any, fmt: str, kind: str | None, status: int = 200) -> web.Response:
    headers = {"Cache-Control": "no-store"}
    if fmt == "xml":
        return web.Response(
            body=to_xml(document, kind),
            status=status,
            content_type="text/xml",
            charset="utf-8",
            headers=headers,
        )
    return web.Response(
        text=dumps(document), status=status, content_type="application/json", headers=headers
    )


def error(fmt: str, status: int, description: str) -> web.Response:
    """The specification's error array: ``[{"code": 400, "description": "..."}]``."""
    fmt = fmt if fmt in FORMATS else "json"
    return respond([{"code": status, "description": description}], fmt, "errors", status)


def refuse(request: web.Request, message: str) -> web.Response:
    """A 400 in the format the path asks for (``.xml`` or JSON)."""
    return error("xml" if request.path.endswith(".xml") else "json", 400, message)
