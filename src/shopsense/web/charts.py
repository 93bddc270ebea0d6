"""Inline SVG bar charts of the latest benchmark figures (no script, no CDN)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

WIDTH, BAR_H, LABEL_W = 640, 18, 220


@dataclass(frozen=True)
class Series:
    title: str
    bars: list[tuple[str, float]]


def _label(row: dict[str, Any]) -> str:
    for key in ("name", "mode", "model", "method", "set", "backend", "engine", "run"):
        if isinstance(row.get(key), str):
            return str(row[key])
    strings = [str(v) for v in row.values() if isinstance(v, str)]
    return " · ".join(strings[:2]) or "row"


def series_from_record(record: dict[str, Any]) -> list[Series]:
    """One series per numeric column of a benchmark record (``report()`` JSON)."""
    rows = [r for r in record.get("rows", []) if isinstance(r, dict)]
    columns: list[str] = []
    for row in rows:
        for key, value in row.items():
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if numeric and key not in columns:
                columns.append(key)
    name = str(record.get("benchmark", "benchmark"))
    date = str(record.get("date", ""))
    out = []
    for column in columns[:6]:
        bars = [
            (_label(r), float(r[column])) for r in rows if isinstance(r.get(column), int | float)
        ]
        if bars:
            out.append(Series(f"{name} — {column} ({date})", bars))
    return out


def render_svg(series: Series) -> str:
    top = max((abs(v) for _, v in series.bars), default=1.0) or 1.0
    height = 24 + BAR_H * len(series.bars) + 6
    parts = [
        f'<svg class="chart" width="{WIDTH}" height="{height}" role="img" '
        f'aria-label="{escape(series.title)}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="0" y="14" font-weight="bold">{escape(series.title)}</text>',
    ]
    for i, (label, value) in enumerate(series.bars):
        y = 24 + i * BAR_H
        width = max(1.0, (WIDTH - LABEL_W - 80) * abs(value) / top)
        parts.append(f'<text x="0" y="{y + 13}">{escape(label[:34])}</text>')
        parts.append(
            f'<rect x="{LABEL_W}" y="{y + 2}" width="{width:.1f}" height="{BAR_H - 5}" '
            'fill="#2b5fd9"/>'
        )
        parts.append(f'<text x="{LABEL_W + width + 4:.1f}" y="{y + 13}">{value:,.4g}</text>')
    parts.append("</svg>")
    return "".join(parts)


def benchmark_charts(folder: Path, limit: int = 24) -> list[str]:
    """SVG charts of every ``*.json`` benchmark record in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    charts: list[str] = []
    for path in files:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict):
            charts.extend(render_svg(s) for s in series_from_record(record))
    return charts[:limit]
