"""One Babel catalogue (``locales/``) for the web pages and the bot.

Messages are written in English in the code (msgids) and translated into
Simplified Chinese in ``locales/zh_CN/LC_MESSAGES/messages.po``; the build
compiles ``.mo`` files (``make locales``). A missing ``.mo`` falls back to
reading the ``.po`` so a source checkout still speaks Chinese.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
DEFAULT_LANG = "zh"
LANGS = ("zh", "en")
# Catalogue directory per language code used in the service.
CATALOGUE = {"zh": "zh_CN", "en": "en"}

current_lang: ContextVar[str] = ContextVar("current_lang", default=DEFAULT_LANG)


def normalize_lang(code: str | None) -> str | None:
    """Map a browser or Telegram language code to ``zh`` or ``en`` (None when neither).

    Telegram sends codes such as ``zh-hans`` and ``zh-hant``; browsers send
    ``zh-CN``, ``zh_TW``, ``en-GB``. Traditional Chinese readers get the
    Simplified catalogue, the closest one the service has.
    """
    if not code:
        return None
    code = code.strip().lower().replace("_", "-")
    if code.startswith("zh"):
        return "zh"
    if code.startswith("en"):
        return "en"
    return None


def negotiate(query_lang: str | None, accept_language: str | None) -> str:
    """``?lang=`` wins, then the first supported entry of Accept-Language by weight."""
    chosen = normalize_lang(query_lang)
    if chosen:
        return chosen
    if accept_language:
        weighted: list[tuple[float, int, str]] = []
        for i, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            q = 1.0
            if params.strip().startswith("q="):
                try:
                    q = float(params.strip()[2:])
                except ValueError:
                    q = 0.0
            weighted.append((-q, i, tag))
        for _q, _i, tag in sorted(weighted):
            lang = normalize_lang(tag)
            if lang:
                return lang
    return DEFAULT_LANG


def babel_locale(lang: str) -> Locale:
    return Locale.parse("en" if lang == "en" else "zh_Hans_CN")


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue for ``lang``; the ``.po`` file when no ``.mo`` was built."""
    folder = LOCALES_DIR / CATALOGUE.get(lang, lang) / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if po.exists():
        import io

        with po.open("rb") as fh:
            catalog = read_po(fh, locale=CATALOGUE.get(lang, lang))
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return Translations(buf, domain=DOMAIN)
    return NullTranslations()


def gettext(message: str, lang: str | None = None) -> str:
    return translations(lang or current_lang.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    return translations(lang or current_lang.get()).ngettext(singular, plural, n)


class LocalizedError(ValueError):
    """A refusal whose message is an English message id (``msgid``) with
    ``{placeholders}`` filled from ``params``: ``str()`` is the English text, and
    ``localized()`` says it in the current request's language (or in ``lang``), so each
    channel shows it to its reader."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid.format(**params) if params else msgid)
        self.msgid = msgid
        self.params = params

    def localized(self, lang: str | None = None) -> str:
        """The message in the reader's language."""
        text = gettext(self.msgid, lang)
        return text.format(**self.params) if self.params else text


_ = gettext
