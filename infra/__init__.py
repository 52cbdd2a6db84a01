"""The ground floor: plumbing every other package shares, and no feature of its own.

Database engine, sessions and ``Base``; the settings type and its loading from the
environment; i18n and formatting; HTTP helpers (JSON errors, ``web.AppKey``s, CSRF,
client addresses, the NUL guard); secrets and hashing; rate limits; the change bus
between processes; metrics and health probes; migrations run from code. Also the
tables several domains share: departments, staff accounts and API keys
(``infra.accounts``), since disclosure, complaints, Open311 and the bot all check them.

May import: the standard library and third-party packages only; no project package.
"""
