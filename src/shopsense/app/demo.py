"""The demo: a store built from the sample catalogue shipped with shopsense, then searched."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from shopsense.app.services import Services
from shopsense.catalog.ingest import IngestOptions, IngestSummary
from shopsense.events.ingest import EventIngestSummary
from shopsense.events.loaders import LoadOptions

if TYPE_CHECKING:
    from shopsense.app.search import SearchResult

DEMO_DIR = Path(__file__).parent / "demo_data"
DEMO_CATALOG = DEMO_DIR / "catalog.csv"
DEMO_EVENTS = DEMO_DIR / "events.csv"
DEMO_USERS = ("U001", "U031")  # a runner and a work-and-tech shopper
DEMO_ITEM = "P0001"  # running shoes: bought with sports socks
DEMO_SIMILAR_SEED = "P0162"  # a red satin slip dress: "looks similar" in the demo
DEMO_USER = DEMO_USERS[1]  # whose "for you" strip the served demo storefront shows
DEMO_INTENT_SOURCE = "demo titles (weak)"  # the stored ``trained_on`` of the demo's model
DEMO_QUERIES = ("running shoes", "红色 连衣裙", "sony headphones", "小米手机", "backpack under 50")


def ingest_demo_catalog(services: Services) -> IngestSummary:
    """Ingest the shipped sample catalogue (idempotent: a second run changes nothing)."""
    return services.ingest(DEMO_CATALOG, IngestOptions(source="demo"))


def train_demo_intent(services: Services) -> int:
    """Train the demo's intent model on weak labels — the sample catalogue's own titles
    labelled with their category — so the demo shows predicted intent without any
    hand-labelled query. Returns the stored version: reused when one exists, unless the
    demo trained it on an older recipe of the weak labels."""
    from shopsense.labeling.weak_intent import TITLE_LABELS, labels_from_titles
    from shopsense.query.intent import IntentConfig, train_intent
    from shopsense.query.intent_store import save_intent_model

    existing = services.query.intent_model()
    if existing is not None and not _stale_demo_intent(services, TITLE_LABELS):
        return int(existing.meta.get("version", 0))
    pairs = labels_from_titles(services.products.iter_all())
    model = train_intent(
        [t for t, _ in pairs], [c for _, c in pairs], IntentConfig(components=("tfidf",))
    )
    model.name = services.settings.intent_model
    meta = {"trained_on": DEMO_INTENT_SOURCE, "title_labels": TITLE_LABELS}
    version = save_intent_model(services.engine, model, meta)
    services.query.reset()
    return version


def _stale_demo_intent(services: Services, title_labels: int) -> bool:
    """Whether the stored intent model is one the demo trained on older weak labels (a
    model trained otherwise, ``shopsense train intent``, is never replaced)."""
    from shopsense.query.intent_store import KIND
    from shopsense.storage.artifacts import ArtifactStore

    row = ArtifactStore(services.engine).get(services.settings.intent_model, kind=KIND)
    return (
        row is not None
        and row.meta.get("trained_on") == DEMO_INTENT_SOURCE
        and row.meta.get("title_labels") != title_labels
    )


def search_demo_queries(services: Services, size: int = 3) -> list[SearchResult]:
    """Build (or update) the search index, then run every demo query with explanations."""
    from shopsense.app.search import SearchRequest

    search = services.search()
    return [
        search.search(
            SearchRequest(query=q, size=size, explain=True, mode="hybrid", understand=True)
        )
        for q in DEMO_QUERIES
    ]


def ingest_demo_events(services: Services) -> EventIngestSummary:
    """Append the shipped demo events to the log (idempotent: a second run stores nothing)."""
    return services.recommendations.ingest_events(DEMO_EVENTS, LoadOptions())
