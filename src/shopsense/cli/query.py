"""CLI: ``shopsense parse``, ``shopsense train intent``, ``shopsense eval intent``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from shopsense.cli.common import DbOption, JsonOption, echo, emit_json, services
from shopsense.core.errors import InputError
from shopsense.evaluation.labelled_data import Labelled, read_labelled

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
    typer.Option(
        min=1, help="Most fine-tuning epochs of MiniLM (the count is chosen on held-out rows)."
    ),
]
Threshold = Annotated[
    float,
    typer.Option(
        min=0.0,
        max=1.0,
        help="Abstain ('unknown') below this probability, in [0, 1]. Stored with the model "
        "and used when it serves, unless SHOPSENSE_INTENT_THRESHOLD is set.",
    ),
]
Refit = Annotated[
    bool, typer.Option("--refit/--no-refit", help="Refit on all rows after calibrating.")
]
#: how many labels absent from training the warning names
_NAMED = 5


def _config(components: str, epochs: int, threshold: float, refit: bool) -> IntentConfig:
    from shopsense.models.minilm_finetune import FineTuneConfig
    from shopsense.query.intent import COMPONENTS, IntentConfig

    names = tuple(c.strip() for c in components.split(",") if c.strip())
    if not names:
        raise InputError(f"--components: give at least one of {', '.join(COMPONENTS)}")
    if not 0.0 <= threshold <= 1.0:  # typer's range lets nan through
        raise InputError(f"--threshold must be a number within [0, 1], got {threshold}")
    return IntentConfig(
        components=names,
        threshold=threshold,
        refit=refit,
        finetune=FineTuneConfig(epochs=epochs),
    )


def _warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)


def _unseen_labels(train: Labelled, test: Labelled) -> dict[str, Any] | None:
    """Test rows whose label never occurs in training (they can only be scored wrong)."""
    known = set(train.labels)
    unseen = Counter(label for label in test.labels if label not in known)
    if not unseen:
        return None
    rows = sum(unseen.values())
    named = [label for label, _ in unseen.most_common(_NAMED)]
    more = f" and {len(unseen) - len(named)} more" if len(unseen) > len(named) else ""
    message = (
        f"{rows} of {test.used} test rows have labels absent from training: "
        f"{', '.join(named)}{more}"
    )
    return {"rows": rows, "of": test.used, "labels": named, "message": message}


def _check_folds(data: Labelled, folds: int, group_col: str | None, path: Path) -> None:
    """Every fold must hold out at least one row (group): checked before any fitting."""
    if group_col is not None and data.groups is not None:
        units, what = len(set(data.groups)), f"distinct --group-col {group_col} values"
    else:
        units, what = data.used, "usable rows"
    if folds > units:
        raise InputError(
            f"--folds {folds} needs at least {folds} {what}; {path} has {units} ({data.summary()})"
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
        top = ", ".join(f"{g.category} {g.probability:.2f}" for g in parsed.intent.top) or "none"
        verdict = "abstains" if parsed.intent.abstained else parsed.intent.category
        lines.append(f"intent: {verdict} (top: {top})")
    return lines or ["no filters, no corrections"]


def parse(
    query: Annotated[str, typer.Argument(help="The query, e.g. 'red running shoes under 50'.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Parse a query: spelling, attribute filters with spans, synonyms, category intent."""
    with services(db, existing=True) as svc:
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
    rows = read_labelled(data, text_col, label_col)  # checked and counted before training
    if not as_json:
        echo(f"{data}: {rows.summary()}")
    with services(db) as svc:
        version, meta = svc.query.train(rows, config, progress=None if as_json else echo)
        foreign = svc.query.foreign_labels(rows.labels)
    if foreign:
        named = ", ".join(foreign[:_NAMED]) + (" …" if len(foreign) > _NAMED else "")
        _warn(
            f"{len(foreign)} of {len(set(rows.labels))} labels are no category path of the "
            f"store's products ({named}): search --understand neither filters nor ranks by them"
        )
    if as_json:
        emit_json({"version": version, **meta, "data": rows.as_dict(), "foreign_labels": foreign})
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
    folds: Annotated[
        int,
        typer.Option(min=2, help="Folds of the cross-validation (at most the rows or groups)."),
    ] = 5,
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

    say = None if as_json else echo
    config = _config(components, epochs, threshold, refit)
    # read, counted and checked before anything is fitted
    train_rows = read_labelled(train, text_col, label_col, group_col)
    if say:
        say(f"train {train}: {train_rows.summary()}")
    test_rows, unseen = None, None
    if test is None:
        _check_folds(train_rows, folds, group_col, train)
    else:
        if group_col is not None:
            _warn(
                f"--group-col {group_col} is not used: it keeps groups apart in the folds, "
                "and --test gives a split"
            )
        test_rows = read_labelled(test, text_col, label_col)
        if say:
            say(f"test {test}: {test_rows.summary()}")
        if not test_rows.used:
            raise InputError(f"{test}: no test row with a text and a label ({test_rows.summary()})")
        unseen = _unseen_labels(train_rows, test_rows)
        if unseen:
            _warn(unseen["message"])
    scores = evaluate_intent(
        train_rows,
        test_rows,
        folds=folds,
        config=config,
        baseline=baseline,
        progress=say,
    )
    if as_json:
        emit_json(
            {
                "train": train_rows.as_dict(),
                "test": test_rows.as_dict() if test_rows else None,
                "unseen_test_labels": unseen,
                "scores": [s.as_dict() for s in scores],
            }
        )
        return
    echo("model                acc@1  acc@3  macroF1  ECE    abstain  p50ms  p99ms")
    for s in scores:
        echo(
            f"{s.model:<20} {s.accuracy_at_1:.3f}  {s.accuracy_at_3:.3f}  {s.macro_f1:.3f}    "
            f"{s.ece:.3f}  {s.abstention_rate:.3f}    "
            f"{s.latency_p50_ms:.1f}   {s.latency_p99_ms:.1f}"
        )
