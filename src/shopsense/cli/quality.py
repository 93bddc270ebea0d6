"""CLI: the quality gate's second pass, the quality report, the dedup evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopsense.catalog.ingest import IngestOptions
from shopsense.catalog.matching.blocking import BlockingConfig
from shopsense.catalog.quality.report_html import render_html
from shopsense.cli.common import DbOption, JsonOption, echo, emit_json, services, unescape_sep
from shopsense.evaluation.dedup import DedupEvalOptions, evaluate_dedup

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


LeftOption = Annotated[Path, typer.Option("--left", help="Left catalogue file (shop A).")]
RightOption = Annotated[Path, typer.Option("--right", help="Right catalogue file (shop B).")]
GoldOption = Annotated[
    Path, typer.Option("--gold", help="Gold pairs: left id, right id; header line.")
]
SepOption = Annotated[str | None, typer.Option("--sep", help="Field separator of all three.")]
MapOption = Annotated[
    list[str] | None, typer.Option("--map", help="field=column for both catalogues.")
]
KOption = Annotated[int, typer.Option(min=1, max=200, help="TF-IDF neighbours per offer.")]
MinhashOption = Annotated[bool, typer.Option("--minhash", help="Add MinHash-LSH candidates.")]
FoldsOption = Annotated[
    int, typer.Option(min=0, max=20, help="k-fold (by left offer) for the learned scorer.")
]


def _dedup_options(
    sep: str | None, mapping: list[str] | None, k: int, minhash: bool, folds: int, threshold: float
) -> DedupEvalOptions:
    return DedupEvalOptions(
        read=IngestOptions(mapping=tuple(mapping or ()), sep=unescape_sep(sep)),
        blocking=BlockingConfig(k=k, minhash=minhash),
        folds=folds,
        threshold=threshold,
    )


def train_dedup(
    left: LeftOption,
    right: RightOption,
    gold: GoldOption,
    sep: SepOption = None,
    mapping: MapOption = None,
    k: KOption = 20,
    minhash: MinhashOption = False,
    folds: FoldsOption = 5,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Learn the duplicate pair scorer from two catalogues and their gold pairs and store it
    as a new version; `shopsense quality check` then uses it instead of the rule."""
    options = _dedup_options(sep, mapping, k, minhash, folds, 0.5)
    with services(db) as svc:
        trained = svc.train_dedup(left, right, gold, options)
    if as_json:
        emit_json(trained)
        return
    oof = trained.meta["out_of_fold"]
    echo(
        f"stored pair scorer v{trained.version}: {trained.meta['pairs']} labelled pairs "
        f"({trained.meta['positives']} matches), threshold {trained.threshold:.2f}, "
        f"out-of-fold P {oof['precision']:.3f} R {oof['recall']:.3f} F1 {oof['f1']:.3f}"
    )


def eval_dedup(
    left: LeftOption,
    right: RightOption,
    gold: GoldOption,
    sep: SepOption = None,
    mapping: MapOption = None,
    k: KOption = 20,
    minhash: MinhashOption = False,
    folds: FoldsOption = 5,
    threshold: Annotated[float, typer.Option(min=0, max=1)] = 0.5,
    as_json: JsonOption = False,
) -> None:
    """Match two catalogues and score against gold pairs: P/R/F1, blocking PC/RR, time."""
    options = _dedup_options(sep, mapping, k, minhash, folds, threshold)
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
