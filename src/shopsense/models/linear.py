"""Adapter for scikit-learn: TF-IDF features, linear classifiers, gradient-boosted trees.

The only module that imports scikit-learn. Models are returned wrapped, so callers
see numpy in and numpy out; they pickle, for storage as model artifacts.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from shopsense.core.errors import InputError

Matrix = npt.NDArray[np.float64]


def _sklearn() -> Any:
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:  # pragma: no cover - install hint
        raise ImportError("linear models need `pip install scikit-learn`") from exc
    return sklearn


class LinearHead:
    """A linear classifier over dense or sparse features; classes are 0..n-1.

    ``kind="logreg"``: one-vs-rest logistic regression (liblinear; lbfgs multinomial
    took minutes per fold with 314 classes on this machine); ``kind="svm"``: a
    one-vs-rest linear SVM (liblinear); ``kind="softmax"``: multinomial logistic
    regression (lbfgs), for dense sentence embeddings (a few hundred columns). Either
    way :meth:`logits` returns decision values for a softmax with a fitted temperature.
    """

    def __init__(self, kind: str = "logreg", c: float = 1.0, max_iter: int = 1000) -> None:
        _sklearn()
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.svm import LinearSVC

        if kind not in ("logreg", "svm", "softmax"):
            raise InputError(f"unknown linear head {kind!r}: choose logreg, svm or softmax")
        self._model: Any = (
            OneVsRestClassifier(LogisticRegression(C=c, max_iter=max_iter, solver="liblinear"))
            if kind == "logreg"
            else LinearSVC(C=c)
            if kind == "svm"
            else LogisticRegression(C=c, max_iter=max_iter)
        )
        self.n_classes = 0
        self.kind = kind

    def fit(self, features: Any, labels: npt.NDArray[np.int64], n_classes: int) -> LinearHead:
        if len(set(labels.tolist())) < 2:
            raise InputError("training a classifier needs at least two distinct labels")
        self._model.fit(features, labels)
        self.n_classes = n_classes
        return self

    def coefficients(self) -> tuple[Matrix, Matrix]:
        """(weights n_classes × features, biases) of a fitted multinomial head, so another
        model can start from it; a class never seen gets zero weights and a bias 10 below
        the lowest fitted one."""
        model = self._model
        if self.kind != "softmax" or not hasattr(model, "coef_") or len(model.classes_) < 3:
            raise InputError("coefficients need a fitted softmax head over 3+ classes")
        weight = np.zeros((self.n_classes, model.coef_.shape[1]))
        bias = np.full(self.n_classes, float(model.intercept_.min()) - 10.0)
        weight[model.classes_] = model.coef_
        bias[model.classes_] = model.intercept_
        return weight, bias

    def logits(self, features: Any) -> Matrix:
        """Decision values for every class 0..n_classes-1 (-inf for classes never seen)."""
        raw = np.asarray(self._model.decision_function(features), dtype=np.float64)
        if raw.ndim == 1:  # two classes: sklearn returns one column
            raw = np.stack([-raw / 2, raw / 2], axis=1)
        out = np.full((raw.shape[0], self.n_classes), -np.inf)
        out[:, self._model.classes_] = raw
        return out


def nb_ratios(features: Any, positive: npt.NDArray[np.bool_], alpha: float = 1.0) -> Matrix:
    """Naive-Bayes log-count ratio of each feature for one class against the rest:
    ``r = log((p / |p|₁) / (q / |q|₁))`` with ``p``, ``q`` the number of positive and
    negative rows holding the feature, plus ``alpha`` (Wang & Manning 2012)."""
    present = features > 0
    pos = np.asarray(present[positive].sum(axis=0), dtype=np.float64).ravel() + alpha
    neg = np.asarray(present[~positive].sum(axis=0), dtype=np.float64).ravel() + alpha
    out: Matrix = np.log(pos / pos.sum()) - np.log(neg / neg.sum())
    return out


class NBLinearHead:
    """NB-SVM: one-vs-rest linear SVMs, each on the features scaled by its class's
    naive-Bayes log-count ratios (:func:`nb_ratios`). Class ``k`` scores
    ``(x ⊙ r_k) · w_k + b_k = x · (r_k ⊙ w_k) + b_k``, so the fitted model keeps one
    float32 matrix (features × classes) and a query costs one sparse-dense product."""

    def __init__(self, c: float = 0.1, alpha: float = 1.0) -> None:
        _sklearn()
        self.c = c
        self.alpha = alpha
        self.coef = np.zeros((0, 0), dtype=np.float32)
        self.intercept = np.zeros(0)

    def fit(self, features: Any, labels: npt.NDArray[np.int64], n_classes: int) -> NBLinearHead:
        from scipy.sparse import diags
        from sklearn.svm import LinearSVC

        if features.shape[0] != len(labels) or len(set(labels.tolist())) < 2:
            raise InputError("NB-SVM training needs one label per row and two distinct labels")
        x = features.tocsr()
        self.coef = np.zeros((x.shape[1], n_classes), dtype=np.float32)
        self.intercept = np.full(n_classes, -np.inf)  # classes never seen score -inf
        for k in sorted(set(labels.tolist())):
            positive = labels == k
            r = nb_ratios(x, positive, self.alpha)
            svm = LinearSVC(C=self.c).fit(x @ diags(r), positive.astype(np.int64))
            self.coef[:, k] = r * svm.coef_.ravel()
            self.intercept[k] = float(svm.intercept_[0])
        return self

    def logits(self, features: Any) -> Matrix:
        if features.shape[1] != self.coef.shape[0]:
            raise InputError(
                f"the NB-SVM was trained on {self.coef.shape[0]} features, got {features.shape[1]}"
            )
        scores = np.asarray(features.astype(np.float32) @ self.coef, dtype=np.float64)
        out: Matrix = scores + self.intercept
        return out


class TfidfFeatures:
    """TF-IDF over character n-grams (``char_wb``), words, or the terms of ``tokenizer``.

    Rows are L2-normalised, with sublinear tf unless ``sublinear_tf`` is off (the
    published baselines use raw counts); ``max_df`` drops terms found in more than that
    share of the texts, ``min_df`` those found in fewer texts than that.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (2, 4),
        tokenizer: Callable[[str], list[str]] | None = None,
        max_features: int | None = 200_000,
        analyzer: Literal["char_wb", "char", "word"] = "char_wb",
        max_df: float = 1.0,
        min_df: int = 1,
        sublinear_tf: bool = True,
    ) -> None:
        _sklearn()
        from sklearn.feature_extraction.text import TfidfVectorizer

        if tokenizer is not None:
            self._vec = TfidfVectorizer(
                tokenizer=tokenizer,
                token_pattern=None,
                lowercase=False,
                sublinear_tf=sublinear_tf,
                ngram_range=ngram_range,
                max_features=max_features,
                max_df=max_df,
                min_df=min_df,
            )
        else:
            self._vec = TfidfVectorizer(
                analyzer=analyzer,
                ngram_range=ngram_range,
                sublinear_tf=sublinear_tf,
                max_features=max_features,
                max_df=max_df,
                min_df=min_df,
                **({"token_pattern": r"(?u)\b\w+\b"} if analyzer == "word" else {}),
            )

    def fit_transform(self, texts: Sequence[str]) -> Any:
        return self._vec.fit_transform(list(texts))

    def transform(self, texts: Sequence[str]) -> Any:
        return self._vec.transform(list(texts))


