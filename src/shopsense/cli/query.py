"""CLI: ``shopsense parse``, ``shopsense train intent``, ``shopsense eval intent``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shopsense.cli.common import DbOption, JsonOption, echo, emit_json, services

if TYPE_CHECKING:
    from shopsense.query.intent import IntentConfig
    from shopsense.query.types import ParsedQuery

TextCol = Annotated[str, typer.Option("--text-col", help="Column holding the query text.")]
LabelCol = Annotated[str, typer.Option("--label-col", help="Column holding the category label.")]
Components = Annotated[
    str,
    typer.Option(
        help="Comma-separated: tfidf (char+word TF-IDF SVM), minilm (fine-tuned MiniLM), "
        "minilm_emb (softmax head on the frozen MiniLM), use (head on the multilingual USE)."
    ),
]
Epochs = Annotated[
    int,
    typer.Option(help="Most fine-tuning epochs of MiniLM (the count is chosen on held-out rows)."),
]
Threshold = Annotated[float, typer.Option(help="Abstain ('unknown') below this probability.")]
Refit = Annotated[
    bool, typer.Option("--refit/--no-refit", help="Refit on all rows after calibrating.")
]


def _config(components: str, epochs: int, threshold: float, refit: bool) -> IntentConfig:
    from shopsense.models.minilm_finetune import FineTuneConfig
    from shopsense.query.intent import IntentConfig

    names = tuple(c.strip() for c in components.split(",") if c.strip())
    return IntentConfig(
        components=names,
        threshold=threshold,
        refit=refit,
        finetune=FineTuneConfig(epochs=epochs),
    )


def describe(parsed: ParsedQuery) -> list[str]:
    """Human-readable lines of a parse (also used by the demo)."""
    lines = []
    if parsed.corrections:
        fixes = ", ".join(f"{c.original}→{c.corrected}" for c in parsed.corrections)
        lines.append(f"corrected: {parsed.corrected!r} ({fixes})")
    for f in parsed.filters:
        lines.append(f"read {f.field}={f.value} from {f.text!r} {f.span} conf {f.confidence:.2f}")
    if parsed.synonyms:
        syn = "; ".join(f"{k}: {', '.join(v)}" for k, v in parsed.synonyms.items())
        lines.append(f"synonyms: {syn}")
    if parsed.intent is not None:
        top = ", ".join(f"{g.category} {g.probability:.2f}" for g in parsed.intent.top)
        verdict = "abstains" if parsed.intent.abstained else parsed.intent.category
        lines.append(f"intent: {verdict} (top: {top})")
    return lines or ["no filters, no corrections"]


def parse(
    query: Annotated[str, typer.Argument(help="The query, e.g. 'red running shoes under 50'.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Parse a query: spelling, attribute filters with spans, synonyms, category intent."""
    with services(db) as svc:
        parsed = svc.query.parse(query)
    if as_json:
        emit_json(parsed)
        return
    echo(f"query {query!r}")
    for line in describe(parsed):
        echo(f"  {line}")


def train_intent(
    data: Annotated[Path, typer.Option("--data", help="CSV/TSV (or .zip) of labelled queries.")],
    text_col: TextCol,
    label_col: LabelCol,
    components: Components = "tfidf,minilm",
    epochs: Epochs = 5,
    threshold: Threshold = 0.3,
    refit: Refit = True,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train the query → category model and store it as a new version."""
    config = _config(components, epochs, threshold, refit)
    with services(db) as svc:
        version, meta = svc.query.train(
            data, text_col, label_col, config, progress=None if as_json else echo
        )
    if as_json:
        emit_json({"version": version, **meta})
    else:
        echo(f"stored intent model version {version}: {meta}")


def eval_intent(
    train: Annotated[Path, typer.Option("--train", help="Training CSV/TSV (or .zip).")],
    text_col: TextCol,
    label_col: LabelCol,
    test: Annotated[
        Path | None, typer.Option("--test", help="Test file; without it, K-fold CV on --train.")
    ] = None,
    group_col: Annotated[
        str | None, typer.Option("--group-col", help="Keep each group in one fold (e.g. user).")
    ] = None,
    folds: Annotated[int, typer.Option(help="Folds of the cross-validation.")] = 5,
    baseline: Annotated[
        str, typer.Option(help="TF-IDF + LR baseline: char (2–4-grams) or words (tokenizer).")
    ] = "char",
    components: Components = "tfidf,minilm",
    epochs: Epochs = 5,
    threshold: Threshold = 0.3,
    refit: Refit = True,
    as_json: JsonOption = False,
) -> None:
    """Accuracy@1/@3, macro-F1, ECE, abstention, latency: shopsense beside the baseline."""
    from shopsense.app.query_service import evaluate_intent

    scores = evaluate_intent(
        train,
        test,
        text_col,
        label_col,
        group_col=group_col,
        folds=folds,
        config=_config(components, epochs, threshold, refit),
        baseline=baseline,
        progress=None if as_json else echo,
    )
    if as_json:
        emit_json([s.as_dict() for s in scores])
        return
    echo("model                acc@1  acc@3  macroF1  ECE    abstain  p50ms  p99ms")
    for s in scores:
        echo(
            f"{s.model:<20} {s.accuracy_at_1:.3f}  {s.accuracy_at_3:.3f}  {s.macro_f1:.3f}    "
            f"{s.ece:.3f}  {s.abstention_rate:.3f}    "
            f"{s.latency_p50_ms:.1f}   {s.latency_p99_ms:.1f}"
        )
