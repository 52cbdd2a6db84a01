"""Tests of bot/: conversations fed through the dispatcher, limits, Redis, end to end.

May import: every project package, and tests.support.
"""
