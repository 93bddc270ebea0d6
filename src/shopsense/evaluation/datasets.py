"""Search evaluation sets: TREC qrels, query TSV, and the WANDS and ESCI release files.

A set is queries (id → text) and qrels (query id → product id → integer grade).
Grades: ESCI Exact 3, Substitute 2, Complement 1, Irrelevant 0; WANDS Exact 2,
Partial 1, Irrelevant 0. The catalogue side is ingested by ``shopsense ingest``
with the column maps below (``--map`` values).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from shopsense.core.errors import InputError

ESCI_GRADES = {"E": 3, "S": 2, "C": 1, "I": 0}
WANDS_GRADES = {"Exact": 2, "Partial": 1, "Irrelevant": 0}
ESCI_PRODUCT_MAP = (
    "id=product_id",
    "title=product_title",
    "description=product_description",
    "brand=product_brand",
)
WANDS_PRODUCT_MAP = (
    "id=product_id",
    "title=product_name",
    "description=product_description",
    "category=category hierarchy",
)


@dataclass
class SearchSet:
    queries: dict[str, str]
    qrels: dict[str, dict[str, float]]

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write ``queries.tsv`` and ``qrels.txt`` (TREC) into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        q, r = folder / "queries.tsv", folder / "qrels.txt"
        q.write_text("".join(f"{k}\t{v}\n" for k, v in self.queries.items()), encoding="utf-8")
        lines = (f"{qid} 0 {pid} {g:g}\n" for qid, d in self.qrels.items() for pid, g in d.items())
        r.write_text("".join(lines), encoding="utf-8")
        return q, r


def read_queries(path: Path) -> dict[str, str]:
    """``query_id<TAB>text`` per line."""
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        qid, sep, text = line.partition("\t")
        if not sep:
            raise InputError(f"{path}:{n}: expected query_id<TAB>text")
        out[qid.strip()] = text.strip()
    return out


def read_qrels(path: Path) -> dict[str, dict[str, float]]:
    """TREC qrels: ``query_id 0 product_id grade`` per line."""
    out: dict[str, dict[str, float]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise InputError(f"{path}:{n}: expected 'query_id 0 product_id grade'")
        try:
            grade = float(parts[3])
        except ValueError as exc:
            raise InputError(f"{path}:{n}: grade {parts[3]!r} is not a number") from exc
        out.setdefault(parts[0], {})[parts[2]] = grade
    return out


def _examples(
    rows: Iterable[dict[str, object]], locale: str | None, split: str | None
) -> SearchSet:
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, float]] = {}
    for row in rows:
        if locale and row.get("product_locale") not in (None, locale):
            continue
        if split and row.get("split") not in (None, split):
            continue
        qid = str(row["query_id"])
        queries[qid] = str(row["query"])
        qrels.setdefault(qid, {})[str(row["product_id"])] = ESCI_GRADES[str(row["esci_label"])]
    return SearchSet(queries, qrels)


def read_esci(examples: Path, locale: str | None = "us", split: str | None = None) -> SearchSet:
    """ESCI ``shopping_queries_dataset_examples.parquet`` (or a CSV with the same columns)."""
    if examples.suffix == ".parquet":
        import pyarrow.parquet as pq

        rows: Iterable[dict[str, object]] = pq.read_table(examples).to_pylist()
    else:
        with examples.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    return _examples(rows, locale, split)


def read_wands(folder: Path) -> SearchSet:
    """WANDS ``dataset/query.csv`` and ``dataset/label.csv`` (tab-separated)."""
    with (folder / "query.csv").open(encoding="utf-8", newline="") as fh:
        queries = {r["query_id"]: r["query"] for r in csv.DictReader(fh, delimiter="\t")}
    qrels: dict[str, dict[str, float]] = {}
    with (folder / "label.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            qrels.setdefault(r["query_id"], {})[r["product_id"]] = WANDS_GRADES[r["label"]]
    return SearchSet(queries, qrels)
