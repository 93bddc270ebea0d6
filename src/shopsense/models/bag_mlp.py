"""A small neural text classifier: one hidden ReLU layer over a sparse bag of features.

The model is ``softmax(W₂ · dropout(relu(X W₁ + b₁)) + b₂)`` where ``X`` is a sparse
(TF-IDF) feature matrix, so the first layer is an embedding bag weighted by the
features' values (fastText-like, with a non-linearity). Training uses torch (Adam with
a one-cycle learning-rate schedule, a fixed number of epochs); the fitted weights are
kept as numpy arrays, so serving needs neither torch nor a GPU: a query costs one
sparse-dense product. Dense rows (sentence vectors) are a bag over every column, so the
same network is also an MLP head on a frozen encoder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shopsense.core.errors import InputError

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class BagMLPConfig:
    hidden: int = 64
    epochs: int = 4
    #: small data sets get more epochs, up to at least this many optimiser steps
    min_steps: int = 300
    learning_rate: float = 2e-3
    batch_size: int = 128
    dropout: float = 0.5
    #: dropout on the input values (the bag's weights; for dense rows, input dropout)
    input_dropout: float = 0.0
    #: AdamW's decoupled weight decay (0: plain Adam)
    weight_decay: float = 0.0
    #: one-cycle learning-rate schedule; off: a constant rate
    one_cycle: bool = True
    seed: int = 0
    threads: int = 0  # 0: leave torch's setting


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - install hint
        raise ImportError("training the bag MLP needs `pip install torch==2.13.0`") from exc
    return torch


class BagMLP:
    """Fitted weights of the network; :meth:`logits` runs it in numpy."""

    def __init__(
        self,
        w1: npt.NDArray[np.float32],
        b1: npt.NDArray[np.float32],
        w2: npt.NDArray[np.float32],
        b2: npt.NDArray[np.float32],
    ) -> None:
        self.w1, self.b1, self.w2, self.b2 = w1, b1, w2, b2

    @property
    def n_features(self) -> int:
        return int(self.w1.shape[0])

    def logits(self, features: Any) -> Matrix:
        """Class scores for each row of ``features`` (sparse or dense, ``n × n_features``)."""
        if features.shape[1] != self.n_features:
            raise InputError(
                f"the bag MLP was trained on {self.n_features} features, got {features.shape[1]}"
            )
        # float32 in, so the product does not upcast (copy) the first layer
        x = features.astype(np.float32)
        hidden = np.maximum(np.asarray(x @ self.w1, dtype=np.float32) + self.b1, 0.0)
        out: Matrix = (hidden @ self.w2.T + self.b2).astype(np.float64)
        return out


def _network(torch: Any, n_features: int, n_classes: int, config: BagMLPConfig) -> Any:
    nn = torch.nn

    class Net(nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.bag = nn.EmbeddingBag(n_features, config.hidden, mode="sum")
            nn.init.normal_(self.bag.weight, 0.0, 0.1)
            self.b1 = nn.Parameter(torch.zeros(config.hidden))
            self.drop = nn.Dropout(config.dropout)
            self.in_drop = nn.Dropout(config.input_dropout)
            self.out = nn.Linear(config.hidden, n_classes)

        def forward(self, x: Any) -> Any:
            idx = torch.from_numpy(x.indices.astype(np.int64))
            offsets = torch.from_numpy(x.indptr[:-1].astype(np.int64))
            weights = self.in_drop(torch.from_numpy(x.data.astype(np.float32)))
            hidden = self.bag(idx, offsets, per_sample_weights=weights) + self.b1
            return self.out(self.drop(torch.relu(hidden)))

    return Net()


def train_bag_mlp(
    features: Any, labels: npt.NDArray[np.int64], n_classes: int, config: BagMLPConfig
) -> BagMLP:
    """Fit the network on ``features`` (rows = texts; a scipy sparse matrix, or dense
    rows such as sentence vectors, which are then a bag over every column) and ``labels``."""
    if features.shape[0] != len(labels) or len(set(labels.tolist())) < 2:
        raise InputError("training the bag MLP needs one label per row and two distinct labels")
    torch = _torch()
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    from scipy.sparse import csr_matrix

    x = csr_matrix(features, dtype=np.float32)
    net = _network(torch, x.shape[1], n_classes, config)
    opt = torch.optim.AdamW(
        net.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    per_epoch = -(-x.shape[0] // config.batch_size)
    epochs = max(config.epochs, -(-config.min_steps // per_epoch))
    steps = epochs * per_epoch
    schedule = (
        torch.optim.lr_scheduler.OneCycleLR(
            opt, config.learning_rate, total_steps=steps, pct_start=0.1
        )
        if config.one_cycle
        else torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0)
    )
    y = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    net.train()
    for _ in range(epochs):
        order = rng.permutation(x.shape[0])
        for start in range(0, len(order), config.batch_size):
            rows = order[start : start + config.batch_size]
            loss = torch.nn.functional.cross_entropy(net(x[rows]), y[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
    return _export(net)


def _export(net: Any) -> BagMLP:
    def arr(t: Any) -> npt.NDArray[np.float32]:
        out: npt.NDArray[np.float32] = t.detach().cpu().numpy().astype(np.float32)
        return out

    return BagMLP(arr(net.bag.weight), arr(net.b1), arr(net.out.weight), arr(net.out.bias))
