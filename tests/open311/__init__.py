"""Tests of open311/: GeoReport v2 as third-party clients see it.

May import: every project package, and tests.support.
"""
