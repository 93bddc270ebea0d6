"""CLI: the quality gate's second pass, the quality report, the dedup evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopsense.catalog.ingest import IngestOptions
from shopsense.catalog.quality.report_html import render_html
from shopsense.cli.catalog import _unescape
from shopsense.cli.common import DbOption, JsonOption, echo, emit_json, services

quality_app = typer.Typer(
    help="Data quality: checks over the store, the report.", no_args_is_help=True
)


@quality_app.command("check")
def quality_check(
    no_dedup: Annotated[bool, typer.Option("--no-dedup", help="Skip duplicate detection.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run every check over the stored products: quarantine `fail` findings, store `warn`
    flags, duplicate clusters and each product's quality score."""
    with services(db) as svc:
        summary = svc.quality_check(dedup=not no_dedup)
    if as_json:
        emit_json(summary.to_dict())
        return
    echo(
        f"quality check: products {summary.rows_read} = kept {summary.accepted} "
        f"+ quarantined {summary.quarantined}"
    )
    for c in summary.checks:
        echo(f"  {c['check']:16} {c['severity']:4}  score {c['score']:.3f}  flagged {c['flagged']}")
    for reason, n in sorted(summary.reasons.items()):
        echo(f"  quarantined {reason}: {n}")
    echo(
        f"  duplicate clusters: {summary.clusters} ({summary.clustered_products} products); "
        f"mean quality score {summary.mean_quality_score:.3f}; {summary.seconds:.1f} s"
    )


@quality_app.command("report")
def quality_report(
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path(
        "quality-report.html"
    ),
    clusters: Annotated[int, typer.Option(min=0, max=500, help="Clusters shown.")] = 20,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the offline HTML quality report (or print its figures as JSON)."""
    with services(db) as svc:
        report = svc.quality_report(clusters=clusters).to_dict()
    if as_json:
        emit_json(report)
        return
    out.write_text(render_html(report), encoding="utf-8")
    echo(f"wrote {out} ({report['products']} products, {report['quarantined']} quarantined)")


def eval_dedup(
    left: Annotated[Path, typer.Option("--left", help="Left catalogue file (shop A).")],
    right: Annotated[Path, typer.Option("--right", help="Right catalogue file (shop B).")],
    gold: Annotated[
        Path, typer.Option("--gold", help="Gold pairs: left id, right id; header line.")
    ],
    sep: Annotated[str | None, typer.Option("--sep", help="Field separator of all three.")] = None,
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="field=column for both catalogues.")
    ] = None,
    k: Annotated[int, typer.Option(min=1, max=200, help="TF-IDF neighbours per offer.")] = 20,
    minhash: Annotated[bool, typer.Option("--minhash", help="Add MinHash-LSH candidates.")] = False,
    folds: Annotated[
        int, typer.Option(min=0, max=20, help="k-fold (by left offer) for the learned scorer.")
    ] = 5,
    threshold: Annotated[float, typer.Option(min=0, max=1)] = 0.5,
    as_json: JsonOption = False,
) -> None:
    """Match two catalogues and score against gold pairs: P/R/F1, blocking PC/RR, time."""
    from shopsense.catalog.matching.blocking import BlockingConfig
    from shopsense.evaluation.dedup import DedupEvalOptions, evaluate_dedup

    options = DedupEvalOptions(
        read=IngestOptions(mapping=tuple(mapping or ()), sep=_unescape(sep)),
        blocking=BlockingConfig(k=k, minhash=minhash),
        folds=folds,
        threshold=threshold,
    )
    report = evaluate_dedup(left, right, gold, options)
    if as_json:
        emit_json(report.to_dict())
        return
    echo(
        f"{report.left_rows} × {report.right_rows} offers, {report.gold_pairs} gold pairs, "
        f"{report.candidates} candidates: PC {report.pair_completeness:.4f}, "
        f"RR {report.reduction_ratio:.4f}"
    )
    for name, s, g in (
        ("rule", report.rule, report.rule_on_gold_offers),
        ("learned", report.learned, report.learned_on_gold_offers),
    ):
        if s is not None and g is not None:
            echo(
                f"  {name:8} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}   "
                f"(on offers with a gold pair: P {g.precision:.3f}  F1 {g.f1:.3f})"
            )
    echo(f"  {report.seconds['total']:.1f} s")
