"""Event checks: timestamps inside the window the log is expected to cover."""

from __future__ import annotations

from datetime import datetime

from shopsense.core.checks import RowCheck, Severity
from shopsense.events.schema import Event


class EventTimeWindow(RowCheck[Event]):
    """An event's timestamp lies inside ``[start, end]`` (either end may be open)."""

    name = "event_time_window"
    reasons = ("event_outside_window",)

    def __init__(self, severity: Severity, start: datetime | None, end: datetime | None) -> None:
        super().__init__(severity)
        self.start, self.end = start, end

    def judge(self, row: Event) -> tuple[str, str] | None:
        if (self.start is not None and row.timestamp < self.start) or (
            self.end is not None and row.timestamp > self.end
        ):
            span = f"{self.start or '-∞'} … {self.end or '+∞'}"
            return "event_outside_window", f"{row.timestamp.isoformat()} outside {span}"
        return None
