"""Open the search service of a store: indexes, synonyms, the learned ranker if any."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from shopsense.app.search import SearchService
from shopsense.app.settings import Settings
from shopsense.catalog.store import ProductStore
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.ranking.lgbm import LambdaMartRanker
from shopsense.ranking.model_store import ModelStore
from shopsense.ranking.pipeline import SearchPipeline
from shopsense.retrieval.expansion import SynonymConfig, Synonyms
from shopsense.retrieval.index_sync import Progress, SearchIndex

LTR_MODEL = "search-ltr"


def open_search(
    settings: Settings, engine: Engine, folder: Path | None, progress: Progress | None = None
) -> SearchService:
    encoder = MultilingualUSE() if settings.semantic else None
    index = SearchIndex.open(engine, folder, encoder, progress=progress)
    synonyms = (
        Synonyms(SynonymConfig.load(settings.synonyms_file)) if settings.synonyms_file else None
    )
    artifact = ModelStore(engine).latest(LTR_MODEL)
    learned = LambdaMartRanker.from_bytes(artifact.payload) if artifact else None
    pipeline = SearchPipeline(index, synonyms=synonyms, learned=learned)
    return SearchService(pipeline, ProductStore(engine))
