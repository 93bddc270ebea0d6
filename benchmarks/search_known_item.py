"""Known-item search on entity_matching (Abt→Buy, Walmart→Amazon): shopsense modes vs bm25s and USE.

Query = a product title from one shop; answer = the matching product in the other
shop's catalogue. LTR is trained on one set and tested on the other (never on
its own queries). Stores and embeddings are cached under /tmp/shopsense-bench-search
so a re-run encodes nothing.

    .venv/bin/python benchmarks/search_known_item.py
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import bm25s
import numpy as np

from _common import report, shared_data
from shopsense.app.search_eval import score_mode
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.evaluation.datasets import SearchSet
from shopsense.evaluation.metrics import summarise
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.ranking.pipeline import SearchPipeline
from shopsense.ranking.training import train_ranker
from shopsense.retrieval.fusion import rrf
from shopsense.retrieval.index_sync import SearchIndex
from shopsense.storage.engine import open_store

CACHE = Path("/tmp/shopsense-bench-search")
SETS = {
    "abt-buy": ("D2", "abt.csv", "buy.csv", "name", ("title=name",)),
    "walmart-amazon": ("D8", "walmart.csv", "amazon.csv", "title", ()),
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="|"))


def load_set(name: str) -> tuple[Path, IngestOptions, SearchSet, list[dict[str, str]]]:
    folder, left, right, title_col, mapping = SETS[name]
    base = shared_data() / "entity_matching" / folder
    queries_rows = {r["id"]: r for r in _rows(base / left)}
    catalog = _rows(base / right)
    queries, qrels = {}, {}
    for g in _rows(base / "gt.csv"):
        q = queries_rows[g["D1"]]
        queries[g["D1"]] = q[title_col]
        qrels.setdefault(g["D1"], {})[f"{name}-{g['D2']}"] = 1.0
    options = IngestOptions(mapping=(*mapping, "id=id"), sep="|", source=name)
    return base / right, options, SearchSet(queries, qrels), catalog


def open_set(
    name: str, encoder: MultilingualUSE
) -> tuple[SearchPipeline, SearchSet, list[dict[str, str]], float]:
    path, options, data, catalog = load_set(name)
    work = CACHE / name
    engine = open_store(str(work / "store.db"))
    # prefix ids with the set name so both catalogues could share one store
    prefixed = work / f"{name}.csv"
    if not prefixed.exists():
        work.mkdir(parents=True, exist_ok=True)
        with (
            path.open(encoding="utf-8", errors="replace", newline="") as src,
            prefixed.open("w", encoding="utf-8", newline="") as dst,
        ):
            reader = csv.DictReader(src, delimiter="|")
            writer = csv.DictWriter(dst, fieldnames=reader.fieldnames or [], delimiter="|")
            writer.writeheader()
            for r in reader:
                r["id"] = f"{name}-{r['id']}"
                writer.writerow(r)
    ingest_file(engine, prefixed, options)
    t0 = time.perf_counter()
    index = SearchIndex.open(engine, work / "index", encoder)
    return SearchPipeline(index), data, catalog, time.perf_counter() - t0


def baselines(
    name: str,
    pipe: SearchPipeline,
    data: SearchSet,
    catalog: list[dict[str, str]],
    encoder: MultilingualUSE,
) -> list[dict[str, object]]:
    """bm25s (title + description, its default tokenizer), USE exact, plain RRF of both."""
    title_col = SETS[name][3]
    ids = [f"{name}-{r['id']}" for r in catalog]
    texts = [f"{r.get(title_col, '')} {r.get('description', '')}" for r in catalog]
    ret = bm25s.BM25()
    ret.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    table = pipe.index.table
    dense = pipe.index.dense
    assert dense is not None
    qids = list(data.queries)
    qtexts = [data.queries[q] for q in qids]
    res, _ = ret.retrieve(
        bm25s.tokenize(qtexts, stopwords="en", show_progress=False), k=100, show_progress=False
    )
    bm = {q: [ids[int(i)] for i in res[n]] for n, q in enumerate(qids)}
    qv = encoder.encode(qtexts)
    use, ann = {}, {}
    recall = []
    for n, q in enumerate(qids):
        exact = dense.search_exact(qv[n], 100)
        approx = dense.search(qv[n], 10)
        recall.append(len(set(exact.keys[:10].tolist()) & set(approx.keys.tolist())) / 10)
        use[q] = [table.ids[table.row_of[int(k)]] for k in exact.keys]
        ann[q] = [table.ids[table.row_of[int(k)]] for k in approx.keys]
    key_of = {pid: i for i, pid in enumerate(ids)}
    fused = {}
    for q in qids:
        scores = rrf(
            [np.asarray([key_of[p] for p in bm[q]]), np.asarray([key_of[p] for p in use[q]])]
        )
        fused[q] = [ids[k] for k, _ in sorted(scores.items(), key=lambda kv: -kv[1])[:100]]
    return [
        {"set": name, "mode": "bm25s (baseline)", **summarise(bm, data.qrels)},
        {"set": name, "mode": "USE exact (baseline)", **summarise(use, data.qrels)},
        {"set": name, "mode": "RRF bm25s+USE (baseline)", **summarise(fused, data.qrels)},
        {"set": name, "mode": "hnsw recall@10 vs exact", "recall@10": float(np.mean(recall))},
    ]


def main() -> None:
    encoder = MultilingualUSE()
    opened = {name: open_set(name, encoder) for name in SETS}
    rows: list[dict[str, object]] = []
    for name, (pipe, data, catalog, seconds) in opened.items():
        rows.append({"set": name, "mode": "index open/build s", "p50_ms": seconds * 1000})
        rows.extend(baselines(name, pipe, data, catalog, encoder))
        for mode in ("bm25", "dense", "hybrid"):
            rows.append({"set": name, **score_mode(pipe, data, mode)})
        other = next(n for n in SETS if n != name)
        opipe, odata, _, _ = opened[other]
        pipe.learned = train_ranker(opipe, odata.queries, odata.qrels)
        rows.append({"set": name, **score_mode(pipe, data, "ltr", f"ltr (trained on {other})")})
    report(
        "search_known_item",
        rows,
        [
            "set",
            "mode",
            "queries",
            "mrr@10",
            "ndcg@10",
            "recall@10",
            "recall@100",
            "p50_ms",
            "p99_ms",
        ],
    )


if __name__ == "__main__":
    main()
