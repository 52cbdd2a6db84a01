"""The Atom 1.0 feed of recall notices (RFC 4287), newest first.

Ids are tag URIs (RFC 4151) built from the host name the feed is served under,
so they stay the same for a deployment and never collide with another one's.
The document is built with ElementTree, which escapes every text and attribute;
control characters XML cannot carry are removed first.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta, timezone

from disclosure.labels import CATEGORY, RECALL_STATUS, label, level_label
from disclosure.models import RecallNotice
from infra.characters import xml_text
from infra.i18n import gettext as _

ATOM = "http://www.w3.org/2005/Atom"
TAG_DATE = "2026"
FEED_SIZE = 50
_CHINA = timezone(timedelta(hours=8))

ET.register_namespace("", ATOM)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    # ElementTree escapes markup but not control characters, which would break the feed.
    attrs = {name: xml_text(value) for name, value in attrs.items()}
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = xml_text(text)
    return element


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def tag_authority(host: str | None) -> str:
    """The tagging entity of the ids: the host name (without port), then the date."""
    name = (host or "localhost").split(":")[0].strip("[]").lower() or "localhost"
    return f"{name},{TAG_DATE}"


def entry_summary(r: RecallNotice) -> str:
    product = r.product + (f" ({r.brand})" if r.brand else "")
    parts = [
        (_("Product"), product),
        (_("Producer"), r.producer),
        (_("Defect"), r.reason),
        (_("Possible consequence"), r.hazard),
        (_("Remedy"), r.remedy),
        (_("Recall level"), level_label(r.level) if r.level else None),
        (_("Status"), label(RECALL_STATUS, r.status)),
    ]
    return "\n".join(f"{name}: {value}" for name, value in parts if value)


def build_feed(
    recalls: Sequence[RecallNotice],
    base_url: str,
    host: str | None,
    lang: str,
    category: str | None = None,
) -> bytes:
    """The feed document as UTF-8 bytes; ``recalls`` come newest first."""
    authority = tag_authority(host)
    lang_query = f"lang={lang}"
    feed = ET.Element(f"{{{ATOM}}}feed")
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "en" if lang == "en" else "zh-CN")
    suffix = f"?category={category}" if category else ""
    _el(feed, "id", f"tag:{authority}:recalls" + (f"/{category}" if category else ""))
    title = _("Recall notices")
    if category:
        title = f"{title} · {label(CATEGORY, category)}"
    _el(feed, "title", f"{title} · {_('Zhixin')}")
    _el(feed, "subtitle", _("Product recall notices published in Jiangsu"))
    self_url = f"{base_url}/feeds/recalls.atom{suffix}"
    _el(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    page = f"{base_url}/recalls?{lang_query}" + (f"&category={category}" if category else "")
    _el(feed, "link", rel="alternate", type="text/html", href=page)
    newest = max((r.updated_at for r in recalls if r.updated_at), default=None)
    _el(feed, "updated", _stamp(newest or datetime(2026, 1, 1, tzinfo=UTC)))
    author = _el(feed, "author")
    _el(author, "name", _("Zhixin"))
    _el(feed, "generator", "Zhixin")
    for r in recalls:
        entry = _el(feed, "entry")
        _el(entry, "id", f"tag:{authority}:recall/{r.id}")
        _el(entry, "title", r.title)
        published = datetime.combine(r.published, time(0), tzinfo=_CHINA)
        _el(entry, "published", _stamp(published))
        _el(entry, "updated", _stamp(max(r.updated_at or published, published)))
        _el(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=f"{base_url}/recalls/{r.id}?{lang_query}",
        )
        if r.url and r.url.lower().startswith(("http://", "https://")):
            _el(entry, "link", rel="related", href=r.url)
        _el(entry, "category", term=r.category, label=label(CATEGORY, r.category))
        _el(entry, "summary", entry_summary(r), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
