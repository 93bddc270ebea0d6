"""Known-item search on entity_matching (Abt→Buy, Walmart→Amazon): shopsense modes vs bm25s and USE.

Query = a product title from one shop; answer = the matching product in the other
shop's catalogue. LTR is trained on one set and tested on the other (never on
its own queries). Stores and embeddings are cached under /tmp/shopsense-bench-search
so a re-run encodes nothing.

    nice -n 19 .venv/bin/python benchmarks/search_known_item.py [--folds 3]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from _common import report, shared_data
from shopsense.app.search_eval import cross_validated_runs, ranked_offline, score_mode
from shopsense.app.search_wiring import search_synonyms
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.evaluation.datasets import SearchSet
from shopsense.evaluation.metrics import summarise
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.ranking.pipeline import SearchPipeline
from shopsense.ranking.rankers import LinearRanker
from shopsense.ranking.training import JudgedQuery, fit_ranker, judged_candidates
from shopsense.retrieval.fusion import rrf
from shopsense.retrieval.index_sync import SearchIndex
from shopsense.storage.engine import open_store

CACHE = Path("/tmp/shopsense-bench-search")
SETS = {
    "abt-buy": ("D2", "abt.csv", "buy.csv", "name", ("title=name",)),
    "walmart-amazon": ("D8", "walmart.csv", "amazon.csv", "title", ()),
}


class CachedEncoder:
    """The sentence encoder with a disk cache of every text it encoded (query vectors
    cost ~100 ms each on this machine; a re-run should not pay them again)."""

    def __init__(self, inner: MultilingualUSE, path: Path) -> None:
        self.inner, self.path = inner, path
        self.name, self.dim = inner.name, inner.dim
        self._memo: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as z:
                self._memo = dict(zip(z["texts"].tolist(), z["vectors"], strict=True))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if missing:
            for t, v in zip(missing, self.inner.encode(missing), strict=True):
                self._memo[t] = v
            self.save()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.vstack([self._memo[t] for t in texts]).astype(np.float32)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        texts = list(self._memo)
        np.savez(tmp, texts=np.asarray(texts), vectors=np.vstack([self._memo[t] for t in texts]))
        tmp.replace(self.path)


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
    name: str, encoder: CachedEncoder, builtin_synonyms: bool = True
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
    synonyms = search_synonyms(None, builtin_synonyms)  # as `shopsense serve` searches
    return SearchPipeline(index, synonyms=synonyms), data, catalog, time.perf_counter() - t0


def baselines(
    name: str,
    pipe: SearchPipeline,
    data: SearchSet,
    catalog: list[dict[str, str]],
    encoder: CachedEncoder,
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
        use[q] = [table.ids[r] for r in table.rows(exact.keys).tolist()]
        ann[q] = [table.ids[r] for r in table.rows(approx.keys).tolist()]
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


FUSION_WEIGHTS = [round(0.1 * i, 1) for i in range(11)]
LATENCY_QUERIES = 200


def weighted_fusion(w: float) -> LinearRanker:
    """``w · minmax(BM25) + (1 − w) · minmax(dense)`` over the candidates."""
    return LinearRanker({"bm25_norm": w, "dense_norm": 1.0 - w}, name=f"weighted w={w}")


def tune_fusion(pipe: SearchPipeline, judged: list[JudgedQuery], data: SearchSet) -> float:
    """The BM25 weight of weighted fusion with the best MRR@10 on ``judged`` (another set)."""
    score = {
        w: summarise(ranked_offline(pipe, judged, weighted_fusion(w)), data.qrels)["mrr@10"]
        for w in FUSION_WEIGHTS
    }
    return max(FUSION_WEIGHTS, key=lambda w: (score[w], -abs(w - 0.5)))


def offline_row(
    name: str, label: str, runs: dict[str, list[str]], data: SearchSet
) -> dict[str, object]:
    return {"set": name, "mode": label, **summarise(runs, data.qrels)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--folds", type=int, default=3, help="k of the k-fold-by-query ltr row (0: skip)"
    )
    parser.add_argument(
        "--no-builtin-synonyms",
        action="store_true",
        help="search without the built-in synonym groups (SHOPSENSE_SYNONYMS_BUILTIN=false)",
    )
    args = parser.parse_args()
    encoder = CachedEncoder(MultilingualUSE(), CACHE / "query-vectors.npz")
    encoder.encode([t for name in SETS for t in load_set(name)[2].queries.values()])
    opened = {name: open_set(name, encoder, not args.no_builtin_synonyms) for name in SETS}
    print("opened", time.strftime("%H:%M:%S"), file=sys.stderr, flush=True)
    # candidates + features of every query, computed once per set (what hybrid and ltr rank)
    judged = {
        name: judged_candidates(pipe, data.queries, data.qrels, 100)
        for name, (pipe, data, _, _) in opened.items()
    }
    print("judged", time.strftime("%H:%M:%S"), file=sys.stderr, flush=True)
    rows: list[dict[str, object]] = []
    for name, (pipe, data, catalog, seconds) in opened.items():
        data.write(CACHE / name)  # queries.tsv + qrels.txt for `shopsense eval search`
        other = next(n for n in SETS if n != name)
        opipe, odata, _, _ = opened[other]
        rows.append({"set": name, "mode": "index open/build s", "p50_ms": seconds * 1000})
        rows.extend(baselines(name, pipe, data, catalog, encoder))
        for mode in ("bm25", "dense"):
            rows.append({"set": name, **score_mode(pipe, data, mode)})
        j = judged[name]
        rows.append(
            offline_row(
                name,
                "hybrid (linear ranker, no model)",
                ranked_offline(pipe, j, LinearRanker()),
                data,
            )
        )
        rows.append(
            offline_row(
                name, "RRF (k=60)", ranked_offline(pipe, j, LinearRanker({"rrf": 1.0}, "rrf")), data
            )
        )
        w = tune_fusion(opipe, judged[other], odata)
        rows.append(
            offline_row(
                name,
                f"weighted fusion w_bm25={w} (tuned on {other})",
                ranked_offline(pipe, j, weighted_fusion(w)),
                data,
            )
        )
        model = fit_ranker(judged[other])
        assert model is not None
        rows.append(
            offline_row(name, f"ltr (trained on {other})", ranked_offline(pipe, j, model), data)
        )
        if args.folds:
            cv = cross_validated_runs(pipe, j, folds=args.folds, extra=judged[other])
            label = f"ltr ({args.folds}-fold by query, + {other} queries)"
            rows.append(offline_row(name, label, cv, data))
        print(name, "ranked", time.strftime("%H:%M:%S"), file=sys.stderr, flush=True)
        # latency of the full pipeline on a sample (the ranking figures above are exact)
        sample = SearchSet(dict(list(data.queries.items())[:LATENCY_QUERIES]), data.qrels)
        rows.append(
            {
                "set": name,
                **score_mode(pipe, sample, "hybrid", f"hybrid latency ({LATENCY_QUERIES} q)"),
            }
        )
        pipe.learned = model
        rows.append(
            {"set": name, **score_mode(pipe, sample, "ltr", f"ltr latency ({LATENCY_QUERIES} q)")}
        )
        pipe.learned = None
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
