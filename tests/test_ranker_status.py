"""Which ranker ``--mode ltr`` uses, and when a stored model asks to be retrained."""

from __future__ import annotations

from shopsense.app.search_wiring import LTR_MODEL, ranker_status
from shopsense.ranking.features import FEATURES
from shopsense.retrieval.index_sync import index_version
from shopsense.storage.artifacts import Artifact


def _model(meta: dict[str, object]) -> Artifact:
    return Artifact(LTR_MODEL, 3, "lightgbm-lambdarank", b"", meta)


def test_a_model_trained_on_other_search_terms_is_used_and_flagged() -> None:
    current = {"features": list(FEATURES), "terms": index_version()}
    assert ranker_status(_model(current), usable=True) == "search-ltr version 3"
    # a model stored before its terms were recorded (before plurals were folded)
    old = ranker_status(_model({"features": list(FEATURES)}), usable=True)
    assert old.startswith("search-ltr version 3, trained on other search terms (not recorded;")
    assert old.endswith("retrain it: `shopsense index train-ranker`")
    other = ranker_status(_model({**current, "terms": "schema 1; folding 1"}), usable=True)
    assert "(schema 1; folding 1; now " in other
    assert ranker_status(_model({"features": ["bm25"]}), usable=False).startswith(
        "linear ranker: search-ltr version 3 was trained on another feature set"
    )
    assert ranker_status(None, usable=False).startswith("linear ranker: no search-ltr model")
