"""Alembic migrations of the one database schema; ``env.py`` reads every table from
``zhixin.models``.

May import: infra (engine, settings) and ``zhixin.models``.
"""
