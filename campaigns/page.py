"""The campaign report page: its charts, its tables, and the standalone HTML file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from campaigns.charts import BarChart, ChartRow, Reference, render
from campaigns.export import (
    SECTIONS,
    change,
    display,
    item_label,
    period_text,
    report_lines,
    report_title,
    section_title,
)
from infra import i18n
from infra.formatting import install_filters

_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [_ROOT / "campaigns" / "templates", _ROOT / "zhixin" / "templates"]
SITE_CSS = _ROOT / "zhixin" / "static" / "site.css"
REPORT_CSS = _ROOT / "campaigns" / "static" / "campaigns.css"
CHART_ROWS = 15  # longer breakdowns are in the tables only


def has_data(figures: dict[str, Any]) -> bool:
    """A year with no case at all has no figures to show: "no data", not zeros."""
    return bool(figures["cases"]["total"])


def _known(ok: bool, value: Any) -> Any:
    return value if ok else None


def _breakdown_chart(
    report: dict[str, Any], section: str, field: str, title: str, lang: str
) -> BarChart:
    now, then = report["cases"][field], report["previous_year"]["cases"][field]
    now_ok, then_ok = has_data(report), has_data(report["previous_year"])
    keys = list(now) + [k for k in then if k not in now]
    rows = [
        ChartRow(
            item_label(section, k, report, lang),
            _known(now_ok, now.get(k, 0)),
            _known(then_ok, then.get(k, 0)),
        )
        for k in keys[:CHART_ROWS]
    ]
    return _chart(report, f"chart-{section}", title, rows, "count", lang)


def _chart(
    report: dict[str, Any],
    chart_id: str,
    title: str,
    rows: list[ChartRow],
    unit: str,
    lang: str,
    **kw: Any,
) -> BarChart:
    return BarChart(
        chart_id=chart_id,
        title=title,
        rows=rows,
        fmt=lambda v: display(v, unit, lang),
        legend=(str(report["year"]), str(report["previous_year"]["year"])),
        pair=True,
        **kw,
    )


def charts(report: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The page's charts, each with a title, the SVG and a note on how to read it."""

    def _(message: str) -> str:
        return i18n.gettext(message, lang)

    prior = report["previous_year"]
    now_ok, then_ok = has_data(report), has_data(prior)

    def pair(label: str, now: Any, then: Any) -> ChartRow:
        return ChartRow(label, _known(now_ok, now), _known(then_ok, then))

    sat, prior_sat = report["satisfaction"], prior["satisfaction"]
    consumer, producer = sat["consumer_target"], sat["producer_target"]
    out: list[dict[str, Any]] = []

    def add(chart: BarChart, note: str = "") -> None:
        out.append({"id": chart.chart_id, "title": chart.title, "svg": render(chart), "note": note})

    add(
        _chart(
            report,
            "chart-rates",
            _("Acceptance and resolution"),
            [
                pair(_("Acceptance rate"), report["acceptance_rate"], prior["acceptance_rate"]),
                pair(_("Resolution rate"), report["resolution_rate"], prior["resolution_rate"]),
            ],
            "rate",
            lang,
            scale_max=1.0,
        )
    )
    add(
        _chart(
            report,
            "chart-satisfaction",
            _("Satisfaction index (0–100)"),
            [
                pair(_("All services"), report["satisfaction_index"], prior["satisfaction_index"]),
                pair(
                    _("Consumer services"), sat["consumer_services"], prior_sat["consumer_services"]
                ),
                pair(
                    _("Producer services"), sat["producer_services"], prior_sat["producer_services"]
                ),
            ],
            "index",
            lang,
            scale_max=100.0,
            references=(Reference(consumer, f"{consumer:g}"), Reference(producer, f"{producer:g}")),
        ),
        _(
            "Dashed lines: the policy's targets, {consumer} for consumer services and "
            "{producer} for producer services."
        ).format(consumer=f"{consumer:g}", producer=f"{producer:g}"),
    )
    add(
        _chart(
            report,
            "chart-money",
            _("Money recovered, penalties and rewards"),
            [
                pair(
                    _("Money recovered for consumers"),
                    report["money_recovered_yuan"],
                    prior["money_recovered_yuan"],
                ),
                pair(_("Penalties imposed"), report["penalties_yuan"], prior["penalties_yuan"]),
                pair(_("Rewards for tips"), report["rewards_yuan"], prior["rewards_yuan"]),
            ],
            "yuan",
            lang,
        )
    )
    add(_breakdown_chart(report, "kind", "by_kind", _("Cases by kind"), lang))
    add(_breakdown_chart(report, "department", "by_department", _("Cases by department"), lang))
    add(_breakdown_chart(report, "city", "by_city", _("Cases by city"), lang))
    add(_breakdown_chart(report, "channel", "by_channel", _("Cases by channel"), lang))
    add(_breakdown_chart(report, "outcome", "by_outcome", _("Cases by outcome"), lang))
    top = report["top_enterprises"]
    if top:
        add(
            _chart(
                report,
                "chart-enterprises",
                _("Enterprises with the most complaints and tips"),
                [pair(e["name"], e["cases"], e["previous_year_cases"]) for e in top],
                "count",
                lang,
            )
        )
    return out


