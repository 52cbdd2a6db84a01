"""The test suite; its folders mirror the packages (``tests/complaints/`` tests
``complaints/``), with shared fixtures in ``conftest.py`` and helpers in ``tests/support``.

May import: every project package.
"""
