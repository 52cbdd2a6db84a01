"""Progress of ``zhixin demo``: a bar redrawn in place on a terminal, one line a stage
otherwise (a log file, a pipe, a CI job)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Stages with a known number of steps; ``step`` advances, ``done`` closes a stage."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.width = width
        self.stage = ""
        self.total = 0
        self.count = 0
        self.started = time.monotonic()
        self._drawn = 0.0

    def start(self, stage: str, total: int) -> None:
        self.stage, self.total, self.count = stage, max(total, 0), 0
        self.started = time.monotonic()
        self._draw(force=True)

    def step(self, n: int = 1) -> None:
        self.count = min(self.count + n, self.total) if self.total else self.count + n
        self._draw()

    def done(self, summary: str) -> None:
        seconds = time.monotonic() - self.started
        line = f"demo: {self.stage}: {summary} ({seconds:.1f} s)"
        if self.tty:
            self.stream.write("\r\x1b[2K" + line + "\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _draw(self, force: bool = False) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if not force and now - self._drawn < 0.1 and self.count < self.total:
            return
        self._drawn = now
        share = self.count / self.total if self.total else 1.0
        filled = int(share * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r\x1b[2Kdemo: {self.stage} [{bar}] {self.count}/{self.total}")
        self.stream.flush()
