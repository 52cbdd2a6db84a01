"""Tests of disclosure/: import, grades, recalls and their feed, objections, pages, the search memo.

May import: every project package, and tests.support.
"""
