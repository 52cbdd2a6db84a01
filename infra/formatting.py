"""Locale-aware formatting (Babel) for pages, reports and bot messages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import jinja2
from babel import dates, numbers

from infra.i18n import babel_locale, current_lang


def _locale(lang: str | None):
    return babel_locale(lang or current_lang.get())


CHINA = ZoneInfo("Asia/Shanghai")


def china_day(moment: datetime) -> date:
    """The calendar day in China (UTC+8) of a moment; a naive moment is read as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).date()


def format_date(value: date | datetime | None, lang: str | None = None) -> str:
    """A day as citizens and staff read it; a moment is shown on its day in China."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = china_day(value)
    return dates.format_date(value, format="medium", locale=_locale(lang))


def format_datetime(value: datetime | None, lang: str | None = None) -> str:
    if value is None:
        return ""
    return dates.format_datetime(
        value if value.tzinfo else value.replace(tzinfo=UTC),
        format="medium",
        tzinfo="Asia/Shanghai",
        locale=_locale(lang),
    )


def format_yuan(fen: int | Decimal | None, lang: str | None = None) -> str:
    """An amount kept in fen (1/100 yuan) as a currency string, e.g. ¥1,234.50."""
    amount = Decimal(fen or 0) / 100
    return numbers.format_currency(amount, "CNY", locale=_locale(lang))


def format_number(value: float | int | None, lang: str | None = None) -> str:
    if value is None:
        return ""
    return numbers.format_decimal(value, locale=_locale(lang))


def format_percent(value: float | None, lang: str | None = None) -> str:
    if value is None:
        return ""
    return numbers.format_percent(value, format="#,##0.0%", locale=_locale(lang))


def install_filters(env: jinja2.Environment) -> None:
    env.filters.update(
        date=format_date,
        datetime=format_datetime,
        yuan=format_yuan,
        number=format_number,
        percent=format_percent,
    )
