"""Error pages and API errors speak the request's language, and only that language.

In the default language (Chinese) no message mixes in English sentences; with
``?lang=en`` or ``Accept-Language: en`` no message carries Chinese. Parameter names
(``q``, ``since``) and literal syntax (``2026-03-15``, ``application/json``) may appear in
both, as they are what a client has to type.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from disclosure.models import RECALL_CATEGORIES
from tests.support.disclosure_data import CHENGRUI, seed

ROOT = Path(__file__).resolve().parent.parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
# identifiers and syntax a message may quote; everything else in Latin letters is English
ALLOWED = re.compile(
    r"application/json|Authorization|Bearer|X-Access-Code|JSON|UTF-8|NUL|UTF-16|"
    r"lang|zh|en|q|since|until|grade|category|limit|cursor|year|status|name|reason|contact|"
    r"bogus|abc|toys|csv|xlsx|campaigns|api|v1|A+|\d|"
    + "|".join(RECALL_CATEGORIES)  # the codes a client sends
)

API_ERRORS = [
    ("GET", "/api/v1/campaigns/bogus/2026", None),
    ("GET", "/api/v1/campaigns/315/1999", None),
    ("GET", "/api/v1/campaigns/315/abc", None),
    ("GET", "/api/v1/recalls?since=2026-99-99", None),
    ("GET", "/api/v1/recalls?category=toys", None),
    ("GET", "/api/v1/recalls?since=2026-05-01&until=2026-01-01", None),
    ("GET", "/api/v1/recalls?cursor=zzz", None),
    ("GET", "/api/v1/recalls/abc", None),
    ("GET", "/api/v1/recalls/999999", None),
    ("GET", "/api/v1/enterprises", None),
    ("GET", "/api/v1/enterprises?q=x&limit=0", None),
    ("GET", "/api/v1/enterprises?q=x&limit=abc", None),
    ("GET", "/api/v1/enterprises?grade=Z", None),
    ("GET", "/api/v1/enterprises/12345", None),
    ("GET", "/api/v1/enterprises/91320000MA1ZZZ9990", None),
    ("GET", "/api/v1/nowhere", None),
    ("DELETE", "/api/v1/recalls", None),
    ("POST", "/api/v1/cases", b"{not json"),
    ("POST", "/api/v1/cases", b"[1, 2]"),
    ("GET", "/api/v1/desk/objections", None),
    ("GET", "/api/v1/enterprises/12345/archive", None),
    ("GET", "/api/v1/enterprises/91320000MA1ZZZ9990/archive", None),
    ("GET", f"/api/v1/enterprises/{CHENGRUI}/archive?limit=0", None),
    ("GET", f"/api/v1/enterprises/{CHENGRUI}/archive?cursor=zzz", None),
]
PAGE_ERRORS = [
    ("GET", "/campaigns/bogus/2026", 404),
    ("GET", "/campaigns/315/1999", 400),
    ("GET", "/campaigns/315/2026.pdf", 404),
    ("GET", "/nowhere", 404),
    ("POST", "/recalls", 405),
    ("GET", "/recalls/999999", 404),
    ("GET", "/enterprises/12345", 400),
]


def _english_words(message: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", message) if not ALLOWED.fullmatch(w)]


def assert_chinese(message: str, where: str) -> None:
    assert CJK.search(message), f"{where}: no Chinese in {message!r}"
    assert not _english_words(message), f"{where}: English words {_english_words(message)}"


def assert_english(message: str, where: str) -> None:
    assert not CJK.search(message), f"{where}: Chinese in {message!r}"
    assert len(_english_words(message)) >= 2, f"{where}: not a sentence: {message!r}"


async def _api_message(client, method: str, path: str, body: bytes | None, **headers) -> dict:
    if body is not None:
        headers["Content-Type"] = "application/json"
    resp = await client.request(method, path, data=body, headers=headers)
    assert 400 <= resp.status < 500, (path, resp.status)
    data = await resp.json()
    return data["error"]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """The messages do not depend on the backend; the queries run on both elsewhere."""
    return f"sqlite+aiosqlite:///{tmp_path / 'errors.db'}"


async def test_api_errors_are_chinese_by_default_and_english_on_request(client, services):
    await seed(services, recalls=2)
    for method, path, body in API_ERRORS:
        error = await _api_message(client, method, path, body)
        assert error["code"] and error["message"]
        assert_chinese(error["message"], f"{method} {path}")
        sep = "&" if "?" in path else "?"
        english = await _api_message(client, method, f"{path}{sep}lang=en", body)
        assert english["code"] == error["code"]
        assert_english(english["message"], f"{method} {path}?lang=en")
        by_header = await _api_message(
            client, method, path, body, **{"Accept-Language": "en-GB,en;q=0.9"}
        )
        assert by_header["message"] == english["message"]


async def test_filter_errors_in_the_api_name_the_field(client, services):
    for path, field in (
        ("/api/v1/recalls?since=2026-99-99&lang=en", "since"),
        ("/api/v1/recalls?category=toys&lang=en", "category"),
        ("/api/v1/enterprises?grade=Z&lang=en", "grade"),
    ):
        error = await _api_message(client, "GET", path, None)
        assert error.get("field") == field, path
        assert error["message"].startswith(field), path


def _page_message(html: str) -> str:
    main = html.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", main)


async def test_error_pages_speak_the_page_language(client, services):
    for method, path, status in PAGE_ERRORS:
        zh = await client.request(method, path)
        assert zh.status == status, (path, zh.status)
        assert zh.content_type == "text/html", path
        html = await zh.text()
        assert '<html lang="zh-CN">' in html
        assert_chinese(_page_message(html), f"{method} {path}")
        sep = "&" if "?" in path else "?"
        en = await client.request(method, f"{path}{sep}lang=en")
        html = await en.text()
        assert en.status == status and '<html lang="en">' in html
        assert_english(_page_message(html), f"{method} {path}?lang=en")
    for gone in ("Not Found", "Method Not Allowed", "year must be between", "no campaign"):
        assert gone not in _page_message(await (await client.get("/nowhere")).text())


FOLDERS = ("infra", "zhixin", "disclosure", "complaints", "campaigns", "credit", "open311", "bot")


def _messages_of_api_errors() -> list[tuple[str, int, str]]:
    """Every ``ApiError(status, code, "literal")`` and Open311 ``error(fmt, status,
    "literal")``: a literal is never translated (``Open311Error`` translates its own)."""
    found = []
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", "") or getattr(node.func, "attr", "")
                if name not in ("ApiError", "error") or (folder != "open311" and name == "error"):
                    continue
                if len(node.args) >= 3 and isinstance(node.args[2], ast.Constant | ast.JoinedStr):
                    found.append((str(path.relative_to(ROOT)), node.lineno, ast.unparse(node)))
    return found


def test_no_api_error_message_is_an_untranslated_literal() -> None:
    assert _messages_of_api_errors() == []
