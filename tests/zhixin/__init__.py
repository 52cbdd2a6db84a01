"""Tests of zhixin/ and of the assembled service: app, CLI, demo, schema, settings, and
whole-app checks (fuzzing, bad input, escaping, security headers, logs).

May import: every project package, and tests.support.
"""
