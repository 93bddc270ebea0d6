"""The search indexes of one store, kept in step with the catalogue.

``SearchIndex.open`` loads the doc table from the store, then applies to the
lexical index only the products whose content hash differs from what it holds
(``lexical.json`` records id → hash after every commit), and deletes the ones
gone from the store. Re-applying a change is harmless (upsert by key), so a
crash between commit and manifest write costs a repeat, never a wrong index.
The lexical folder is named for the index schema (``LEXICAL_DIR``), and
``lexical.terms`` records the term folding it was built with: an index built by
an older shopsense or lemminflect is indexed anew on open.

Bound: a catalogue change is searchable from the next ``open`` (every CLI search
and ``shopsense index build`` opens), at a cost proportional to the products
that changed. Semantic vectors are encoded only for products whose stored
embedding has another content hash; the semantic index takes changes in an exact
delta and is rebuilt from stored vectors when the delta passes 10 %.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from shopsense.catalog.store import ProductStore
from shopsense.models.sentence_encoder import TextEncoder
from shopsense.retrieval.dense import IndexParams, VectorIndex
from shopsense.retrieval.doctable import DocTable, product_key
from shopsense.retrieval.documents import FieldWeights, product_text, to_index_doc
from shopsense.retrieval.embeddings import EmbeddingStore, EmbedItem
from shopsense.retrieval.lexical import SCHEMA_VERSION, LexicalIndex
from shopsense.text.singular import terms_version

Progress = Callable[[str, int, int], None]
_CHUNK = 2000
#: the lexical index's folder, named for its schema: an index of another schema is
#: never opened (tantivy refuses it), and the old ``lexical`` folder is removed
LEXICAL_DIR = f"lexical-{SCHEMA_VERSION}"


@dataclass
class SyncReport:
    products: int = 0
    indexed: int = 0
    deleted: int = 0
    encoded: int = 0
    reused: int = 0
    dense_rebuilt: bool = False
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def _read_manifest(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _write_manifest(path: Path, manifest: dict[str, str]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest), encoding="utf-8")
    tmp.replace(path)


@dataclass
class SearchIndex:
    """Doc table + lexical index + (optionally) the semantic index of one store."""

    table: DocTable
    lexical: LexicalIndex
    dense: VectorIndex | None
    encoder: TextEncoder | None
    report: SyncReport

    @classmethod
    def open(
        cls,
        engine: Engine,
        folder: Path | None,
        encoder: TextEncoder | None = None,
        weights: FieldWeights | None = None,
        progress: Progress | None = None,
        dense_params: IndexParams | None = None,
    ) -> SearchIndex:
        """Open (or create) the indexes under ``folder`` and bring them up to date.

        ``folder=None`` keeps everything in memory (tests, evaluation runs);
        ``dense_params`` chooses the semantic index (default: quantised scan).
        """
        t0 = time.perf_counter()
        report = SyncReport()
        table = DocTable.load(engine)
        report.products = len(table)
        if folder is not None:  # a lexical index of an older schema: no longer read
            shutil.rmtree(folder / "lexical", ignore_errors=True)
        lexical = LexicalIndex(folder / LEXICAL_DIR if folder else None, weights)
        _sync_lexical(engine, table, lexical, folder, report, progress)
        report.timings["lexical"] = time.perf_counter() - t0
        dense = None
        if encoder is not None:
            t1 = time.perf_counter()
            dense = _sync_dense(engine, table, encoder, folder, report, progress, dense_params)
            report.timings["dense"] = time.perf_counter() - t1
        report.seconds = time.perf_counter() - t0
        return cls(table, lexical, dense, encoder, report)


def _sync_lexical(
    engine: Engine,
    table: DocTable,
    lexical: LexicalIndex,
    folder: Path | None,
    report: SyncReport,
    progress: Progress | None,
) -> None:
    path = folder / "lexical.json" if folder else None
    held = _read_manifest(path) if path else {}
    if held and lexical.num_docs == 0:
        held = {}  # index folder was wiped: rebuild
    stale = folder is not None and _terms_version(folder) != index_version()
    if stale:  # indexed with other terms (an older shopsense or lemminflect): index anew
        lexical.clear()
        held = {}
    current = dict(zip(table.ids, table.hashes, strict=True))
    changed = [pid for pid, h in current.items() if held.get(pid) != h]
    gone = [pid for pid in held if pid not in current]
    if not changed and not gone and not stale:
        return
    store = ProductStore(engine)
    for start in range(0, len(changed), _CHUNK):
        chunk = changed[start : start + _CHUNK]
        products = store.get_many(chunk)
        docs = (to_index_doc(product_key(pid), products[pid]) for pid in chunk)
        lexical.upsert(docs, replace=bool(held))
        if progress is not None:
            progress("lexical", start + len(chunk), len(changed))
    lexical.delete(product_key(pid) for pid in gone)
    lexical.commit()
    report.indexed, report.deleted = len(changed), len(gone)
    if path is not None:
        _write_manifest(path, current)
    if folder is not None:
        tmp = folder / "lexical.terms.tmp"
        tmp.write_text(index_version(), encoding="utf-8")
        tmp.replace(folder / "lexical.terms")


def index_version() -> str:
    """What a stored lexical index's terms and fields depend on: the schema, the folding
    and lemminflect (the manifest beside the folder may be an older shopsense's, so the
    schema is checked here too, not only by the folder's name)."""
    return f"schema {SCHEMA_VERSION}; folding {terms_version()}"


def _terms_version(folder: Path) -> str | None:
    """What the lexical index under ``folder`` was built with (None: before versions)."""
    try:
        return (folder / "lexical.terms").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _sync_dense(
    engine: Engine,
    table: DocTable,
    encoder: TextEncoder,
    folder: Path | None,
    report: SyncReport,
    progress: Progress | None,
    params: IndexParams | None = None,
) -> VectorIndex:
    vectors_db = EmbeddingStore(engine, encoder)
    stored = vectors_db.hashes()
    stale = [pid for pid, h in zip(table.ids, table.hashes, strict=True) if stored.get(pid) != h]
    store = ProductStore(engine)
    hash_of = dict(zip(table.ids, table.hashes, strict=True))
    for start in range(0, len(stale), _CHUNK):
        chunk = stale[start : start + _CHUNK]
        products = store.get_many(chunk)
        items = [EmbedItem(p, hash_of[p], product_text(products[p])) for p in chunk]
        vectors_db.ensure(items)
        if progress is not None:
            progress("embeddings", start + len(chunk), len(stale))
    report.encoded, report.reused = len(stale), len(table) - len(stale)
    by_id = vectors_db.load()
    by_key = {int(k): by_id[pid] for k, pid in zip(table.keys, table.ids, strict=True)}
    return _dense_index(table, by_key, encoder.dim, folder, report, params)


def _dense_index(
    table: DocTable,
    by_key: dict[int, np.typing.NDArray[np.float32]],
    dim: int,
    folder: Path | None,
    report: SyncReport,
    params: IndexParams | None = None,
) -> VectorIndex:
    graph_dir = folder / "dense" if folder else None
    manifest_path = folder / "dense.json" if folder else None
    held = _read_manifest(manifest_path) if manifest_path else {}
    index = VectorIndex.load(graph_dir, by_key, dim, params) if graph_dir and held else None
    current = dict(zip(table.ids, table.hashes, strict=True))
    if index is not None:
        for pid, h in current.items():
            if held.get(pid) != h:
                index.upsert(product_key(pid), by_key[product_key(pid)])
        for pid in held:
            if pid not in current:
                index.delete(product_key(pid))
    if index is None or index.needs_rebuild:
        index = VectorIndex(dim, params)
        keys = [int(k) for k in table.keys]
        matrix = np.vstack([by_key[k] for k in keys]) if keys else np.empty((0, dim), np.float32)
        index.build(keys, matrix)
        report.dense_rebuilt = True
        if graph_dir is not None and manifest_path is not None:
            index.save(graph_dir)
            _write_manifest(manifest_path, current)
    return index
