"""During a campaign window the home page mentions the campaign and how to take part."""

from __future__ import annotations

from datetime import timedelta

from campaigns.models import Campaign
from campaigns.windows import china_today


async def _add(services, slug: str, start, end) -> None:
    async with services.sessions() as s:
        s.add(
            Campaign(
                slug=slug,
                name_zh="质量安全宣传周",
                name_en="Quality Safety Week",
                start_month=start.month,
                start_day=start.day,
                end_month=end.month,
                end_day=end.day,
            )
        )
        await s.commit()


async def test_home_page_announces_a_running_campaign(client, services) -> None:
    today = china_today()
    await _add(services, "safety-week", today - timedelta(days=1), today + timedelta(days=1))
    page = await (await client.get("/?lang=en")).text()
    assert "Quality Safety Week" in page
    assert 'href="/complain?lang=en"' in page
    assert "/campaigns/safety-week/" in page
    page = await (await client.get("/")).text()
    assert "质量安全宣传周" in page


async def test_no_banner_outside_every_window(client, services) -> None:
    today = china_today()
    await _add(services, "past-week", today - timedelta(days=20), today - timedelta(days=10))
    page = await (await client.get("/?lang=en")).text()
    assert "Quality Safety Week" not in page
    assert "campaign-banner" not in page or today.month in (3, 9)
