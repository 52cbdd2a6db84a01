"""The questions of the filing conversation (/complain, /tip) and its receipt: each asks
with its buttons and moves the conversation to the state that expects the answer."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.cards import kind_name, routing_lines, shorten
from bot.keyboards import ComplaintCb, DepartmentCb
from bot.markup import quote
from complaints.intake import Filed
from complaints.runtime import Services
from infra.formatting import format_date
from nlp.names import jiangsu_regions


class Filing(StatesGroup):
    text = State()
    company = State()
    city = State()
    contact = State()
    confirm = State()
    more = State()  # a long description: waiting for its next part


FORM_STATES = {s.state for s in Filing.__states__}


def idempotency_key(nonce: str) -> str:
    """One key per conversation, from a random value kept only in the conversation's
    state: a repeated update finds the first case, and nothing in it identifies the
    person (an anonymous tip stores no trace of who sent it)."""
    return f"bot:{nonce}"


async def ask_company(
    message: Message,
    state: FSMContext,
    suggestions: list[tuple[str, str]],
    mentioned: str | None,
    typed: str | None = None,
) -> None:
    conv = (await state.get_data())["conv"]
    builder = InlineKeyboardBuilder()
    for i, (_uscc, name) in enumerate(suggestions):
        builder.button(
            text=f"🏭 {name}"[:60],
            callback_data=ComplaintCb(action="company", value=str(i), conv=conv),
        )
    if typed:
        builder.button(
            text=_("Use “{name}” as written").format(name=typed[:40]),
            callback_data=ComplaintCb(action="company", value="typed", conv=conv),
        )
    builder.button(
        text=_("No particular company"),
        callback_data=ComplaintCb(action="company", value="none", conv=conv),
    )
    builder.adjust(1)
    if typed:
        text = _("Is it one of these registered companies?")
    elif suggestions:
        text = _("Which company is it about? Press a suggestion, or type the company's name.")
    elif mentioned:
        text = _(
            "Which company is it about? You mentioned “{name}”, which I did not find in the "
            "register: type the name again as exactly as you can, or press a button."
        ).format(name=quote(mentioned))
    else:
        text = _("Which company is it about? Type its name, or press a button.")
    await message.answer(text, reply_markup=builder.as_markup())


def cities() -> list[tuple[str, str, str]]:
    """(stored name, Chinese short name, English name) of Jiangsu's 13 cities."""
    return [(c.name, c.short, c.en) for c in jiangsu_regions().cities]


def match_city(text: str) -> str | None:
    wanted = text.strip().lower()
    for name, short, en in cities():
        if wanted in (name.lower(), short.lower(), en.lower()):
            return name
    return None


async def ask_city(message: Message, state: FSMContext, lang: str) -> None:
    conv = (await state.get_data())["conv"]
    lang_en = lang == "en"
    builder = InlineKeyboardBuilder()
    for i, (_name, short, en) in enumerate(cities()):
        builder.button(
            text=en if lang_en else short,
            callback_data=ComplaintCb(action="city", value=str(i), conv=conv),
        )
    builder.button(
        text=_("Skip"), callback_data=ComplaintCb(action="city", value="skip", conv=conv)
    )
    builder.adjust(4)
    await state.set_state(Filing.city)
    await message.answer(
        _("In which city did it happen? Press one, or type the place."),
        reply_markup=builder.as_markup(),
    )


async def ask_contact(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("📱 Reach me here in Telegram"),
        callback_data=ComplaintCb(action="contact", value="telegram", conv=data["conv"]),
    )
    if data["kind"] == "tip":
        builder.button(
            text=_("🙈 Stay anonymous"),
            callback_data=ComplaintCb(action="contact", value="anonymous", conv=data["conv"]),
        )
        text = _(
            "How may the department reach you? Send a phone number or e-mail address, or "
            "stay anonymous. Your identity is never shown to the company."
        )
    else:
        text = _(
            "How may the department reach you about this complaint? Send a phone number or "
            "e-mail address, or press the button."
        )
    builder.adjust(1)
    await state.set_state(Filing.contact)
    await message.answer(text, reply_markup=builder.as_markup())


