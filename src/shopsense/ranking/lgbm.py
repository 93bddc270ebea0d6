"""LightGBM lambdarank over ``FEATURES`` (the only lightgbm importer)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from shopsense.ranking.features import FEATURES
from shopsense.ranking.rankers import Matrix, Scored
from shopsense.retrieval.documents import TEXT_FIELDS

try:
    import lightgbm
except ImportError as exc:  # pragma: no cover - install hint
    raise ImportError("the learned ranker needs `pip install 'lightgbm>=4.3,<5'`") from exc

PARAMS: dict[str, object] = {
    "objective": "lambdarank",
    "metric": "ndcg",
    "eval_at": [10],
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.9,
    "lambdarank_truncation_level": 20,
    "num_threads": 1,
    "verbosity": -1,
    "seed": 7,
    "deterministic": True,
}
ROUNDS = 200
#: What the model learns from: every feature except the raw BM25 and cosine scores, whose
#: scale moves with the catalogue (their relative, min-max and rank forms stay), so a
#: model trained on one catalogue ranks another (measured: Abt→Buy ⇄ Walmart→Amazon).
SCALE_FREE = tuple(
    f
    for f in FEATURES
    if not (f.startswith("bm25_") and f[5:] in TEXT_FIELDS) and f not in ("bm25", "dense")
)
_USED = np.asarray([FEATURES.index(f) for f in SCALE_FREE])


class LambdaMartRanker:
    """A trained LightGBM ranking model."""

    name = "lambdamart"
    #: TreeSHAP costs far more than a prediction (measured: ranking ~200 candidates with
    #: contributions took p50 431 ms), so contributions are computed for shown hits only.
    cheap_contributions = False

    def __init__(self, booster: lightgbm.Booster) -> None:
        self._booster = booster

    @classmethod
    def train(
        cls,
        features: Matrix,
        grades: npt.NDArray[np.float64],
        groups: list[int],
        rounds: int = ROUNDS,
    ) -> LambdaMartRanker:
        """Fit on candidates grouped by query (``groups`` = candidates per query, in order)."""
        data = lightgbm.Dataset(
            features[:, _USED],
            label=grades.astype(np.int32),
            group=groups,
            feature_name=list(SCALE_FREE),
        )
        return cls(lightgbm.train(PARAMS, data, num_boost_round=rounds))

    def score(self, features: Matrix) -> Scored:
        if not len(features):
            return Scored(np.empty(0), np.empty((0, len(FEATURES))))
        contrib = np.asarray(
            self._booster.predict(features[:, _USED], pred_contrib=True, num_threads=1), np.float64
        )
        full = np.zeros((len(features), len(FEATURES)))
        full[:, _USED] = contrib[:, : len(_USED)]
        # the last column is the expected value (the same for every row)
        return Scored(contrib.sum(axis=1), full, float(contrib[0, -1]))

    def predict(self, features: Matrix) -> npt.NDArray[np.float64]:
        # one thread: OpenMP threads on 2 shared cores cost more than they save
        if not len(features):
            return np.empty(0)
        return np.asarray(self._booster.predict(features[:, _USED], num_threads=1), np.float64)

    def to_bytes(self) -> bytes:
        return str(self._booster.model_to_string()).encode("utf-8")

    @classmethod
    def from_bytes(cls, payload: bytes) -> LambdaMartRanker:
        return cls(lightgbm.Booster(model_str=payload.decode("utf-8")))
