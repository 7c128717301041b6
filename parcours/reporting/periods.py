"""The period of a report: a calendar year by default, or any start and end dates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("La fin de la période précède son début.")

    @classmethod
    def year(cls, year: int) -> Period:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"Année hors des bornes ({MIN_YEAR}–{MAX_YEAR}).")
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @property
    def is_calendar_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (
            1,
            1,
            12,
            31,
        ) and self.start.year == self.end.year

    @property
    def label(self) -> str:
        if self.is_calendar_year:
            return str(self.start.year)
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"
