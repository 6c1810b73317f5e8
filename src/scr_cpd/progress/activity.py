"""Time on task by calendar period: CPD hours this month and year, and minutes per week.

Time is what the quiz measured per answer (idle time capped) plus the time spent writing
reflections. Periods follow the learner's local calendar; weeks start on Monday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from scr_cpd.progress.store import Store, iso, utcnow


@dataclass(frozen=True)
class Activity:
    month_seconds: float
    year_seconds: float
    weeks: tuple[tuple[date, float], ...]  # (Monday of the week, seconds), oldest first

    @property
    def month_hours(self) -> float:
        return self.month_seconds / 3600

    @property
    def year_hours(self) -> float:
        return self.year_seconds / 3600


def activity(store: Store, now: datetime | None = None, weeks: int = 12) -> Activity:
    today = (now or utcnow()).astimezone().date()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    tomorrow = today + timedelta(days=1)
    periods = [(today.replace(day=1), tomorrow), (today.replace(month=1, day=1), tomorrow)]
    periods += [(monday, min(monday + timedelta(weeks=1), tomorrow)) for monday in mondays]
    totals = _sum_periods(store, [(_local_midnight(a), _local_midnight(b)) for a, b in periods])
    return Activity(totals[0], totals[1], tuple(zip(mondays, totals[2:])))


def _local_midnight(day: date) -> str:
    return iso(datetime.combine(day, time(0)).astimezone())


def _sum_periods(store: Store, periods: list[tuple[str, str]]) -> list[float]:
    """Seconds of answers and reflections within each [start, end) in one pass over the tables.

    Stored times are UTC ISO strings of one format, so comparing them as text is exact.
    """
    since = min(start for start, _ in periods)
    sums = ", ".join(
        "COALESCE(SUM(CASE WHEN at >= ? AND at < ? THEN seconds END), 0)" for _ in periods
    )
    query = (
        f"SELECT {sums} FROM ("
        "SELECT answered_at AS at, seconds FROM attempts WHERE answered_at >= ?"
        " UNION ALL SELECT created_at AS at, seconds FROM reflections WHERE created_at >= ?)"
    )
    args = [bound for period in periods for bound in period] + [since, since]
    return [float(value) for value in store.db.execute(query, args).fetchone()]
