"""Campaign windows (Quality Month, 3·15, and any an operator adds).

The default campaigns are data (``campaigns/data/campaigns.toml``), copied into
the ``campaigns`` table at start-up; operators add their own with
``zhixin campaign add`` (:mod:`campaigns.commands`). The report is read by :mod:`campaigns.query`
and computed by :mod:`campaigns.figures`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.figures import CHINA, SatisfactionPolicy
from campaigns.models import Campaign
from infra.i18n import gettext

if TYPE_CHECKING:
    pass

CAMPAIGNS_FILE = Path(__file__).with_name("data") / "campaigns.toml"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
FIRST_YEAR = 2000


class CampaignError(ValueError):
    """A campaign definition or request that cannot be used as it is."""


@dataclass(frozen=True, slots=True)
class CampaignSpec:
    slug: str
    name_zh: str
    name_en: str
    start: tuple[int, int]
    end: tuple[int, int]


def parse_month_day(text: str, what: str) -> tuple[int, int]:
    """``MM-DD`` as (month, day); 29 February is refused (it is missing most years)."""
    match = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*", str(text))
    if not match:
        raise CampaignError(f"{what}: {text!r} is not a month and day as MM-DD (e.g. 09-01)")
    month, day = int(match[1]), int(match[2])
    if (month, day) == (2, 29):
        raise CampaignError(f"{what}: 02-29 exists only in leap years; use 02-28 or 03-01")
    try:
        date(2001, month, day)
    except ValueError:
        raise CampaignError(f"{what}: {text!r} is not a day of the year") from None
    return month, day


def check_spec(slug: str, name_zh: str, name_en: str, start: str, end: str) -> CampaignSpec:
    """A campaign definition with every field checked; the error names the bad one."""
    if not SLUG.fullmatch(slug or ""):
        raise CampaignError(
            f"slug {slug!r}: use 1-40 lower-case letters, digits and hyphens (e.g. quality-month)"
        )
    for what, name in (("name_zh", name_zh), ("name_en", name_en)):
        if not (name or "").strip() or len(name.strip()) > 100:
            raise CampaignError(f"{what}: give a name of 1-100 characters")
    first = parse_month_day(start, "start")
    last = parse_month_day(end, "end")
    if first == last:
        raise CampaignError("start and end are the same day; a campaign runs at least two days")
    return CampaignSpec(slug, name_zh.strip(), name_en.strip(), first, last)


@cache
def load_definitions(
    path: Path = CAMPAIGNS_FILE,
) -> tuple[tuple[CampaignSpec, ...], SatisfactionPolicy]:
    """The campaigns and the satisfaction policy of the data file."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    specs: list[CampaignSpec] = []
    for i, raw in enumerate(data.get("campaign", []), start=1):
        try:
            specs.append(
                check_spec(
                    str(raw.get("slug", "")),
                    str(raw.get("name_zh", "")),
                    str(raw.get("name_en", "")),
                    str(raw.get("start", "")),
                    str(raw.get("end", "")),
                )
            )
        except CampaignError as exc:
            raise CampaignError(f"{path.name}: campaign #{i}: {exc}") from None
    sat = data.get("satisfaction", {})
    policy = SatisfactionPolicy(
        consumer_target=float(sat.get("consumer_target", 80)),
        producer_target=float(sat.get("producer_target", 85)),
        producer_departments=frozenset(sat.get("producer_departments", ())),
    )
    return tuple(specs), policy


def satisfaction_policy() -> SatisfactionPolicy:
    return load_definitions()[1]


def _matches(row: Campaign, spec: CampaignSpec) -> bool:
    return (
        row.name_zh,
        row.name_en,
        (row.start_month, row.start_day),
        (row.end_month, row.end_day),
    ) == (
        spec.name_zh,
        spec.name_en,
        spec.start,
        spec.end,
    )


def _apply(row: Campaign, spec: CampaignSpec) -> None:
    row.name_zh, row.name_en = spec.name_zh, spec.name_en
    row.start_month, row.start_day = spec.start
    row.end_month, row.end_day = spec.end


def _from_spec(spec: CampaignSpec) -> Campaign:
    row = Campaign(slug=spec.slug)
    _apply(row, spec)
    return row


def _calendar_order(campaigns: Iterable[Campaign]) -> list[Campaign]:
    return sorted(campaigns, key=lambda c: (c.start_month, c.start_day, c.slug))


