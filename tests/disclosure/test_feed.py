"""The Atom feed of recalls: a valid Atom 1.0 document (RFC 4287), newest first."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime

from disclosure.cache import mark_change
from disclosure.models import RecallNotice
from tests.support.disclosure_data import seed

NS = {"a": "http://www.w3.org/2005/Atom"}
TRICKY = "召回 <b>“加热器”</b> & 充电器 ]]> 'quoted'"


def _stamp(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, f"{text} has no time zone"
    return parsed


def _check_feed(root: ET.Element) -> list[ET.Element]:
    """The elements RFC 4287 requires of a feed and of each entry."""
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.findtext("a:id", namespaces=NS).startswith("tag:")
    assert root.findtext("a:title", namespaces=NS)
    _stamp(root.findtext("a:updated", namespaces=NS))
    rels = {link.get("rel"): link.get("href") for link in root.findall("a:link", NS)}
    assert rels["self"].startswith("http") and "/feeds/recalls.atom" in rels["self"]
    assert "/recalls" in rels["alternate"]
    assert root.find("a:author/a:name", NS).text  # entries inherit the feed's author
    entries = root.findall("a:entry", NS)
    ids = [e.findtext("a:id", namespaces=NS) for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry.findtext("a:id", namespaces=NS).startswith("tag:")
        assert entry.findtext("a:title", namespaces=NS)
        _stamp(entry.findtext("a:updated", namespaces=NS))
        alternate = [link for link in entry.findall("a:link", NS) if link.get("rel") == "alternate"]
        assert len(alternate) == 1 and alternate[0].get("type") == "text/html"
        assert "/recalls/" in alternate[0].get("href")
    return entries


async def test_feed_is_valid_atom_newest_first(client, services) -> None:
    await seed(services, recalls=12)
    async with services.sessions() as s:
        s.add(
            RecallNotice(
                recall_no="JS-XML-1",
                title=TRICKY,
                product="加热器 & 充电器",
                category="consumer",
                producer="<某某>公司",
                reason="a < b",
                remedy="更换",
                start_date=date.today(),
                published=date.today(),
            )
        )
        mark_change(s, "recalls")
        await s.commit()
    resp = await client.get("/feeds/recalls.atom")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("application/atom+xml")
    assert "max-age" in resp.headers["Cache-Control"] and resp.headers["ETag"]
    body = await resp.read()
    assert body.startswith(b"<?xml")
    root = ET.fromstring(body)
    entries = _check_feed(root)
    assert len(entries) == 13
    published = [_stamp(e.findtext("a:published", namespaces=NS)) for e in entries]
    assert published == sorted(published, reverse=True)
    titles = [e.findtext("a:title", namespaces=NS) for e in entries]
    assert TRICKY in titles  # escaped in the XML, the same text once parsed
    tricky = entries[titles.index(TRICKY)]
    summary = tricky.findtext("a:summary", namespaces=NS)
    assert "<某某>公司" in summary and "a < b" in summary
    href = next(link.get("href") for link in tricky.findall("a:link", NS))
    recall_id = href.split("/recalls/")[1].split("?")[0]
    page = await client.get(f"/recalls/{recall_id}")
    assert page.status == 200

    again = await client.get("/feeds/recalls.atom", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status == 304


async def test_feed_by_category_and_language(client, services) -> None:
    await seed(services, recalls=12)
    resp = await client.get("/feeds/recalls.atom", params={"category": "food", "lang": "en"})
    assert resp.status == 200
    root = ET.fromstring(await resp.read())
    entries = _check_feed(root)
    assert len(entries) == 2
    assert {e.find("a:category", NS).get("term") for e in entries} == {"food"}
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert "Food" in root.findtext("a:title", namespaces=NS)
    assert "Product:" in entries[0].findtext("a:summary", namespaces=NS)
    assert root.findtext("a:id", namespaces=NS).endswith(":recalls/food")

    bad = await client.get("/feeds/recalls.atom", params={"category": "toys"})
    assert bad.status == 400
    assert (await bad.json())["error"]["code"] == "invalid_parameter"


async def test_empty_feed_is_still_valid(client) -> None:
    resp = await client.get("/feeds/recalls.atom")
    root = ET.fromstring(await resp.read())
    assert _check_feed(root) == []
