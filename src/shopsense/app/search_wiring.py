"""Open the search service of a store: indexes, synonyms, the learned ranker if any."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from shopsense.app.search import SearchService
from shopsense.app.settings import Settings
from shopsense.catalog.store import ProductStore
from shopsense.core.errors import InputError
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.query.lexicon import brand_name_groups, gender_name_groups, synonym_groups
from shopsense.ranking.features import FEATURES, ImageScorer
from shopsense.ranking.lgbm import LambdaMartRanker
from shopsense.ranking.pipeline import SearchPipeline
from shopsense.ranking.training import train_ranker
from shopsense.retrieval.dense import IndexParams
from shopsense.retrieval.expansion import SynonymConfig, Synonyms
from shopsense.retrieval.index_sync import Progress, SearchIndex, index_version
from shopsense.storage.artifacts import Artifact, ModelStore

LTR_MODEL = "search-ltr"


def open_search(
    settings: Settings,
    engine: Engine,
    folder: Path | None,
    progress: Progress | None = None,
    images: ImageScorer | None = None,
) -> SearchService:
    """The search service; ``images`` adds the photo-fit feature (issue #8) to the ranker."""
    encoder = MultilingualUSE() if settings.semantic else None
    params = IndexParams(kind=settings.semantic_index)
    index = SearchIndex.open(engine, folder, encoder, progress=progress, dense_params=params)
    synonyms = search_synonyms(settings.synonyms_file, settings.synonyms_builtin)
    artifact = ModelStore(engine).latest(LTR_MODEL)
    # a model trained on another feature set cannot score these rows: rank as hybrid
    usable = artifact is not None and artifact.meta.get("features") == list(FEATURES)
    learned = LambdaMartRanker.from_bytes(artifact.payload) if artifact and usable else None
    pipeline = SearchPipeline(index, synonyms=synonyms, learned=learned, images=images)
    return SearchService(pipeline, ProductStore(engine), ranker=ranker_status(artifact, usable))


def search_synonyms(file: Path | None, builtin: bool = True) -> Synonyms | None:
    """The catalogue's synonym file, plus, unless ``builtin`` is off, the built-in
    English/Chinese groups that the query parse shows (``query/data/synonyms.csv``) and
    the brands' names in both scripts (``宜家`` finds the IKEA products titled in English,
    ``nike`` the ones titled 耐克: ``query/data/brands_zh.csv``) and the genders' (``男士``
    finds the men's products titled ``男子`` or ``Men's``: ``query/data/genders.csv``)."""
    config = SynonymConfig.load(file) if file else SynonymConfig()
    if builtin:
        builtins = (*synonym_groups(), *brand_name_groups(), *gender_name_groups())
        groups = [list(g) for g in builtins]
        config = config.model_copy(update={"groups": [*groups, *config.groups]})
    return Synonyms(config) if config.groups or config.one_way else None


def ranker_status(artifact: Artifact | None, usable: bool) -> str:
    """What ``--mode ltr`` ranks with, and whether the stored model wants retraining."""
    retrain = "retrain it: `shopsense index train-ranker`"
    if artifact is None:
        return f"linear ranker: no {LTR_MODEL} model is stored (`shopsense index train-ranker`)"
    name = f"{LTR_MODEL} version {artifact.version}"
    if not usable:
        return f"linear ranker: {name} was trained on another feature set; {retrain}"
    trained_on = artifact.meta.get("terms")
    if trained_on != index_version():
        # its features were counted over other search terms (say, before plurals were
        # folded): it still ranks, but on inputs shifted from those it learned
        was = trained_on or "not recorded"
        return f"{name}, trained on other search terms ({was}; now {index_version()}); {retrain}"
    return name


def train_and_store(
    service: SearchService,
    engine: Engine,
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, float]],
    source: str,
) -> int:
    """Train the LTR model on judged queries, store it as a new version, start using it."""
    model = train_ranker(service.pipeline, queries, qrels)
    if model is None:
        raise InputError("no training query found any judged product: nothing to learn from")
    meta = {
        "features": list(FEATURES),
        "terms": index_version(),
        "queries": len(queries),
        "source": source,
        "trained_at": datetime.now(UTC).isoformat(),
    }
    version = ModelStore(engine).save(LTR_MODEL, "lightgbm-lambdarank", model.to_bytes(), meta)
    service.pipeline.learned = model
    service.ranker = f"{LTR_MODEL} version {version}"
    return version