def hstack(blocks: Sequence[Any]) -> Any:
    """Join sparse feature blocks side by side."""
    from scipy.sparse import hstack as sparse_hstack

    return sparse_hstack(list(blocks)).tocsr()


class BoostedTrees:
    """Gradient-boosted trees (histogram-based) for a binary label → probability of 1."""

    def __init__(
        self,
        *,
        max_iter: int = 150,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 31,
        l2_regularization: float = 1.0,
        seed: int = 0,
    ) -> None:
        _sklearn()
        from sklearn.ensemble import HistGradientBoostingClassifier

        self._model: Any = HistGradientBoostingClassifier(
            max_iter=max_iter,
            learning_rate=learning_rate,
            max_leaf_nodes=max_leaf_nodes,
            l2_regularization=l2_regularization,
            random_state=seed,
        )

    def fit(self, features: Matrix, labels: npt.NDArray[np.int64]) -> BoostedTrees:
        if len(set(labels.tolist())) < 2:
            raise InputError("training a classifier needs both labels (0 and 1)")
        self._model.fit(features, labels)
        return self

    def predict(self, features: Matrix) -> Matrix:
        """Probability of label 1 for each row."""
        if len(features) == 0:
            return np.zeros(0)
        proba: Matrix = np.asarray(self._model.predict_proba(features)[:, 1], dtype=np.float64)
        return proba

    def to_bytes(self) -> bytes:
        return pickle.dumps(self._model, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(cls, payload: bytes) -> BoostedTrees:
        """A model stored by :meth:`to_bytes` (only load payloads from your own store)."""
        out = cls.__new__(cls)
        out._model = pickle.loads(payload)  # noqa: S301 - our own model_artifacts rows
        return out
