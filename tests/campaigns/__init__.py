"""Tests of campaigns/: the campaign figures, reports, exports and the banner.

May import: every project package, and tests.support.
"""
