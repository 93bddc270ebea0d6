"""Query understanding for the app: parser built from the store, intent training and evaluation."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from shopsense.app.search_parse import known_category
from shopsense.app.settings import Settings
from shopsense.catalog.store import ProductStore, ProductText
from shopsense.core.errors import InputError, NotFoundError
from shopsense.evaluation.intent_eval import IntentScores, cross_validate, evaluate_split
from shopsense.evaluation.labelled_data import Labelled
from shopsense.query.build import understanding_for
from shopsense.query.intent import IntentConfig, IntentModel, train_intent
from shopsense.query.intent_store import KIND as INTENT_KIND
from shopsense.query.intent_store import load_intent_model, save_intent_model
from shopsense.query.types import ParsedQuery
from shopsense.query.understanding import QueryUnderstanding
from shopsense.retrieval.documents import category_prefix_set
from shopsense.storage.artifacts import ArtifactStore

Progress = Callable[[str], None]

#: The baseline every intent evaluation reports beside shopsense's model.
BASELINES = {
    "char": IntentConfig(components=("char24",), calibrate=False),
    "words": IntentConfig(components=("words",), calibrate=False),
}


def read_query_log(path: Path) -> Iterator[str]:
    """Queries of a log file: one a line, or ``id<TAB>query``."""
    if not path.is_file():
        raise InputError(f"query log not found: {path}")
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            query = line.rstrip("\n").split("\t")[-1].strip()
            if query:
                yield query


class QueryService:
    """Builds and caches the query parser for a store; trains and evaluates intent models."""

    def __init__(self, settings: Settings, engine: Engine, products: ProductStore) -> None:
        self.settings = settings
        self.engine = engine
        self.products = products
        self._understanding: QueryUnderstanding | None = None
        self._built_from: Hashable = None  # what the parser in use was built from

    def intent_model(self) -> IntentModel | None:
        try:
            model = load_intent_model(self.engine, self.settings.intent_model)
        except NotFoundError:
            return None
        # the threshold stored by `train intent --threshold` serves, unless the deployment
        # sets SHOPSENSE_INTENT_THRESHOLD (or passes intent_threshold) explicitly
        if "intent_threshold" in self.settings.model_fields_set:
            return replace(model, threshold=self.settings.intent_threshold)
        return model

    @property
    def built(self) -> bool:
        """Whether the parser has been built (a warm server builds it before serving)."""
        return self._understanding is not None

    def understanding(self) -> QueryUnderstanding:
        if self._understanding is None:
            texts = self.products.texts()
            self._understanding = self._build(texts, self._sources(texts))
        return self._understanding

    def _sources(self, texts: list[ProductText]) -> Hashable:
        """What a parser is built from: the products' words, the newest intent model's
        version and the query log file as it is now."""
        log = self.settings.query_log
        stat = log.stat() if log is not None and log.is_file() else None
        model = ArtifactStore(self.engine).latest_version(self.settings.intent_model, INTENT_KIND)
        return (
            hash(tuple(texts)),
            model,
            str(log),
            stat and (stat.st_mtime_ns, stat.st_size),
        )

    def _build(self, texts: list[ProductText], sources: Hashable) -> QueryUnderstanding:
        log = read_query_log(self.settings.query_log) if self.settings.query_log else ()
        built = understanding_for(
            texts,
            query_log=log,
            intent=self.intent_model(),
            spell_chinese=self.settings.spell_chinese,
        )
        self._built_from = sources
        return built

    def reset(self) -> None:
        """Forget the cached parser (after the catalogue or the intent model changed)."""
        self._understanding = None

    def refresh(self, texts: list[ProductText] | None = None) -> bool:
        """If a parser is in use and what it is built from changed (a product's title,
        brand or category; the intent model; the query log), build a new one from the
        store as it is now and swap it in; parses meanwhile use the old one. A change of
        price or stock alone leaves the parser as it is. ``texts``: the products' words
        when the caller has just read them (else they are read). True if rebuilt."""
        if self._understanding is None:
            return False
        texts = self.products.texts() if texts is None else texts
        sources = self._sources(texts)
        if sources == self._built_from:
            return False
        self._understanding = self._build(texts, sources)
        return True

    def parse(self, text: str) -> ParsedQuery:
        return self.understanding().parse(text)

    def foreign_labels(self, labels: Iterable[str]) -> list[str]:
        """The distinct ``labels`` that are no category path (or prefix of one) of the
        store's products: search can neither filter nor rank by them."""
        known = category_prefix_set(p.category for p in self.products.iter_all())
        return sorted({label for label in labels if not known_category(label, known)})

    def train(
        self, data: Labelled, config: IntentConfig, progress: Progress | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Train on ``data`` (:func:`read_labelled`) and store the model as a new version."""
        model = train_intent(data.texts, data.labels, config, progress)
        model.name = self.settings.intent_model
        version = save_intent_model(
            self.engine, model, {"trained_on": str(data.path), "rows": len(data.texts)}
        )
        self._understanding = None
        return version, model.meta


def evaluate_intent(
    data: Labelled,
    held: Labelled | None,
    *,
    folds: int,
    config: IntentConfig,
    baseline: str,
    progress: Progress | None = None,
) -> list[IntentScores]:
    """shopsense's intent model beside the TF-IDF + LR baseline, on the ``held`` split or K
    folds of ``data`` (by its groups, when it was read with a group column)."""
    if baseline not in BASELINES:
        raise InputError(f"unknown baseline {baseline!r}: choose {', '.join(BASELINES)}")
    configs = {"shopsense": config, f"tfidf-{baseline}+lr": BASELINES[baseline]}
    if held is None:
        return cross_validate(data.texts, data.labels, data.groups, folds, configs, progress)
    return evaluate_split((data.texts, data.labels), (held.texts, held.labels), configs, progress)
