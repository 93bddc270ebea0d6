"""Search with and without query understanding, same index, same queries, same run.

    .venv/bin/python benchmarks/search_understanding.py [--components tfidf,minilm_emb]

- **filtered queries** (Myntra sample catalogue): one query per (colour, article type,
  gender) present in the catalogue, spelt ``"<colour> <article type> for <gender>"``;
  graded qrels: a product of the article type gets 1, +1 for the colour, +1 for the
  gender. The intent model is trained on weak labels only (the catalogue's own titles →
  their category path), so no query is hand-labelled. The catalogue's ``baseColour``
  column is written as ``colour`` (the attribute name the parser's filters use).
- **known item** (Abt→Buy and Walmart→Amazon, as benchmarks/search_known_item.py): a
  title from one shop must find the same product in the other's catalogue. Neither
  catalogue has categories, so the parse gives spelling, brand, price and colour but no
  intent. Buy records no brands; Amazon records them (22k offers, many brands of them
  common words), so Walmart→Amazon is where the parse's brands are tested.

Lexical mode (``bm25``: BM25F + features) for both arms, so no sentence vectors are
needed; stores are cached under /tmp/shopsense-bench-qu.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from _common import report, shared_data
from intent import CACHE as MODEL_CACHE
from search_known_item import load_set
from shopsense.app.search import SearchRequest, SearchService
from shopsense.app.search_wiring import search_synonyms
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.catalog.store import ProductStore
from shopsense.evaluation.metrics import summarise
from shopsense.labeling.weak_intent import labels_from_titles
from shopsense.query.build import understanding_for
from shopsense.query.intent import IntentConfig, IntentModel, train_intent
from shopsense.ranking.pipeline import SearchPipeline
from shopsense.retrieval.expansion import Synonyms
from shopsense.retrieval.index_sync import SearchIndex
from shopsense.storage.engine import open_store

CACHE = Path("/tmp/shopsense-bench-qu")
SYNONYMS: Synonyms | None = None  # as `shopsense serve` searches (main sets it)
COLUMNS = ["set", "arm", "ndcg@10", "mrr@10", "recall@10", "p50_ms", "n_queries"]
Qrels = dict[str, dict[str, float]]


def myntra_set(seed: int = 0, n: int = 200) -> tuple[Path, dict[str, str], Qrels]:
    src = shared_data() / "myntra_fashion" / "products_sample.csv"
    with src.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("productDisplayName")]
    out = CACHE / "myntra" / "catalog.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    cols = ["id", "title", "brand", "master", "sub", "article", "colour", "gender", "price"]
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for r in rows:
            w.writerow(
                [r["id"], r["productDisplayName"], r["brandName"], r["masterCategory"],
                 r["subCategory"], r["articleType"], r["baseColour"], r["gender"], r["price"]]
            )  # fmt: skip
    combos = sorted(
        {(r["baseColour"], r["articleType"], r["gender"]) for r in rows if r["baseColour"]}
    )
    rng = np.random.default_rng(seed)
    picked = [
        combos[i] for i in sorted(rng.choice(len(combos), min(n, len(combos)), replace=False))
    ]
    queries, qrels = {}, {}
    for k, (colour, article, gender) in enumerate(picked):
        qid = f"q{k}"
        queries[qid] = f"{colour.lower()} {article.lower()} for {gender.lower()}"
        judged = {}
        for r in rows:
            if r["articleType"] == article:
                judged[r["id"]] = 1.0 + (r["baseColour"] == colour) + (r["gender"] == gender)
        qrels[qid] = judged
    return out, queries, qrels


def run_arms(
    service: SearchService, queries: dict[str, str], qrels: Qrels, name: str
) -> list[dict[str, object]]:
    rows = []
    for arm, understand in (("without understanding", False), ("with understanding", True)):
        runs, took = {}, []
        for qid, text in queries.items():
            t0 = time.perf_counter()
            res = service.search(
                SearchRequest(query=text, size=100, mode="bm25", understand=understand)
            )
            took.append(time.perf_counter() - t0)
            runs[qid] = [h.product.id for h in res.hits]
        rows.append(
            {"set": name, "arm": arm, **summarise(runs, qrels),
             "p50_ms": float(np.percentile(took, 50) * 1000), "n_queries": len(queries)}
        )  # fmt: skip
    return rows


def service_for(
    name: str, path: Path, options: IngestOptions, intent: Callable[[list], IntentModel] | None
) -> SearchService:
    engine = open_store(str(CACHE / name / "store.db"))
    ingest_file(engine, path, options)
    store = ProductStore(engine)
    products = list(store.iter_all())
    model = intent(products) if intent else None
    qu = understanding_for(products, intent=model)
    index = SearchIndex.open(engine, CACHE / name / "index")
    return SearchService(SearchPipeline(index, synonyms=SYNONYMS), store, understand=qu.parse)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--components", default="tfidf,minilm_emb")
    ap.add_argument(
        "--no-builtin-synonyms",
        action="store_true",
        help="search without the built-in synonym groups (SHOPSENSE_SYNONYMS_BUILTIN=false)",
    )
    args = ap.parse_args()
    global SYNONYMS
    SYNONYMS = search_synonyms(None, not args.no_builtin_synonyms)
    config = IntentConfig(components=tuple(args.components.split(",")), encoder_cache=MODEL_CACHE)

    def weak_intent(products: list) -> IntentModel:  # type: ignore[type-arg]
        pairs = labels_from_titles(products)
        print(f"intent: {len(pairs)} weak labels", file=sys.stderr, flush=True)
        return train_intent([t for t, _ in pairs], [c for _, c in pairs], config)

    path, queries, qrels = myntra_set()
    options = IngestOptions(mapping=("category=master/sub/article",), source="myntra")
    rows = run_arms(
        service_for("myntra", path, options, weak_intent), queries, qrels, "myntra filtered"
    )
    for name, label in (("abt-buy", "abt→buy"), ("walmart-amazon", "walmart→amazon")):
        path, options, data, _ = load_set(name)
        # load_set's qrels name products "<set>-<id>"; this store keeps the plain ids
        qrels = {
            q: {p.removeprefix(f"{name}-"): g for p, g in j.items()}
            for q, j in data.qrels.items()
        }
        rows += run_arms(
            service_for(name, path, options, None), data.queries, qrels, f"{label} known item"
        )
    report("search-understanding", rows, COLUMNS)


if __name__ == "__main__":
    main()
