"""Tests of complaints/: filing, tracking, the desk and its pages, workflow, deadlines,
lessons, durability.

May import: every project package, and tests.support.
"""
