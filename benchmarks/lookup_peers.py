"""The two lookups the project's index is measured against.

* rapidfuzz brute force: ``process.extract`` over every registered name with WRatio.
* PostgreSQL pg_trgm: a GIN trigram index, ``name % query`` (default similarity
  threshold 0.3) ordered by ``similarity``, in a database of its own whose
  character type treats Chinese characters as word characters; and, as a
  stronger variant for short queries inside long names, ``query <% name``
  ordered by ``word_similarity`` (default threshold 0.6).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from rapidfuzz import fuzz, process

BENCH_DB = "zhixin_bench"
# C.UTF-8 classifies CJK ideographs as alphanumeric, so pg_trgm makes trigrams of them;
# the others are tried in order if a server lacks it.
LOCALES = ("C.UTF-8", "C.utf8", "en_US.UTF-8", "zh_CN.UTF-8")

Search = Callable[[str], list[str]]  # query -> codes, best first
T = TypeVar("T")


def bruteforce(names: Sequence[str], codes: Sequence[str]) -> Search:
    """Score every name for every query; the baseline with nothing precomputed."""

    def search(query: str) -> list[str]:
        found = process.extract(query, names, scorer=fuzz.WRatio, limit=10)
        return [codes[i] for _, _, i in found]

    return search


def _with_db(url: str, db: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + db))


class PgTrgm:
    """A throw-away database with the register in one table and a GIN trigram index."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.loop = asyncio.new_event_loop()
        self.conn = None
        self.locale = ""
        self.trigrams = ""
        self.build_seconds = 0.0
        self.index_bytes = 0
        self.table_bytes = 0

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def setup(self, rows: Sequence[tuple[str, str]]) -> None:
        """Create the database, load the rows with COPY and build the index (timed)."""
        self._run(self._setup(rows))

    async def _setup(self, rows: Sequence[tuple[str, str]]) -> None:
        import asyncpg

        admin = await asyncpg.connect(self.url)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            for locale in LOCALES:
                try:
                    await admin.execute(
                        f"CREATE DATABASE {BENCH_DB} TEMPLATE template0 ENCODING 'UTF8' "
                        f"LC_COLLATE '{locale}' LC_CTYPE '{locale}'"
                    )
                except asyncpg.PostgresError:
                    continue
                conn = await asyncpg.connect(_with_db(self.url, BENCH_DB))
                await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                shown = await conn.fetchval("SELECT show_trgm('苏州电子')::text")
                if shown and shown != "{}":
                    self.conn, self.locale, self.trigrams = conn, locale, shown
                    break
                await conn.close()
                await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            else:
                raise RuntimeError("no locale makes pg_trgm see Chinese characters")
        finally:
            await admin.close()
        conn = self.conn
        await conn.execute("CREATE TABLE enterprise (uscc text, name text)")
        started = time.perf_counter()
        await conn.copy_records_to_table("enterprise", records=rows, columns=["uscc", "name"])
        await conn.execute(
            "CREATE INDEX enterprise_name_trgm ON enterprise USING gin (name gin_trgm_ops)"
        )
        await conn.execute("ANALYZE enterprise")
        self.build_seconds = time.perf_counter() - started
        self.index_bytes = await conn.fetchval("SELECT pg_relation_size('enterprise_name_trgm')")
        self.table_bytes = await conn.fetchval("SELECT pg_total_relation_size('enterprise')")

    def search(self, query: str) -> list[str]:
        """The ten most similar names above the default threshold."""
        return self._run(self._search(query))

    async def _search(self, query: str) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT uscc FROM enterprise WHERE name % $1 "
            "ORDER BY similarity(name, $1) DESC LIMIT 10",
            query,
        )
        return [r["uscc"] for r in rows]

    def search_word(self, query: str) -> list[str]:
        """The ten names with the most similar stretch of words above the default threshold."""
        return self._run(self._search_word(query))

    async def _search_word(self, query: str) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT uscc FROM enterprise WHERE $1 <% name "
            "ORDER BY word_similarity($1, name) DESC LIMIT 10",
            query,
        )
        return [r["uscc"] for r in rows]

    def close(self, keep: bool = False) -> None:
        """Drop the database (unless keep) and close the connection."""
        self._run(self._close(keep))
        self.loop.close()

    async def _close(self, keep: bool) -> None:
        import asyncpg

        if self.conn is not None:
            await self.conn.close()
        if not keep:
            admin = await asyncpg.connect(self.url)
            try:
                await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            finally:
                await admin.close()