async def load_campaigns(session: AsyncSession) -> list[Campaign]:
    """Every campaign in calendar order, without writing: the table's rows, with the data
    file's definitions winning for their slugs (so an edit to the file applies at once)."""
    specs, _ = load_definitions()
    rows = {c.slug: c for c in await session.scalars(select(Campaign))}
    for spec in specs:
        row = rows.get(spec.slug)
        if row is None or not _matches(row, spec):
            rows[spec.slug] = _from_spec(spec)
    return _calendar_order(rows.values())


async def ensure_campaigns(session: AsyncSession) -> list[Campaign]:
    """Copy the data file's campaigns into the table (insert or update; idempotent) and
    return every campaign. Commits the session when anything changed, so call it with a
    session of its own (start-up, the CLI)."""
    specs, _ = load_definitions()
    rows = {c.slug: c for c in await session.scalars(select(Campaign))}
    changed = False
    for spec in specs:
        row = rows.get(spec.slug)
        if row is None:
            rows[spec.slug] = row = _from_spec(spec)
            session.add(row)
            changed = True
        elif not _matches(row, spec):
            _apply(row, spec)
            changed = True
    if changed:
        try:
            await session.commit()
        except IntegrityError:
            # another process seeded the same rows a moment earlier
            await session.rollback()
            rows = {c.slug: c for c in await session.scalars(select(Campaign))}
    return _calendar_order(rows.values())


async def get_campaign(session: AsyncSession, slug: str) -> Campaign | None:
    for campaign in await load_campaigns(session):
        if campaign.slug == slug:
            return campaign
    return None


async def add_campaign(
    session: AsyncSession, spec: CampaignSpec, *, replace: bool = False
) -> Campaign:
    """Add an operator's campaign (or change its window with ``replace``); caller commits."""
    defaults = {s.slug for s in load_definitions()[0]}
    if spec.slug in defaults:
        raise CampaignError(
            f"{spec.slug!r} is defined in {CAMPAIGNS_FILE.name}; change its window there"
        )
    await ensure_campaigns(session)
    row = await session.get(Campaign, spec.slug)
    if row is not None and not replace:
        raise CampaignError(f"campaign {spec.slug!r} exists; add --replace to change it")
    if row is None:
        row = Campaign(slug=spec.slug)
        session.add(row)
    _apply(row, spec)
    await session.flush()
    return row


def china_today() -> date:
    return datetime.now(CHINA).date()


def campaign_on(campaigns: Iterable[Campaign], day: date) -> Campaign | None:
    """The campaign running on ``day``; when windows overlap, the one that ends first."""
    running = [(c.period_containing(day), c) for c in campaigns]
    running = [(p, c) for p, c in running if p is not None]
    if not running:
        return None
    return min(running, key=lambda pc: (pc[0][1], pc[1].slug))[1]


async def home_banner(session: AsyncSession) -> dict[str, Any]:
    """The home page's context for ``campaign_banner.html``: the running campaign."""
    return {"campaign": await active_campaign(session)}


async def active_campaign(
    source: AsyncSession | Iterable[Campaign], today: date | None = None
) -> Campaign | None:
    """The campaign running ``today`` (China date by default), or None.

    ``source`` is a session, or campaigns already loaded (then nothing is queried)."""
    day = today or china_today()
    if isinstance(source, AsyncSession):
        return campaign_on(await load_campaigns(source), day)
    return campaign_on(source, day)


def announcement(campaign: Campaign, today: date | None = None, lang: str = "zh") -> str:
    """Plain text for the bot's /start: the campaign, its window and how to take part."""
    from infra.formatting import format_date

    day = today or china_today()
    start, end = campaign.period_containing(day) or campaign.period(day.year)
    return gettext(
        "{name} runs from {start} to {end}. Take part: send /complain to report a "
        "quality problem with a business, or /tip to report a violation (you may stay "
        "anonymous). Every case is followed up and counted in the campaign report.",
        lang,
    ).format(
        name=campaign.name(lang),
        start=format_date(start, lang),
        end=format_date(end, lang),
    )


def check_year(year: int, today: date | None = None) -> None:
    """A report exists from 2000 up to the current year (China time)."""
    last = (today or china_today()).year
    if not FIRST_YEAR <= year <= last:
        raise CampaignError(f"year must be between {FIRST_YEAR} and {last}")


def recent_years(campaign: Campaign, today: date, count: int = 3) -> Sequence[int]:
    """The latest ``count`` years whose window has begun, newest first."""
    year = today.year if campaign.period(today.year)[0] <= today else today.year - 1
    return [y for y in range(year, year - count, -1) if y >= FIRST_YEAR]
