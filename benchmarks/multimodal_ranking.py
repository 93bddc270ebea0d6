"""Issue #8: does the photo-fit feature (text → image cosine) help the search ranker?

Catalogue: the 2,500 Myntra products with real photos, ingested *without* the
label columns (masterCategory, subCategory, articleType, baseColour, usage, season),
so a product is found by its title, brand and description only. Two catalogues:

- ``full``: titles and descriptions as written;
- ``poor``: for a random half of the products (seed 0) the title is cut to
  "brand gender" and the description dropped — text-poor products whose photo is
  the only evidence of what they are.

Queries: "<baseColour> <articleType>" (lower case) for every pair with ≥ 3
products; relevant = the products of that pair (grade 1). Text-poor queries: the
shop's own category words, which titles often spell differently ("T-shirt" vs
"Tshirts").

Side by side, same queries, same candidates (hybrid pool of 100):
- hybrid, linear ranker without / with ``image_rel`` (its weight chosen on the
  other fold, 2-fold by query);
- ltr (LambdaMART, 2-fold by query) trained without / with the image features;
- image only: text → image over the whole catalogue (``search_by_image``), a peer.

    nice -n 19 .venv/bin/python benchmarks/multimodal_ranking.py [--work DIR]
"""

from __future__ import annotations

import argparse
import csv
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from _common import report, shared_data
from shopsense.app.multimodal import MultimodalService
from shopsense.app.settings import Settings
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.evaluation.metrics import summarise
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.ranking.pipeline import SearchPipeline
from shopsense.ranking.rankers import DEFAULT_WEIGHTS, LinearRanker
from shopsense.ranking.training import train_ranker
from shopsense.retrieval.index_sync import SearchIndex
from shopsense.storage.engine import open_store

LABELS = ("masterCategory", "subCategory", "articleType", "baseColour", "usage", "season")
GRID = (0.0, 0.25, 0.5, 1.0)
POOL = 100


def _catalogue(source: Path, target: Path, poor: bool) -> dict[str, tuple[str, str]]:
    """Write the catalogue without label columns (text-poor half if ``poor``); labels by id."""
    rng = np.random.default_rng(0)
    labels: dict[str, tuple[str, str]] = {}
    with source.open(encoding="utf-8") as f, target.open("w", encoding="utf-8", newline="") as g:
        reader = csv.DictReader(f)
        keep = [c for c in reader.fieldnames or [] if c not in LABELS]
        writer = csv.DictWriter(g, keep)
        writer.writeheader()
        for row in reader:
            labels[row["id"]] = (row["articleType"], row["baseColour"])
            out = {c: row[c] for c in keep}
            out["image_path"] = str(source.parent / row["image_path"])
            if poor and rng.random() < 0.5:
                out["productDisplayName"] = f"{row['brandName']} {row['gender']}"
                out["description_text"] = out["description_html"] = ""
            writer.writerow(out)
    return labels


def _queries(labels: Mapping[str, tuple[str, str]]) -> tuple[dict[str, str], dict[str, dict]]:
    groups: dict[tuple[str, str], list[str]] = {}
    for pid, (kind, colour) in labels.items():
        if kind and colour:
            groups.setdefault((kind, colour), []).append(pid)
    queries, qrels = {}, {}
    for n, ((kind, colour), ids) in enumerate(sorted(groups.items())):
        if len(ids) >= 3:
            queries[f"q{n}"] = f"{colour} {kind}".lower()
            qrels[f"q{n}"] = dict.fromkeys(ids, 1.0)
    return queries, qrels


def _run(pipeline: SearchPipeline, queries: Mapping[str, str], mode: str) -> dict[str, list[str]]:
    ids = pipeline.index.table.ids
    return {
        q: [ids[int(r)] for r in pipeline.run(t, mode, None, POOL).rows] for q, t in queries.items()
    }


def _folds(queries: Mapping[str, str]) -> list[tuple[dict[str, str], dict[str, str]]]:
    qids = sorted(queries)
    out = []
    for f in range(2):
        test = {q: queries[q] for i, q in enumerate(qids) if i % 2 == f}
        train = {q: queries[q] for i, q in enumerate(qids) if i % 2 != f}
        out.append((train, test))
    return out


