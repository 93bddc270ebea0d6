"""Learning curve of the intent model: accuracy against the number of hand-labelled
queries, with and without weak labels from the catalogue's own titles.

    .venv/bin/python benchmarks/intent_learning_curve.py [--sizes 0,50,200,800] [--draws 2]
        [--weak-max N]

Label space: Myntra's ``articleType`` (the leaf category). Weak labels: the 44k
``styles.csv`` titles → their own article type (``labeling.weak_intent.labels_from_titles``,
no annotator). Queries: one per (colour, article type, gender) of the catalogue, spelt
``"<colour> <article type> for <gender>"`` — labelled by construction, standing in for
hand-labelled queries since the shared data has no hand-labelled Myntra queries; split
50/50 (seed 0) into a pool the "hand labels" are drawn from and the test set. Every
point is the TF-IDF component (char 1–4 + terms, linear SVM), mean over ``--draws`` draws.
"""

from __future__ import annotations

import argparse
import csv
import io
import zipfile

import numpy as np

from _common import report, shared_data
from shopsense.catalog.schema import Product
from shopsense.labeling.weak_intent import labels_from_titles
from shopsense.query.intent import IntentConfig, train_intent

COLUMNS = ["hand_labels", "acc_hand_only", "acc_hand_plus_weak", "acc3_hand_plus_weak", "n_test"]


def styles() -> list[dict[str, str]]:
    path = shared_data() / "myntra_fashion" / "styles_full.csv.zip"
    with zipfile.ZipFile(path) as z:
        raw = z.read("styles.csv").decode("utf-8")
    rows = csv.reader(io.StringIO(raw))
    head = next(rows)
    # 22 lines carry unquoted commas in the title (the last column): join them back
    return [dict(zip(head, [*r[:9], ",".join(r[9:])], strict=True)) for r in rows if len(r) >= 10]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="0,50,200,800")
    ap.add_argument("--draws", type=int, default=2)
    ap.add_argument("--weak-max", type=int, default=0, help="use at most N weak labels (0: all)")
    args = ap.parse_args()
    rows = [r for r in styles() if r["productDisplayName"].strip() and r["articleType"]]
    products = [
        Product(id=r["id"], title=r["productDisplayName"], category=(r["articleType"],))
        for r in rows
    ]
    weak = labels_from_titles(products, depth=-1)
    if args.weak_max and len(weak) > args.weak_max:
        keep = np.random.default_rng(1).choice(len(weak), args.weak_max, replace=False)
        weak = [weak[i] for i in sorted(keep)]
    combos = sorted(
        {(r["baseColour"], r["articleType"], r["gender"]) for r in rows if r["baseColour"]}
    )
    queries = [(f"{c.lower()} {a.lower()} for {g.lower()}", a) for c, a, g in combos]
    rng = np.random.default_rng(0)
    order = rng.permutation(len(queries))
    pool = [queries[i] for i in order[: len(order) // 2]]
    test = [queries[i] for i in order[len(order) // 2 :]]
    config = IntentConfig(components=("tfidf",), calibrate=False)

    def accuracy(train: list[tuple[str, str]]) -> tuple[float, float]:
        """acc@1 and acc@3 on the test queries."""
        if len({y for _, y in train}) < 2:
            return float("nan"), float("nan")
        model = train_intent([t for t, _ in train], [y for _, y in train], config)
        index = {c: i for i, c in enumerate(model.labels)}
        top = np.argsort(-model.proba([t for t, _ in test]), axis=1)[:, :3]
        gold = [index.get(y, -1) for _, y in test]
        return (
            float(np.mean([g == top[i, 0] for i, g in enumerate(gold)])),
            float(np.mean([g in top[i] for i, g in enumerate(gold)])),
        )

    out = []
    for n in [int(s) for s in args.sizes.split(",")]:
        hand, both, both3 = [], [], []
        for draw in range(args.draws if n else 1):
            pick = np.random.default_rng(draw).choice(len(pool), n, replace=False)
            labelled = [pool[i] for i in pick]
            hand.append(accuracy(labelled)[0])
            at1, at3 = accuracy(labelled + weak)
            both.append(at1)
            both3.append(at3)
        out.append(
            {
                "hand_labels": n,
                "acc_hand_only": float(np.mean(hand)),
                "acc_hand_plus_weak": float(np.mean(both)),
                "acc3_hand_plus_weak": float(np.mean(both3)),
                "n_test": len(test),
                "n_weak": len(weak),
                "n_pool": len(pool),
            }
        )
        print(out[-1], flush=True)
    report("intent-learning-curve", out, COLUMNS)


if __name__ == "__main__":
    main()
