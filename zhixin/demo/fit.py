"""Which demo enterprises fit a product, a complaint or a grade, from their industry and
the phrase their name writes it with, so that every page reads as plausible: a recall
of face cream comes from a cosmetics maker, refuelling is not done at a feed company,
and a tobacco shop has no quality-credit grade.

A spec is ``"industry"`` (every enterprise of it) or ``"industry:phrase|phrase"`` (only
those whose name writes one of the phrases, e.g. ``"医药:药业|医药"`` for drug makers,
not pharmacies).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from disclosure.namegen import EnterpriseRecord

# industries whose companies make products and take part in the quality-credit grading
GRADED_INDUSTRIES = frozenset(
    {
        "电子", "机械", "食品", "建材", "电梯", "化工", "纺织", "汽车", "日化", "服装",
        "家具", "酒", "家电", "燃气", "新能源", "塑料", "五金", "印刷", "仪器仪表",
        "电线电缆", "玩具", "医药",
    }
)  # fmt: skip
# phrases that make a name a shop or a trader, never a maker, whatever the industry
NOT_MAKERS = ("大药房", "贸易", "店")


def is_company(record: EnterpriseRecord) -> bool:
    """A registered company (USCC 91...), not a branch office, a shop or a cooperative."""
    return record.uscc.startswith("91") and not record.branch


def is_maker(record: EnterpriseRecord) -> bool:
    return is_company(record) and not any(p in record.phrase for p in NOT_MAKERS)


def gradable(record: EnterpriseRecord) -> bool:
    """A manufacturer whose quality credit a grading committee would assess."""
    return is_maker(record) and record.industry in GRADED_INDUSTRIES


def matches(record: EnterpriseRecord, specs: Iterable[str]) -> bool:
    for spec in specs:
        industry, _, phrases = spec.partition(":")
        if record.industry == industry and (
            not phrases or any(p == record.phrase for p in phrases.split("|"))
        ):
            return True
    return False


def pool(
    records: Sequence[EnterpriseRecord], specs: Sequence[str], *, makers: bool = False
) -> list[EnterpriseRecord]:
    """The records that fit ``specs`` (all records when there is none), in their order;
    ``makers``: companies that make things only."""
    if not specs:
        return list(records)
    return [r for r in records if matches(r, specs) and (not makers or is_maker(r))]
