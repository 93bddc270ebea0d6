"""The recommend service: events in the log + products in the store → suggestions with reasons.

Freshness: the model is fitted on the whole event log. Each request first reads
the events appended since (one indexed query); those count in the requesting
user's or session's history at once, and after ``refit_after`` new events the
model is refitted. So a new event changes that shopper's suggestions on the next
request, and everyone's model parameters within ``refit_after`` events.

Thread safety: one lock guards the fitted state (reading the new events, the
refit, the session lists), so concurrent requests (the HTTP server's threads)
neither fit twice nor see a half-updated tail; the scoring itself runs outside it.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from shopsense.catalog.schema import Product
from shopsense.catalog.store import ProductStore
from shopsense.core.errors import NotFoundError
from shopsense.events.ingest import EventIngestSummary, ingest_events
from shopsense.events.interactions import InteractionConfig, build_interactions
from shopsense.events.loaders import LoadOptions
from shopsense.events.log import EventLog
from shopsense.events.schema import Event
from shopsense.models.sentence_encoder import TextEncoder
from shopsense.recommend.content import ContentBased, ItemVectors
from shopsense.recommend.controls import ItemAttributes
from shopsense.recommend.engine import (
    NO_CONTROLS,
    Controls,
    Promotion,
    PromotionScore,
    RecommendationEngine,
    Suggestion,
)
from shopsense.recommend.lineup import default_model
from shopsense.retrieval.documents import product_text
from shopsense.retrieval.embeddings import EmbeddingStore, EmbedItem

#: Content block weights: the fused image block (when there is one) beside the text block.
CONTENT_WEIGHTS = {"text": 1.0, "image": 1.0}


@dataclass(frozen=True)
class FitInfo:
    events: int
    users: int
    items: int
    seq: int
    seconds: float
    model: str
    weights: dict[str, float]


@dataclass
class _Fitted:
    engine: RecommendationEngine
    seq: int
    info: FitInfo
    tail: list[Event] = field(default_factory=list)
    sessions: dict[str, list[str]] = field(default_factory=dict)


class RecommendService:
    def __init__(
        self,
        db: Engine,
        products: ProductStore,
        *,
        config: InteractionConfig | None = None,
        encoder: TextEncoder | None = None,
        refit_after: int = 1000,
        extra_blocks: Callable[[], Mapping[str, ItemVectors]] | None = None,
        encode_missing: bool = True,
    ) -> None:
        """``encoder`` gives content-based similar items the products' text vectors:
        encoded where missing when ``encode_missing``, else only those the store holds
        (the search index's, current for the product) are used, and none are encoded."""
        self.db = db
        self.extra_blocks = extra_blocks  # e.g. the fused image block (issue #8), read per fit
        self.products = products
        self.log = EventLog(db)
        self.config = config or InteractionConfig()
        self.encoder = encoder
        self.refit_after = refit_after
        self.encode_missing = encode_missing
        self._fitted: _Fitted | None = None
        self._lock = threading.RLock()

    # -- events in -----------------------------------------------------------------
    def ingest_events(self, path: Path, options: LoadOptions) -> EventIngestSummary:
        return ingest_events(self.db, path, options)

    def append(self, batch: Sequence[Event]) -> int:
        """Store events durably (idempotent by key); returns how many were new."""
        return self.log.append(batch).inserted

    # -- model ---------------------------------------------------------------------
    def fit(self) -> FitInfo:
        """Fit the default model on every event in the log and every product in the store."""
        with self._lock:
            return self._fit()

    def _fit(self) -> FitInfo:
        started = time.perf_counter()
        seq = self.log.last_seq()
        events = [logged.event for logged in self.log.iter()]
        products = list(self.products.iter_all())
        data = build_interactions(
            events,
            self.config,
            items=[p.id for p in products],
            item_category={p.id: p.category_path or None for p in products},
        )
        model = default_model(self._content(products))
        model.fit(data)
        attrs = ItemAttributes.from_products(data.item_ids, products)
        titles = {p.id: p.title for p in products}
        brands = {p.id: p.brand for p in products}
        engine = RecommendationEngine(model, data, attributes=attrs, titles=titles, brands=brands)
        info = FitInfo(
            len(events),
            data.n_users,
            data.n_items,
            seq,
            time.perf_counter() - started,
            model.name,
            {m.name: w for m, w in model.components},
        )
        self._fitted = _Fitted(engine, seq, info, sessions=_sessions(events))
        return info

    def _content(self, products: list[Product]) -> ContentBased | None:
        if self.encoder is None or not products:
            return None
        if self.encode_missing:
            blocks = {"text": cached_text_vectors(self.db, products, self.encoder)}
        else:
            stored = stored_text_vectors(self.db, products, self.encoder)
            blocks = {"text": stored} if stored.ids else {}
        if self.extra_blocks is not None:
            blocks |= self.extra_blocks()
        return ContentBased(blocks, CONTENT_WEIGHTS) if blocks else None

    def _current(self) -> _Fitted:
        with self._lock:
            return self._refresh()

    def _refresh(self) -> _Fitted:
        fitted = self._fitted
        if fitted is None:
            self._fit()
            assert self._fitted is not None
            return self._fitted
        if self.log.last_seq() > fitted.seq:
            new = list(self.log.iter(after_seq=fitted.seq))
            fitted.seq = new[-1].seq if new else fitted.seq
            fitted.tail.extend(e.event for e in new)
            for e in (x.event for x in new):
                if e.session_id:
                    fitted.sessions.setdefault(e.session_id, []).append(e.item_id)
            if len(fitted.tail) >= self.refit_after:
                self._fit()
                assert self._fitted is not None
                return self._fitted
        return fitted

    @property
    def info(self) -> FitInfo:
        return self._current().info

    # -- surfaces ------------------------------------------------------------------
    def for_you(
        self, user_id: str, k: int = 10, controls: Controls = NO_CONTROLS
    ) -> list[Suggestion]:
        with self._lock:
            fitted = self._refresh()
            recent = [e for e in fitted.tail if e.user_id == user_id]
        return fitted.engine.for_you(user_id, k, controls, recent)

    def similar(
        self, item_id: str, k: int = 10, controls: Controls = NO_CONTROLS
    ) -> list[Suggestion]:
        return self._current().engine.similar(item_id, k, controls)

    def bought_together(
        self, item_id: str, k: int = 5, controls: Controls = NO_CONTROLS
    ) -> list[Suggestion]:
        return self._current().engine.bought_together(item_id, k, controls)

    def knows(self, user_id: str) -> bool:
        """Whether ``user_id`` has events (fitted, or since the fit)."""
        with self._lock:
            fitted = self._refresh()
            return fitted.engine.knows(user_id) or any(e.user_id == user_id for e in fitted.tail)

    def continue_session(
        self, session_id: str, k: int = 10, controls: Controls = NO_CONTROLS
    ) -> list[Suggestion]:
        with self._lock:
            fitted = self._refresh()
            items = list(fitted.sessions.get(session_id, ()))
        if not items:
            raise NotFoundError(f"no events for session {session_id!r}")
        return fitted.engine.continue_session(items, k, controls)

    def continue_items(
        self, item_ids: Sequence[str], k: int = 10, controls: Controls = NO_CONTROLS
    ) -> list[Suggestion]:
        """Next items after an anonymous sequence of item ids (oldest first)."""
        return self._current().engine.continue_session(item_ids, k, controls)

    def promotions(
        self, user_id: str, promotions: Sequence[Promotion], k: int = 3
    ) -> list[PromotionScore]:
        return self._current().engine.promotions(user_id, promotions, k)


def _sessions(events: Sequence[Event]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for e in sorted(events, key=lambda e: e.timestamp):
        if e.session_id:
            out[e.session_id].append(e.item_id)
    return dict(out)


def cached_text_vectors(db: Engine, products: list[Product], encoder: TextEncoder) -> ItemVectors:
    """Text vectors of ``products``, encoded only when missing or the product changed.

    They are the search index's own vectors: the same text recipe
    (:func:`~shopsense.retrieval.documents.product_text`) under the same key (product
    id, encoder name) in the ``embeddings`` table, so a product is encoded once for both.
    """
    store = EmbeddingStore(db, encoder)
    store.ensure([EmbedItem(p.id, p.content_hash(), product_text(p)) for p in products])
    by_id = store.load()
    ids = tuple(p.id for p in products)
    return ItemVectors(ids, np.stack([by_id[i] for i in ids]))


def stored_text_vectors(db: Engine, products: list[Product], encoder: TextEncoder) -> ItemVectors:
    """The text vectors the store already holds for ``products`` (current ones only):
    nothing is encoded, so no model is loaded; products without one are left out."""
    store = EmbeddingStore(db, encoder)
    hashes = store.hashes()
    current = {p.id for p in products if hashes.get(p.id) == p.content_hash()}
    if not current:
        return ItemVectors((), np.zeros((0, encoder.dim), np.float32))
    by_id = store.load()
    ids = tuple(p.id for p in products if p.id in current and p.id in by_id)
    return ItemVectors(ids, np.stack([by_id[i] for i in ids]))
