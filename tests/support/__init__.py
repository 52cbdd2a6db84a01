"""Helpers the tests share: seeded worlds, a fake Telegram, desk and attack helpers, servers.

May import: every project package.
"""