def _linear(w: float) -> LinearRanker:
    return LinearRanker({**DEFAULT_WEIGHTS, "image_rel": w})


def _cv(
    pipeline: SearchPipeline,
    queries: Mapping[str, str],
    qrels: Mapping[str, dict[str, float]],
    fit: Callable[[dict[str, str]], None],
    mode: str,
) -> dict[str, list[str]]:
    runs: dict[str, list[str]] = {}
    for train, test in _folds(queries):
        fit(train)
        runs.update(_run(pipeline, test, mode))
    return runs


def _condition(name: str, folder: Path, work: Path) -> list[dict[str, Any]]:
    settings = Settings(db=str(work / "store.db"), data_dir=work)
    catalogue = work / "catalogue.csv"
    labels = _catalogue(folder / "products_sample.csv", catalogue, poor=name == "poor")
    engine = open_store(settings.db)
    ingest_file(engine, catalogue, IngestOptions(source=name))
    service = MultimodalService(engine, settings)
    service.embed()
    pipeline = SearchPipeline(SearchIndex.open(engine, work / "index", MultilingualUSE()))
    queries, qrels = _queries(labels)
    rows: list[dict[str, Any]] = []

    def row(label: str, runs: dict[str, list[str]]) -> None:
        rows.append({"catalogue": name, "ranking": label, **summarise(runs, qrels)})

    row("hybrid, linear, no image feature", _run(pipeline, queries, "hybrid"))
    pipeline.images = service.image_cosines
    chosen: list[float] = []

    def pick(train: dict[str, str]) -> None:
        def ndcg(w: float) -> float:
            pipeline.linear = _linear(w)
            return summarise(_run(pipeline, train, "hybrid"), qrels)["ndcg@10"]

        best = max(GRID, key=ndcg)
        chosen.append(best)
        pipeline.linear = _linear(best)

    row(
        "hybrid, linear + image_rel (weight by 2-fold CV)",
        _cv(pipeline, queries, qrels, pick, "hybrid"),
    )
    rows[-1]["note"] = f"weights chosen {chosen}"
    pipeline.linear = LinearRanker()
    for label, scorer in (("without", None), ("with", service.image_cosines)):
        pipeline.images = scorer

        def learn(train: dict[str, str]) -> None:
            pipeline.learned = train_ranker(pipeline, train, qrels, POOL)

        row(f"ltr (2-fold CV), {label} image features", _cv(pipeline, queries, qrels, learn, "ltr"))
    encoder, index = pipeline.index.encoder, service.index()
    assert encoder is not None
    image_only = {
        q: [h.product_id for h in index.search_by_image(encoder.encode([t])[0], POOL)]
        for q, t in queries.items()
    }
    row("image only: text → image over the catalogue (peer)", image_only)
    pipeline.index.lexical.commit()
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path("/tmp/shopsense-bench-mmrank"))
    parser.add_argument(
        "--from-store", type=Path, help="a store whose Myntra image features to reuse"
    )
    parser.add_argument("--only", choices=("full", "poor"), help="one catalogue only")
    args = parser.parse_args()
    folder = shared_data() / "myntra_fashion"
    rows: list[dict[str, Any]] = []
    seed = args.from_store
    for name in [args.only] if args.only else ["full", "poor"]:
        work = args.work / name
        work.mkdir(parents=True, exist_ok=True)
        if seed is not None and not (work / "store.db").exists():
            shutil.copy(seed, work / "store.db")  # image features are keyed by file hash
        rows.extend(_condition(name, folder, work))
        seed = work / "store.db"
    for r in rows:
        for k in ("ndcg@10", "mrr@10", "recall@10", "recall@100"):
            r[k] = round(r[k], 4)
    report(
        "multimodal_ranking",
        rows,
        ["catalogue", "ranking", "queries", "ndcg@10", "recall@10", "recall@100"],
    )


if __name__ == "__main__":
    main()
