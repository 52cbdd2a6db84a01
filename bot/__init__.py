"""The Telegram bot citizens and department staff talk to: a thin adapter.

Handlers (``bot.handlers``, one router per feature) call the same domain services
as the web pages; the bot's own tables are subscriptions, chats and deliveries
(``models``); ``delivery`` carries outbox events to chats.

May import: aiogram, infra, nlp, and the service modules of disclosure, complaints and
campaigns (never their ``web`` packages).
"""
