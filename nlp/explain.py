"""Reasons a person can read: why a text went where it went, in their language.

The router records *what* decided (the words of the text that weighed most,
a repaired typo, a staff lesson, the business named); this module says it in
one or two plain sentences, in Chinese or English. A citizen's reasons carry
no codes, weights, scores or similarity to other people's cases; staff get a
little more (the runner-up department, how sure the router was), in words too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nlp.registry import TRIAGE, DepartmentSpec

_HAN_CHAR = re.compile("[\u3400-\u9fff]")
_LATIN_CHAR = re.compile("[A-Za-z]")

KIND_NAMES = {
    "complaint": ("投诉", "a complaint"),
    "tip": ("举报", "a tip"),
    "inquiry": ("咨询", "an inquiry"),
}


@dataclass(frozen=True, slots=True)
class Explanation:
    """What decided a routing, in data; :func:`citizen_reasons` puts it in words."""

    department: str
    words: tuple[str, ...] = ()  # the text's words that weighed most for the department
    best_guess: str | None = None  # set when the router was unsure and abstained
    repaired: tuple[tuple[str, str], ...] = ()  # (as typed, read as)
    lessons: int = 0  # staff corrections the decision followed
    kind: str = "complaint"
    kind_words: tuple[str, ...] = ()
    kind_by_citizen: bool = False
    company: str | None = None
    enterprise_name: str | None = None
    runner_up: str | None = None  # for staff only
    certainty: str = "high"  # high / medium / low, for staff only
    empty: bool = False


def _quote(words: Sequence[str], zh: bool) -> str:
    if zh:
        return "".join(f"“{w}”" for w in words)
    quoted = [f"“{w}”" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _name(specs: Mapping[str, DepartmentSpec], code: str, zh: bool) -> str:
    spec = specs.get(code)
    if spec is None:
        return code
    return spec.name_zh if zh else f"the {spec.name_en}"


def _department_sentence(e: Explanation, specs: Mapping[str, DepartmentSpec], zh: bool) -> str:
    name = _name(specs, e.department, zh)
    words = _quote(e.words, zh) if e.words else ""
    if e.empty:
        name = _name(specs, TRIAGE, zh)
        return (
            f"内容为空，由{name}人工分派。" if zh else f"The text is empty; {name} will route it."
        )
    if e.department != TRIAGE:
        spec = specs.get(e.department)
        topic_zh, topic_en = (spec.topic_zh, spec.topic_en) if spec else ("", "")
        if zh:
            lead = f"提到{words}，" if words else ""
            subject = f"属于{topic_zh}，" if topic_zh else ""
            return f"{lead}{subject}由{name}办理。"
        lead = f"Mentions {words}: " if words else ""
        subject = f"{topic_en}; " if topic_en else ""
        text = f"{lead}{subject}the responsible department is {specs[e.department].name_en}"
        return text[0].upper() + text[1:] + "."
    if e.best_guess:
        guess = _name(specs, e.best_guess, zh)
        if zh:
            return f"无法确定由哪个部门办理（最接近的是{guess}），由{name}人工分派。"
        return (
            f"It is not clear which department is responsible (closest: {guess}); "
            f"{name} will route it by hand."
        )
    if e.kind == "inquiry":
        return f"咨询事项由{name}答复。" if zh else f"{name[0].upper()}{name[1:]} will answer."
    if words:
        if zh:
            return f"提到{words}，不属于各质量监管部门的职责，由{name}转交或答复。"
        return (
            f"Mentions {words}: not a matter for the quality departments here; "
            f"{name} will pass it on or answer."
        )
    if zh:
        return f"没有找到足以判断责任部门的内容，由{name}人工分派。"
    return f"Nothing in the text shows which department is responsible; {name} will route it."


def _kind_sentence(e: Explanation, zh: bool) -> str:
    zh_name, en_name = KIND_NAMES.get(e.kind, (e.kind, e.kind))
    if e.kind_by_citizen:
        return f"按您选择的{zh_name}办理。" if zh else f"Filed as {en_name}, as you chose."
    if e.kind == "inquiry":
        return "这是一个咨询问题。" if zh else "This reads as a question."
    if e.kind_words:
        words = _quote(e.kind_words, zh)
        return (
            f"按{zh_name}处理：提到{words}。" if zh else f"Treated as {en_name}: mentions {words}."
        )
    return f"按{zh_name}处理。" if zh else f"Treated as {en_name}."


def citizen_reasons(
    e: Explanation, specs: Mapping[str, DepartmentSpec], lang: str = "zh"
) -> list[str]:
    """One to three plain sentences for the citizen, in ``lang`` (``zh`` or ``en``)."""
    zh = not lang.startswith("en")
    out: list[str] = []
    if e.repaired:
        pairs = "、".join(f"“{a}”按“{b}”理解" for a, b in e.repaired)
        pairs_en = ", ".join(f"“{a}” read as “{b}”" for a, b in e.repaired)
        out.append(f"{pairs}（读音相同）。" if zh else f"{pairs_en} (same sound).")
    out.append(_department_sentence(e, specs, zh))
    out.append(_kind_sentence(e, zh))
    if e.company:
        if zh:
            line = f"文中提到的商家：“{e.company}”"
            line += f"，对应登记企业{e.enterprise_name}。" if e.enterprise_name else "。"
        else:
            line = f"Business named: “{e.company}”"
            line += f", the registered {e.enterprise_name}." if e.enterprise_name else "."
        out.append(line)
    return out


def staff_reasons(
    e: Explanation, specs: Mapping[str, DepartmentSpec], lang: str = "zh"
) -> list[str]:
    """The citizen's reasons plus what staff need to judge the routing, still in words."""
    zh = not lang.startswith("en")
    out = citizen_reasons(e, specs, lang)
    sure = {
        "high": ("把握较大", "the router is fairly sure"),
        "medium": ("把握一般", "the router is moderately sure"),
        "low": ("把握较小", "the router is unsure"),
    }[e.certainty]
    line = sure[0] if zh else sure[1][0].upper() + sure[1][1:]
    if e.runner_up and e.runner_up != e.department:
        other = _name(specs, e.runner_up, zh)
        line += f"；其次可能是{other}" if zh else f"; the next most likely is {other}"
    out.append(line + ("。" if zh else "."))
    if e.lessons:
        out.append(
            f"已有{e.lessons}次工作人员对类似案件的改派被采纳。"
            if zh
            else f"Follows {e.lessons} staff re-routings of similar cases."
        )
    return out


RECORD_LANGS = ("zh", "en")


def record_key(lang: str, staff: bool = False) -> str:
    """A stored reasons record's key: ``zh``, ``en``, ``staff_zh`` or ``staff_en``."""
    return ("staff_" if staff else "") + ("en" if lang.startswith("en") else "zh")


def text_language(text: str) -> str:
    """``zh`` when a text is mostly Chinese, else ``en`` (the language its reasons use)."""
    if not _LATIN_CHAR.search(text):
        return "zh"  # no Latin letter: Chinese, or nothing to tell (below, both give zh)
    han = len(_HAN_CHAR.findall(text))
    latin = len(_LATIN_CHAR.findall(text))
    return "zh" if han * 2 >= latin and han else ("zh" if not latin else "en")
