"""The contract every data-quality check fulfils, whatever it checks (products, events).

A check looks at a sequence of rows and answers, per row, whether it is flagged
and why (a reason code and a detail a person can act on), plus one score for the
whole dataset: the share of rows that pass. Its severity says what the gate
does with a flagged row: ``warn`` keeps it (and lowers its quality score),
``fail`` quarantines it.

Row checks judge one row at a time (so the ingest hook can run them while
streaming); dataset checks need every row (robust outliers within a group).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


class Severity(StrEnum):
    WARN = "warn"
    FAIL = "fail"


class Flag(NamedTuple):
    """Row ``row`` (position in the input) is flagged with ``reason`` because ``detail``."""

    row: int
    reason: str
    detail: str


@dataclass(frozen=True)
class CheckOutcome:
    """Per-row flags and the dataset-level score (share of rows not flagged)."""

    check: str
    severity: Severity
    rows: int
    flags: tuple[Flag, ...]

    @property
    def score(self) -> float:
        if self.rows == 0:
            return 1.0
        return 1.0 - len({f.row for f in self.flags}) / self.rows

    @property
    def flagged(self) -> frozenset[int]:
        return frozenset(f.row for f in self.flags)


class Check(ABC, Generic[T]):
    """One data-quality rule. ``name`` is unique; ``reasons`` lists its reason codes."""

    name: str
    reasons: tuple[str, ...]

    def __init__(self, severity: Severity) -> None:
        self.severity = severity

    @abstractmethod
    def run(self, rows: Sequence[T]) -> CheckOutcome:
        """Flag the rows that break the rule."""

    def outcome(self, rows: int, flags: list[Flag]) -> CheckOutcome:
        return CheckOutcome(self.name, self.severity, rows, tuple(flags))


class RowCheck(Check[T]):
    """A check that judges each row on its own."""

    @abstractmethod
    def judge(self, row: T) -> tuple[str, str] | None:
        """``(reason, detail)`` when ``row`` breaks the rule, else ``None``."""

    def run(self, rows: Sequence[T]) -> CheckOutcome:
        flags = []
        for i, row in enumerate(rows):
            verdict = self.judge(row)
            if verdict is not None:
                flags.append(Flag(i, *verdict))
        return self.outcome(len(rows), flags)
