"""The conservation law every ingest-like run reports: read = accepted + quarantined."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any


class ConservedRun:
    """Mixin for run-summary dataclasses with ``rows_read``, ``accepted`` and ``quarantined``."""

    rows_read: int
    accepted: int
    quarantined: int

    @property
    def conserved(self) -> bool:
        return self.rows_read == self.accepted + self.quarantined

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = asdict(self)  # type: ignore[call-overload]
        out["conserved"] = self.conserved
        return out