def sections(report: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The figures grouped for the page's tables, with their display text."""
    grouped: dict[str, list[dict[str, Any]]] = {key: [] for key, _title in SECTIONS}
    now_ok, then_ok = has_data(report), has_data(report["previous_year"])
    for line in report_lines(report, lang):
        # the count of cases is a figure even when it is 0; the rest then are not
        total = line.key == "total" and line.section == "summary"
        if not total:
            line = replace(
                line,
                current=_known(now_ok, line.current),
                previous=_known(then_ok, line.previous),
            )
        grouped[line.section].append(
            {
                "key": line.key,
                "label": line.label,
                "unit": line.unit,
                "current": display(line.current, line.unit, lang),
                "previous": display(line.previous, line.unit, lang),
                "change": change(line, lang),
            }
        )
    return [
        {"id": key, "title": section_title(key, lang), "lines": grouped[key]}
        for key, _title in SECTIONS
        if grouped[key]
    ]


def page_context(report: dict[str, Any], lang: str) -> dict[str, Any]:
    """What the report templates need (the web page and the standalone file)."""
    names = report.get("department_names", {})
    producers = report["satisfaction"]["producer_departments"]
    separator = ", " if lang == "en" else "、"
    return {
        "report": report,
        "producer_names": separator.join(names.get(code, code) for code in producers),
        "title": report_title(report, lang),
        "period": period_text(report, lang),
        "charts": charts(report, lang),
        "sections": sections(report, lang),
        "headline": [
            (
                i18n.gettext("Cases received", lang),
                display(report["cases"]["total"], "count", lang),
            ),
            (
                i18n.gettext("Resolution rate", lang),
                display(report["resolution_rate"], "rate", lang),
            ),
            (
                i18n.gettext("Satisfaction index", lang),
                display(report["satisfaction_index"], "index", lang),
            ),
            (
                i18n.gettext("Money recovered for consumers", lang),
                display(_known(has_data(report), report["money_recovered_yuan"]), "yuan", lang),
            ),
        ],
    }


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in TEMPLATE_DIRS]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    install_filters(env)
    return env


def standalone_html(report: dict[str, Any], lang: str = "zh") -> str:
    """The report page as one self-contained file (its CSS embedded, no links to fetch)."""
    return render_standalone("campaign_report_body.html", lang, lambda: page_context(report, lang))


def render_standalone(body: str, lang: str, context: Callable[[], dict[str, Any]]) -> str:
    """A report body template as one self-contained HTML file in ``lang``: the site's and
    the reports' CSS embedded, nothing to fetch. ``context`` is built in that language."""
    token = i18n.current_lang.set(lang)
    try:
        return (
            _environment()
            .get_template("standalone.html")
            .render(
                lang=lang,
                html_lang="en" if lang == "en" else "zh-CN",
                css="\n".join(
                    f.read_text(encoding="utf-8") for f in (SITE_CSS, REPORT_CSS) if f.exists()
                ),
                standalone=True,
                body=body,
                **context(),
            )
        )
    finally:
        i18n.current_lang.reset(token)
