"""Search evaluation sets: TREC qrels, query TSV, and the WANDS and ESCI release files.

A set is queries (id → text) and qrels (query id → product id → integer grade).
Grades: ESCI Exact 3, Substitute 2, Complement 1, Irrelevant 0; WANDS Exact 2,
Partial 1, Irrelevant 0. The catalogue side is ingested by ``shopsense ingest``
with the column maps below (``--map`` values).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from shopsense.core.errors import InputError
from shopsense.evaluation.text_files import decode_utf8, file_bytes

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


def _lines(path: Path) -> list[str]:
    """The lines of a UTF-8 text file (a BOM is dropped; CRLF, CR and LF all end a line).

    A missing file, a directory or bytes that are not UTF-8 raise :class:`InputError`
    naming the file (and the line of the first bad byte)."""
    text = decode_utf8(file_bytes(path), str(path))
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


#: header lines a queries file may start with (compared case-insensitively)
_QUERY_HEADERS = frozenset(
    (i, t) for i in ("query_id", "qid", "id", "query-id") for t in ("query", "text", "query_text")
)


def read_queries(path: Path) -> dict[str, str]:
    """``query_id<TAB>text`` per line; blank lines and a header line (``query_id<TAB>query``)
    are skipped.

    A line without exactly one tab, an empty id or text, or an id seen before is an
    :class:`InputError` naming ``file:line``."""
    out: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for n, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        cells = line.rstrip("\r\n").split("\t")
        while len(cells) > 2 and not cells[-1].strip():  # trailing tabs: no column
            cells.pop()
        if len(cells) != 2:
            found = f"{len(cells)} columns" if len(cells) > 1 else "no tab"
            raise InputError(f"{path}:{n}: expected query_id<TAB>text, found {found}")
        qid, text = cells[0].strip(), cells[1].strip()
        if not first_line and (qid.casefold(), text.casefold()) in _QUERY_HEADERS:
            continue
        if not qid:
            raise InputError(f"{path}:{n}: empty query id")
        if not text:
            raise InputError(f"{path}:{n}: empty query text for query {qid!r}")
        if qid in first_line:
            raise InputError(
                f"{path}:{n}: query id {qid!r} repeats line {first_line[qid]}; ids must be unique"
            )
        first_line[qid] = n
        out[qid] = text
    return out


def read_qrels(path: Path) -> dict[str, dict[str, float]]:
    """TREC qrels: ``query_id 0 product_id grade`` per line; blank lines are skipped.

    A grade must be a finite number ≥ 0, and a (query, product) pair judged twice must
    get the same grade both times (a catalogue listing a product twice gives identical
    lines); anything else is an :class:`InputError` naming ``file:line``."""
    out: dict[str, dict[str, float]] = {}
    first_line: dict[tuple[str, str], int] = {}
    for n, line in enumerate(_lines(path), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise InputError(f"{path}:{n}: expected 'query_id 0 product_id grade'")
        qid, _, pid, raw = parts
        try:
            grade = float(raw)
        except ValueError as exc:
            raise InputError(f"{path}:{n}: grade {raw!r} is not a number") from exc
        if not math.isfinite(grade) or grade < 0:
            raise InputError(f"{path}:{n}: grade {raw!r} is not a finite number ≥ 0")
        if (qid, pid) in first_line and out[qid][pid] != grade:
            raise InputError(
                f"{path}:{n}: query {qid!r} product {pid!r} is judged again with another "
                f"grade (first on line {first_line[qid, pid]})"
            )
        first_line.setdefault((qid, pid), n)
        out.setdefault(qid, {})[pid] = grade
    return out


@dataclass(frozen=True)
class Alignment:
    """How a set's queries and qrels line up: counts, and the problems worth a warning."""

    queries: int
    qrels: int
    judged_queries: int
    """Queries that have text and at least one judgment with a grade > 0."""
    unknown_query_qrels: int
    """Judgments whose query id is not among the queries (they are not scored)."""

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def align(data: SearchSet, what: str = "") -> Alignment:
    """Count how ``data``'s queries and qrels line up; raise :class:`InputError` when no
    query could be scored (``what`` names the set in the message, e.g. ``"training "``)."""
    n_qrels = sum(len(j) for j in data.qrels.values())
    common = [q for q in data.queries if q in data.qrels]
    judged = [q for q in common if any(g > 0 for g in data.qrels[q].values())]
    unknown = sum(len(j) for q, j in data.qrels.items() if q not in data.queries)
    if not judged:
        none_positive = ", none with a grade > 0" if common else ""
        raise InputError(
            f"no judged {what}query: {len(data.queries)} queries, {n_qrels} qrels, "
            f"{len(common)} in common{none_positive}"
        )
    return Alignment(len(data.queries), n_qrels, len(judged), unknown)


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
