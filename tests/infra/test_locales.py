"""The one catalogue: every message the pages and the bot show has a Chinese translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from infra.i18n import LOCALES_DIR, gettext, normalize_lang, translations

ROOT = Path(__file__).resolve().parent.parent.parent
# the same keywords as `make messages`
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "N_": None,
    "IntakeError": (2,),
    "WorkflowError": (2,),
    "IllegalTransition": (2,),
    "IdempotencyConflict": (2,),
    "Open311Error": (2,),
    "MediaError": None,
    "ProposalError": (2,),
}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
PACKAGES = ("infra", "zhixin", "disclosure", "complaints", "campaigns", "credit", "open311", "bot")
FIELDS = re.compile(r"\{(\w+)\}")


def _messages() -> list[tuple[str, str]]:
    found = []
    for package in PACKAGES:
        for filename, _line, message, _c, _ctx in extract_from_dir(
            ROOT / package, METHODS, OPTIONS, keywords=KEYWORDS
        ):
            msgid = message if isinstance(message, str) else message[0]
            found.append((f"{package}/{filename}", msgid))
    return found


def test_every_message_has_a_chinese_translation() -> None:
    with (LOCALES_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    messages = _messages()
    assert len(messages) > 300
    missing = sorted({(f, m) for f, m in messages if not (catalog.get(m) and catalog[m].string)})
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"
    # placeholders survive translation, so str.format never fails at run time
    for _f, msgid in messages:
        entry = catalog.get(msgid)
        if entry and isinstance(entry.string, str):
            assert set(FIELDS.findall(entry.string)) == set(FIELDS.findall(msgid)), msgid


def test_catalogue_loads_and_translates() -> None:
    translations.cache_clear()
    assert gettext("Recalls", "zh") == "召回公告"
    assert gettext("Recalls", "en") == "Recalls"


def test_telegram_and_browser_codes_map_to_catalogues() -> None:
    for code in ("zh-hans", "zh-hant", "zh", "zh-CN", "zh_TW"):
        assert normalize_lang(code) == "zh"
    for code in ("en", "en-GB", "en_US"):
        assert normalize_lang(code) == "en"
    assert normalize_lang("ru") is None
