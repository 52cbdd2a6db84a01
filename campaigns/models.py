"""The campaigns table: the windows operators run (Quality Month, 3·15, their own)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base, UTCDateTime, utcnow


class Campaign(Base):
    """A public campaign window (Quality Month, 3·15, or one an operator adds)."""

    __tablename__ = "campaigns"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    start_month: Mapped[int] = mapped_column(Integer)
    start_day: Mapped[int] = mapped_column(Integer)
    end_month: Mapped[int] = mapped_column(Integer)
    end_day: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def name(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh

    def period(self, year: int) -> tuple[date, date]:
        """First and last day of the ``year`` campaign; a window that ends before it
        starts (say 12-15 to 01-15) runs into the next year."""
        start = date(year, self.start_month, self.start_day)
        wraps = (self.end_month, self.end_day) < (self.start_month, self.start_day)
        return start, date(year + 1 if wraps else year, self.end_month, self.end_day)

    def period_containing(self, day: date | None = None) -> tuple[date, date] | None:
        """The window that ``day`` (default: today in China) falls in, or None."""
        day = day or datetime.now(ZoneInfo("Asia/Shanghai")).date()
        for year in (day.year, day.year - 1):
            start, end = self.period(year)
            if start <= day <= end:
                return start, end
        return None