def telegram_contact(message: Message | CallbackQuery) -> str | None:
    """``Telegram @name``; None without a username, which no one could write to."""
    user = message.from_user
    if user is None or not user.username:
        return None
    return f"Telegram @{user.username}"


async def show_summary(message: Message, state: FSMContext, services: Services, lang: str) -> None:
    data = await state.get_data()
    routing = await services.off_loop(
        services.router.route,
        data["text"],
        kind_hint=data["kind"],
        company_hint=data.get("company"),
    )
    department = services.departments.get(routing.department)
    department_name = department.name(lang) if department else routing.department
    await state.update_data(department=routing.department)
    lines = [
        _("<b>Please check your {kind}:</b>").format(kind=quote(kind_name(data["kind"]).lower())),
        "",
        quote(shorten(data["text"])),
        "",
        _("Company: {company}").format(company=quote(data.get("company") or _("not given"))),
        _("City: {city}").format(city=quote(data.get("city") or _("not given"))),
    ]
    if data.get("anonymous"):
        lines.append(_("Contact: anonymous"))
    else:
        lines.append(_("Contact: {contact}").format(contact=quote(data.get("contact") or "")))
    lines += ["", *routing_lines(routing, department_name, lang)]
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Send"), callback_data=ComplaintCb(action="confirm", conv=data["conv"])
    )
    builder.button(
        text=_("✖ Cancel"), callback_data=ComplaintCb(action="cancel", conv=data["conv"])
    )
    if department is not None:
        builder.button(
            text=_("ℹ️ What does this department handle?"),
            callback_data=DepartmentCb(code=routing.department),
        )
    builder.adjust(2, 1)
    await state.set_state(Filing.confirm)
    await message.answer("\n".join(lines), reply_markup=builder.as_markup())


def filed_text(filed: Filed, services: Services, lang: str) -> str:
    """The receipt: tracking number, access code, department and what happens next."""
    case = filed.case
    department = services.departments.get(case.department)
    lines = []
    if filed.replayed:
        lines.append(_("This was already sent; here is the receipt again."))
    lines += [
        _("✅ Sent. Your {kind} went to {department}.").format(
            kind=quote(kind_name(case.kind).lower()),
            department=quote(department.name(lang) if department else case.department),
        ),
        "",
        _("Tracking number: <code>{no}</code>").format(no=quote(case.tracking_no)),
    ]
    if filed.access_code:
        lines.append(_("Access code: <code>{code}</code>").format(code=quote(filed.access_code)))
    lines.append(_("Keep both: with them you can follow the case on the website too."))
    if case.accept_due:
        lines.append(
            _("The department must decide on it by {date}.").format(
                date=format_date(case.accept_due)
            )
        )
    for related in filed.related:
        other = services.departments.get(related.department)
        lines += [
            "",
            _(
                "Your message also reads as a {kind}, so it was filed a second time: {no}, "
                "for {department}. The same access code opens it."
            ).format(
                kind=quote(kind_name(related.kind).lower()),
                no=f"<code>{quote(related.tracking_no)}</code>",
                department=quote(other.name(lang) if other else related.department),
            ),
        ]
        if related.accept_due:
            lines.append(
                _("The department must decide on it by {date}.").format(
                    date=format_date(related.accept_due)
                )
            )
    if case.bot_chat_id:
        numbers = " ".join([case.tracking_no, *(r.tracking_no for r in filed.related)])
        lines.append(
            _(
                "I will message you here when its status changes. /track {no} shows it any time."
            ).format(no=numbers.split()[0])
        )
        if filed.related:
            lines.append(_("The same goes for {no}.").format(no=numbers.split()[1]))
    else:
        lines.append(
            _(
                "As you stay anonymous, I keep no link between you and this tip: follow it "
                "with /track {no} and the access code."
            ).format(no=case.tracking_no)
        )
    return "\n".join(lines)
