"""Inline keyboards and the callback data behind their buttons (64 bytes at most)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

RECALL_CATEGORIES = ("food", "consumer", "vehicle", "drug", "device", "cosmetic")


class EnterpriseCb(CallbackData, prefix="ent"):
    action: str  # show, recalls, follow, unfollow
    uscc: str


class RecallPageCb(CallbackData, prefix="rcp"):
    page: int


class RecallCb(CallbackData, prefix="rc"):
    id: int


class SubscriptionCb(CallbackData, prefix="sub"):
    action: str  # on, off (a category), drop (a company), all
    target: str = ""
    view: str = ""  # the keyboard to refresh afterwards: cats, list, or none


class ComplaintCb(CallbackData, prefix="cc"):
    action: str  # company, city, contact, confirm, cancel
    value: str = ""
    conv: str = ""


class OfferCb(CallbackData, prefix="offer"):
    kind: str  # complaint, tip, no


class MenuCb(CallbackData, prefix="menu"):
    action: str  # grade, recalls, complain, tip, track, subscribe


class DepartmentCb(CallbackData, prefix="dept"):
    code: str  # what a department handles, asked from a summary or a receipt


class RateCb(CallbackData, prefix="rate"):
    case_id: int
    score: int


class LanguageCb(CallbackData, prefix="lang"):
    lang: str


def category_name(category: str) -> str:
    names = {
        "food": _("Food"),
        "consumer": _("Consumer products"),
        "vehicle": _("Vehicles"),
        "drug": _("Drugs"),
        "device": _("Medical devices"),
        "cosmetic": _("Cosmetics"),
    }
    return names.get(category, category)


def rating_keyboard(case_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for score in range(1, 6):
        builder.button(text="★" * score, callback_data=RateCb(case_id=case_id, score=score))
    builder.adjust(5)
    return builder.as_markup()


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="简体中文", callback_data=LanguageCb(lang="zh").pack()),
                InlineKeyboardButton(text="English", callback_data=LanguageCb(lang="en").pack()),
            ]
        ]
    )


def categories_keyboard(subscribed: set[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for category in RECALL_CATEGORIES:
        on = category in subscribed
        builder.button(
            text=("✅ " if on else "▫️ ") + category_name(category),
            callback_data=SubscriptionCb(
                action="off" if on else "on", target=category, view="cats"
            ),
        )
    builder.adjust(2)
    return builder.as_markup()
