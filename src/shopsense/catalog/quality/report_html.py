"""The quality report as one self-contained HTML page: inline CSS, inline SVG plots,
product images inlined as data URIs. No script, no external URL: it opens offline."""

from __future__ import annotations

import base64
import mimetypes
from html import escape
from pathlib import Path
from typing import Any

_CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse}td,th{padding:.25em .6em;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}.kpi{display:inline-block;margin-right:2em}
.kpi b{display:block;font-size:1.6em}.cluster{display:flex;gap:1em;margin:1em 0;padding:.5em;
border:1px solid #ddd;border-radius:6px;overflow-x:auto}.card{min-width:180px;max-width:240px}
.card.canonical{background:#eef7ee}.card img{max-height:80px}.ev{font-size:12px;color:#555}
svg text{font-size:11px;font-family:system-ui,sans-serif}"""
_MAX_IMAGE_BYTES = 200_000


def _bars(items: list[tuple[str, float]], *, fmt: str = "{:g}", scale: float | None = None) -> str:
    """Horizontal bar chart as inline SVG."""
    if not items:
        return "<p><i>nothing to show</i></p>"
    top = scale or max(v for _, v in items) or 1.0
    row, label_w, bar_w = 20, 210, 420
    parts = [f'<svg width="{label_w + bar_w + 80}" height="{row * len(items) + 4}" role="img">']
    for i, (label, value) in enumerate(items):
        y = i * row + 2
        w = max(1.0, bar_w * value / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label[:34])}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="#4a7fb5"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{escape(fmt.format(value))}</text>'
        )
    return "".join(parts) + "</svg>"


def _boxes(stats: list[dict[str, Any]]) -> str:
    """Price per category on a log axis: whiskers p5–p95, box p25–p75, median line."""
    if not stats:
        return "<p><i>no prices</i></p>"
    import math

    low = min(max(s["p5"], 0.01) for s in stats)
    high = max(s["p95"] for s in stats) or 1.0
    lo, hi = math.log10(low), math.log10(max(high, low * 10))
    row, label_w, plot_w = 22, 230, 520

    def x(v: float) -> float:
        return label_w + plot_w * (math.log10(max(v, low)) - lo) / (hi - lo)

    parts = [f'<svg width="{label_w + plot_w + 20}" height="{row * len(stats) + 24}" role="img">']
    for i, s in enumerate(stats):
        y = i * row + 4
        label = f"{s['category'][:30]} (n={s['count']})"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<line x1="{x(s["p5"]):.1f}" x2="{x(s["p95"]):.1f}" y1="{y + 9}" y2="{y + 9}" '
            f'stroke="#888"/><rect x="{x(s["p25"]):.1f}" y="{y + 2}" '
            f'width="{max(1, x(s["p75"]) - x(s["p25"])):.1f}" height="14" fill="#9cc3e6" '
            f'stroke="#4a7fb5"/><line x1="{x(s["median"]):.1f}" x2="{x(s["median"]):.1f}" '
            f'y1="{y + 2}" y2="{y + 16}" stroke="#123" stroke-width="2"/>'
        )
    y = row * len(stats) + 18
    for tick in range(math.floor(lo), math.ceil(hi) + 1):
        v = 10.0**tick
        if low <= v <= 10**hi:
            parts.append(f'<text x="{x(v):.1f}" y="{y}" text-anchor="middle">{v:g}</text>')
    return "".join(parts) + "</svg>"


def _image(path: str | None) -> str:
    if not path:
        return ""
    file = Path(path)
    try:
        if "://" in path or not file.is_file() or file.stat().st_size > _MAX_IMAGE_BYTES:
            return ""
        data = base64.b64encode(file.read_bytes()).decode("ascii")
    except OSError:
        return ""
    mime = mimetypes.guess_type(file.name)[0] or "image/jpeg"
    return f'<img alt="" src="data:{mime};base64,{data}"><br>'


def _cluster(c: dict[str, Any]) -> str:
    cards = []
    for p in c["products"]:
        price = f"{p['price']:g} {p['currency'] or ''}" if p["price"] is not None else "–"
        cards.append(
            f'<div class="card{" canonical" if p["canonical"] else ""}">{_image(p["image"])}'
            f"<b>{escape(p['title'])}</b><br>id {escape(p['id'])} · {escape(p['brand'] or '–')}"
            f"<br>{escape(price)} · {escape(p['source'] or '')}</div>"
        )
    ev = "<br>".join(
        f"{escape(link['left'])} ↔ {escape(link['right'])}: score {link['score']:g} — "
        + escape(", ".join(f"{k}={v}" for k, v in link["evidence"].items()))
        for link in c["links"][:6]
    )
    return f'<div class="cluster">{"".join(cards)}</div><div class="ev">{ev}</div>'


def _table(rows: dict[str, Any]) -> str:
    body = "".join(
        f"<tr><td>{escape(str(k))}</td><td>{escape(str(v))}</td></tr>" for k, v in rows.items()
    )
    return f"<table>{body}</table>" if rows else "<p><i>none</i></p>"


def render_html(report: dict[str, Any]) -> str:
    """The whole page for ``QualityReport.to_dict()``."""
    r = report
    fresh = r["freshness"]
    kpis = "".join(
        f'<span class="kpi"><b>{escape(str(v))}</b>{escape(k)}</span>'
        for k, v in (
            ("products", r["products"]),
            ("quarantined", r["quarantined"]),
            ("repairs", r["repairs"]),
            ("duplicate clusters", r["duplicate_totals"]["clusters"]),
            ("mean quality score", r["quality_scores"]["mean"]),
        )
    )
    checks = (r["last_check"] or {}).get("checks", [])
    sections = [
        f"<h1>shopsense catalogue quality</h1><p>generated {escape(r['generated_at'])}</p>{kpis}",
        "<h2>Completeness per field</h2>"
        + _bars([(k, v * 100) for k, v in r["completeness"].items()], fmt="{:.1f}%", scale=100),
        "<h2>Price distribution per category</h2>" + _boxes(r["price_by_category"]),
        "<h2>Quarantine reasons</h2>"
        + _bars(
            sorted(((k, float(v)) for k, v in r["quarantine_reasons"].items()), key=lambda x: -x[1])
        ),
        "<h2>Warnings (kept, lower quality score)</h2>"
        + _bars(sorted(((k, float(v)) for k, v in r["warnings"].items()), key=lambda x: -x[1])),
        "<h2>Repairs made at ingest</h2>"
        + _bars(sorted(((k, float(v)) for k, v in r["repair_codes"].items()), key=lambda x: -x[1])),
        "<h2>Checks (last <code>quality check</code>)</h2>"
        + _table(
            {
                f"{c['check']} ({c['severity']})": f"score {c['score']}, {c['flagged']} flagged"
                for c in checks
            }
        ),
        "<h2>Freshness (age of updated_at)</h2>"
        + _bars(
            [(k, float(v)) for k, v in fresh["buckets"].items()]
            + [("unknown", float(fresh["unknown"]))]
        )
        + f"<p>SLA: {fresh['sla_days'] or 'not set'} days; stale: {fresh['stale']}</p>",
        "<h2>Quality scores</h2>"
        + _bars(
            [
                (f"{b['from']:.1f}–{b['to']:.1f}", float(b["count"]))
                for b in r["quality_scores"]["histogram"]
            ]
        ),
        f"<h2>Duplicate clusters ({r['duplicate_totals']['clusters']}, "
        f"{r['duplicate_totals']['products']} products; canonical in green)</h2>"
        + ("".join(_cluster(c) for c in r["duplicate_clusters"]) or "<p><i>none</i></p>"),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>shopsense quality report</title><style>{_CSS}</style></head><body>"
        + "".join(sections)
        + "</body></html>\n"
    )
