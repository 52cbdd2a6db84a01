"""Tests of nlp/: normalisation, segmentation, routing, lookup, credit codes; no database.

May import: every project package, and tests.support.
"""
