"""Request metrics kept in memory, exposed in the Prometheus text format."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


@dataclass
class Metrics:
    requests: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)
    events_stored: int = 0
    events_duplicate: int = 0
    latency_buckets: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    latency_sum: float = 0.0
    latency_count: int = 0
    in_flight: int = 0

    def observe(self, method: str, path: str, status: int, seconds: float) -> None:
        self.requests[(method, path, status)] += 1
        self.latency_sum += seconds
        self.latency_count += 1
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                self.latency_buckets[i] += 1

    def rejected(self, reason: str) -> None:
        self.rejections[reason] += 1

    def events(self, stored: int, duplicates: int) -> None:
        self.events_stored += stored
        self.events_duplicate += duplicates

    def render(self) -> str:
        lines = [
            "# HELP shopsense_requests_total HTTP requests by method, route and status.",
            "# TYPE shopsense_requests_total counter",
        ]
        for (method, path, status), n in sorted(self.requests.items()):
            labels = f'method="{method}",route="{path}",status="{status}"'
            lines.append(f"shopsense_requests_total{{{labels}}} {n}")
        lines += [
            "# HELP shopsense_request_seconds Request latency.",
            "# TYPE shopsense_request_seconds histogram",
        ]
        for bound, n in zip(BUCKETS, self.latency_buckets, strict=True):
            lines.append(f'shopsense_request_seconds_bucket{{le="{bound}"}} {n}')
        lines.append(f'shopsense_request_seconds_bucket{{le="+Inf"}} {self.latency_count}')
        lines.append(f"shopsense_request_seconds_sum {self.latency_sum:.6f}")
        lines.append(f"shopsense_request_seconds_count {self.latency_count}")
        lines += ["# TYPE shopsense_rejected_total counter"]
        for reason, n in sorted(self.rejections.items()):
            lines.append(f'shopsense_rejected_total{{reason="{reason}"}} {n}')
        lines += [
            "# TYPE shopsense_events_stored_total counter",
            f"shopsense_events_stored_total {self.events_stored}",
            "# TYPE shopsense_events_duplicate_total counter",
            f"shopsense_events_duplicate_total {self.events_duplicate}",
            "# TYPE shopsense_in_flight gauge",
            f"shopsense_in_flight {self.in_flight}",
        ]
        return "\n".join(lines) + "\n"
