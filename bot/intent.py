"""What a citizen's free text means: a greeting or thanks, a question about the service,
a company to look up, a complaint or a tip. Plain rules over the text, with the
register's match score and the router's kind as evidence; no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

GREETINGS = {
    "你好", "您好", "嗨", "哈喽", "在吗", "在不在", "早上好", "下午好", "晚上好", "早", "喂",
    "hi", "hello", "hey", "good morning", "good afternoon", "good evening", "start",
}  # fmt: skip
THANKS = {
    "谢谢", "多谢", "感谢", "谢谢你", "谢谢您", "非常感谢", "好的谢谢", "好的", "好", "ok", "okay",
    "thanks", "thank you", "thx", "thank you very much", "great", "明白了", "知道了",
}  # fmt: skip
# a question about the service itself: a question word and what the service does
_QUESTION = re.compile(
    r"(怎么|怎样|如何|哪里|在哪|能不能|可以|能否|去哪|咋|what|how|where|can i|can you)",
    re.IGNORECASE,
)
_SERVICE_TOPIC = {
    "complain": ("投诉", "维权", "complain", "complaint"),
    "tip": ("举报", "匿名", "report", "tip", "anonymous"),
    "track": ("进度", "查询编号", "受理编号", "跟踪", "track", "progress", "status"),
    "grade": ("等级", "信用", "评级", "grade", "credit"),
    "recalls": ("召回", "recall"),
    "subscribe": ("订阅", "提醒", "通知", "subscribe", "alert"),
}
# words that say something went wrong or that someone breaks the rules
COMPLAINT_CUES = (
    "投诉", "退款", "退货", "退钱", "赔偿", "维修", "坏了", "坏掉", "质量问题", "不合格", "漏",
    "拉肚子", "过期", "变质", "异物", "假货", "假冒", "伪劣", "缺斤", "短两", "欺骗", "骗",
    "拒绝", "不给", "不退", "故障", "爆炸", "起火", "受伤", "烫伤", "困人", "发霉", "虫",
    "refund", "broken", "broke", "leak", "fake", "faulty", "defect", "expired", "cheat",
    "complain", "injur", "repair", "burn", "mould", "mold",
)  # fmt: skip
TIP_CUES = (
    "举报", "违法", "违规", "非法", "黑作坊", "无证", "偷偷", "篡改", "私自", "造假", "制假",
    "report", "illegal", "violation", "unlicensed", "counterfeit",
)  # fmt: skip
COMPANY_SUFFIXES = (
    "有限公司", "有限责任公司", "股份", "集团", "公司", "厂", "科技", "商行", "超市", "商店",
    "门店", "专卖店", "旗舰店", "co.", "ltd", "inc", "company",
)  # fmt: skip
NAME_LENGTH = 30  # longer text is read as a description, not a name
SENTENCE_MARKS = set("。！？!?，,；;")
STRONG_NAME = 70  # a register score at or above this makes short text a look-up


@dataclass(frozen=True, slots=True)
class Intent:
    """``kind`` is greeting, thanks, question, lookup, complaint, tip or unknown;
    ``topic`` the service a question is about."""

    kind: str
    topic: str = ""


def _plain(text: str) -> str:
    return re.sub(r"[\s\W_]+", " ", text.lower()).strip()


def looks_like_name(text: str) -> bool:
    """Short, without sentence punctuation: a name rather than a description."""
    return 0 < len(text) <= NAME_LENGTH and not (SENTENCE_MARKS & set(text))


def has_company_form(text: str) -> bool:
    lowered = text.lower()
    return any(s in lowered for s in COMPANY_SUFFIXES)


def _greets(plain: str) -> bool:
    """A short greeting with a particle or a name after it: 你好啊, 您好小助手, hi there."""
    if len(plain) > 8:
        return False
    first = plain.split(" ")[0]
    return first in GREETINGS or any(
        plain.startswith(g) for g in GREETINGS if not g.isascii() and len(g) >= 2
    )


def cues(text: str) -> str | None:
    """``tip`` or ``complaint`` when the text carries words of that kind, else None."""
    lowered = text.lower()
    if any(c in lowered for c in TIP_CUES):
        return "tip"
    if any(c in lowered for c in COMPLAINT_CUES):
        return "complaint"
    return None


def service_question(text: str) -> str | None:
    """The service a question asks about ("how do I complain?"), or None."""
    if not _QUESTION.search(text) and not text.rstrip().endswith(("?", "？", "吗")):
        return None
    lowered = text.lower()
    for topic, words in _SERVICE_TOPIC.items():
        if any(w in lowered for w in words):
            return topic
    return None


def classify(
    text: str, name_score: float, routed_kind: str | None, is_code: bool = False
) -> Intent:
    """Decide what ``text`` asks for. ``name_score`` is the register's best match score
    for it (0–100); ``routed_kind`` the router's kind (complaint, tip, inquiry)."""
    text = text.strip()
    plain = _plain(text)
    if is_code:
        return Intent("lookup")
    if plain in GREETINGS or _greets(plain):
        return Intent("greeting")
    if plain in THANKS:
        return Intent("thanks")
    cue = cues(text)
    topic = service_question(text)
    # "how do I …" opening the text asks about the service even with a cue in it
    if topic is not None and (len(text) <= 40 or (_QUESTION.match(text) and len(text) <= 100)):
        return Intent("question", topic)
    if looks_like_name(text) and cue is None:
        if name_score >= STRONG_NAME or has_company_form(text):
            return Intent("lookup")
    if cue is not None and len(text) >= 8:
        if cue == "complaint" and routed_kind in ("complaint", "tip"):
            return Intent(routed_kind)
        return Intent(cue)
    if looks_like_name(text) and name_score >= STRONG_NAME:
        return Intent("lookup")
    if looks_like_name(text) and len(text) >= 2 and not plain.isascii():
        return Intent("lookup")
    return Intent("unknown")
