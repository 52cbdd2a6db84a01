"""Tests of infra/: rate limits, the catalogue, the change bus between processes, database outages.

May import: every project package, and tests.support.
"""
