"""Search results say how well each company matches, fold the weak tail away and say when
nothing matches exactly; recall filter errors name the field and show no list under them.
"""

from __future__ import annotations

import re

from disclosure.cache import mark_change
from disclosure.models import Enterprise
from nlp.uscc import make_code
from tests.support.disclosure_data import seed

NEIGHBOURS = [
    "苏州瑞丰电子有限公司",
    "南京电子仪器厂",
    "苏州澄明光学有限公司",
    "无锡瑞达电子科技有限公司",
    "常州电子元件厂",
    "苏州科瑞电器有限公司",
]


async def _register_neighbours(services) -> None:
    """Companies that share a few characters with 澄瑞电子, as a real register has."""
    await seed(services, recalls=2)
    async with services.sessions() as s:
        for i, name in enumerate(NEIGHBOURS):
            code = make_code("91", "320506", f"MA1NB{i:03d}")
            s.add(Enterprise(uscc=code, name=name, aliases=[], region="苏州市", status="存续"))
        mark_change(s, "enterprises")
        await s.commit()
    async with services.sessions() as s:
        await services.published.refresh(s)


def _hits(html: str, css: str) -> list[tuple[str, str, str]]:
    """(name, data-match, label) of each hit in the list with class ``css``."""
    block = re.search(rf'<ul class="results {css}">(.*?)</ul>', html, re.S)
    if block is None:
        return []
    return re.findall(
        r'<li data-match="(\w+)">.*?<a [^>]+>([^<]+)</a>.*?<span class="match \w+"[^>]*>([^<]+)<',
        block.group(1),
        re.S,
    )


async def test_each_hit_says_how_well_it_matches_and_the_weak_tail_folds(client, services):
    await _register_neighbours(services)
    html = await (await client.get("/search?q=澄瑞电子&lang=en")).text()
    shown = _hits(html, "hits")
    assert shown[0] == ("strong", "苏州澄瑞电子科技有限公司", "Strong match")
    assert {level for level, _name, _label in shown[1:]} == {"partial"}
    assert all(label == "Partial match" for _level, _name, label in shown[1:])
    folded = _hits(html, "hits-weak")
    assert len(folded) >= 2 and {level for level, *_ in folded} == {"weak"}
    assert f"Weaker matches ({len(folded)})" in html and "<details" in html
    assert 'id="no-exact"' not in html  # there is an exact match
    zh = await (await client.get("/search?q=澄瑞电子")).text()
    assert "高度匹配" in zh and "部分匹配" in zh and "匹配较弱的结果" in zh


async def test_no_strong_hit_says_these_are_only_the_closest(client, services):
    await _register_neighbours(services)
    html = await (await client.get("/search?q=澄端电子&lang=en")).text()  # a typo
    assert 'id="no-exact"' in html
    assert "No company matches “澄端电子” exactly; the closest are:" in html
    shown = _hits(html, "hits")
    assert shown and shown[0][1] == "苏州澄瑞电子科技有限公司"
    assert "strong" not in {level for level, *_ in shown}
    zh = await (await client.get("/search?q=澄端电子")).text()
    assert "没有与“澄端电子”完全匹配的企业，最接近的是：" in zh
    # a grade listing has no query to match: no labels, no notice
    graded = await (await client.get("/search?grade=AAA&lang=en")).text()
    assert 'data-match="grade"' in graded and 'class="match' not in graded
    assert 'id="no-exact"' not in graded


async def test_recall_filter_errors_name_the_field_and_show_no_list(client, services):
    await seed(services, recalls=6)
    resp = await client.get("/recalls?since=2026-99-99&category=toys&until=soon&lang=en")
    html = await resp.text()
    assert resp.status == 400
    errors = dict(re.findall(r'data-field="(\w+)">([^<]+)<', html))
    assert errors["category"] == "Category: choose one from the list, not “toys”."
    assert errors["since"] == "Published from: write the date as 2026-03-15, not “2026-99-99”."
    assert errors["until"] == "Published until: write the date as 2026-03-15, not “soon”."
    assert 'aria-invalid="true" aria-describedby="error-since"' in html
    # no rows under the errors: an unfiltered list would read as the filter's result
    assert 'data-label="Notice"' not in html and "JS-T-" not in html
    assert "No notices are listed until the filter is corrected." in html
    assert 'rel="next"' not in html

    order = await client.get("/recalls?since=2026-05-01&until=2026-01-01")
    text = await order.text()
    assert order.status == 400
    assert "“发布日期自”晚于“发布日期至”。" in text
    assert "JS-T-" not in text

    fine = await client.get("/recalls?category=food&lang=en")
    assert fine.status == 200 and "JS-T-0000" in await fine.text()
