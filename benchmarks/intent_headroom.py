"""How far can query → category go on bestbuy_queries? Bounds beside the members' own scores.

    nice -n 10 .venv/bin/python benchmarks/intent_headroom.py \
        [--members char24,minilm_emb,use,usee5mlp]

The folds are benchmarks/intent.py's: 5 folds grouped by user (``group_folds``, seed 0). Rows
(each the mean over folds of a per-fold share of the test queries, as ``cross_validate``
reports accuracy):

- ``unseen class``: test queries whose category never occurs in their training folds. No
  classifier trained on those folds can name it.
- ``text bound``: the most that any function of the query text can score. Texts are compared
  lower-cased with runs of spaces collapsed. For each distinct test text, only as many rows
  can be right as carry its most frequent category among the seen ones.
- ``only-<member>``: each member alone, fitted on the whole training part (no hold-out).
- ``oracle blend``: the best weighting of the members on a 0.25 grid, picked on the test fold
  itself. It bounds what the shipped weighting, picked on a hold-out of the training part,
  can reach with these members. It is not a result.
- ``any member right``: rows where at least one member ranks the right category first.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from _common import report, shared_data
from intent import CACHE, load_vectors, save_vectors
from shopsense.evaluation.intent_eval import group_folds
from shopsense.evaluation.labelled_data import read_labelled
from shopsense.models.bag_mlp import BagMLPConfig
from shopsense.query.intent import IntentConfig, _weight_grid, train_intent

COLUMNS = ["model", "accuracy_at_1", "per_fold"]


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def text_bound(texts: Sequence[str], labels: Sequence[str], seen: set[str]) -> int:
    """Rows that a function of the text alone can get right, at best."""
    by_text: dict[str, Counter[str]] = defaultdict(Counter)
    for text, label in zip(texts, labels, strict=True):
        by_text[normalised(text)][label] += 1
    return sum(max((n for c, n in k.items() if c in seen), default=0) for k in by_text.values())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", default="char24,minilm_emb,use,usee5mlp")
    args = ap.parse_args()
    members = args.members.split(",")
    d = read_labelled(
        shared_data() / "bestbuy_queries" / "train_clean.csv", "query", "category", "user"
    )
    texts, labels = list(d.texts), list(d.labels)
    memo: dict[str, dict[str, Any]] = {}
    load_vectors(memo, "bestbuy")
    config = IntentConfig(
        calibrate=False,
        encoder_cache=CACHE,
        memo=memo,
        bag=BagMLPConfig(threads=1),
        vector_mlp=replace(IntentConfig().vector_mlp, threads=1),
    )
    shares: dict[str, list[float]] = defaultdict(list)
    for f, (tr, te) in enumerate(group_folds(d.groups, 5, 0)):
        train_labels = [labels[i] for i in tr]
        test_texts, test_labels = [texts[i] for i in te], [labels[i] for i in te]
        seen = set(train_labels)
        shares["unseen class"].append(float(np.mean([c not in seen for c in test_labels])))
        shares["text bound"].append(text_bound(test_texts, test_labels, seen) / len(te))
        index = {c: i for i, c in enumerate(sorted(seen))}  # the models' label order
        y = np.asarray([index.get(c, -1) for c in test_labels])
        scores: dict[str, npt.NDArray[np.float64]] = {}
        for m in members:
            model = train_intent(
                [texts[i] for i in tr], train_labels, replace(config, components=(m,))
            )
            assert model.labels == sorted(seen)
            scores[m] = np.nan_to_num(model.scores(test_texts), neginf=-1e4)
        right = {m: s.argmax(axis=1) == y for m, s in scores.items()}
        for m in members:
            shares[f"only-{m}"].append(float(right[m].mean()))
        blends = (sum(w[m] * scores[m] for m in members) for w in _weight_grid(members))
        shares["oracle blend"].append(max(float(np.mean(b.argmax(axis=1) == y)) for b in blends))
        shares["any member right"].append(float(np.any(list(right.values()), axis=0).mean()))
        print(
            f"fold {f + 1}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in shares.items()),
            file=sys.stderr,
            flush=True,
        )
    save_vectors(memo, "bestbuy")
    rows = [
        {
            "model": name,
            "accuracy_at_1": float(np.mean(v)),
            "per_fold": " ".join(f"{x:.3f}" for x in v),
        }
        for name, v in shares.items()
    ]
    report("intent-headroom-bestbuy", rows, COLUMNS)


if __name__ == "__main__":
    main()
