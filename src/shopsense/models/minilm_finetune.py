"""Fine-tune all-MiniLM-L6-v2 for text classification and export it to ONNX.

The only module that imports torch and transformers. Training reads top to bottom:
mean-pooled encoder + linear head, the head initialised from a logistic regression on
the frozen vectors, AdamW (a small encoder rate, a larger head rate) with linear
warm-up/decay, a number of epochs (chosen on held-out training rows), export. Serving
does not need torch: :class:`shopsense.models.onnx_classifier.OnnxClassifier` runs
the exported graph.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shopsense.models.linear import LinearHead
from shopsense.models.minilm_checkpoint import MiniLMTokenizer, checkpoint_dir


@dataclass(frozen=True)
class FineTuneConfig:
    """How :func:`fine_tune` trains. The network is the sentence encoder as
    sentence-transformers uses it (mean pooling over tokens, L2-normalised) under a linear
    head. ``head_c`` > 0: the head starts as the softmax regression (C = ``head_c``) fitted
    on the frozen vectors, then encoder and head train together ("linear probe, then fine
    tune"); 0: a random head. ``learning_rate`` is the encoder's, ``head_learning_rate``
    the head's. ``select_holdout`` > 0: the number of epochs (1 … ``epochs``) is chosen
    by accuracy on that share of the training texts (:func:`choose_epochs`)."""

    epochs: int = 4
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    head_c: float = 10.0
    batch_size: int = 32
    max_length: int = 32
    warmup: float = 0.1
    select_holdout: float = 0.15
    seed: int = 0
    threads: int = 0  # 0: leave torch's setting (setting it also resizes BLAS pools)


def _torch() -> tuple[Any, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import torch
        import transformers
    except ImportError as exc:  # pragma: no cover - install hint
        raise ImportError("fine-tuning needs `pip install torch==2.13.0 transformers`") from exc
    return torch, transformers


def fine_tune(
    texts: Sequence[str],
    labels: npt.NDArray[np.int64],
    n_classes: int,
    config: FineTuneConfig = FineTuneConfig(),
) -> bytes:
    """Fine-tune encoder and head for ``config.epochs``; return the ONNX graph as bytes.

    The graph takes ``input_ids`` and ``attention_mask`` (int64, batch × length) and
    returns ``logits`` (batch × ``n_classes``).
    """
    torch, _ = _torch()
    model, tokenizer = _train(texts, labels, n_classes, config)
    return _export(torch, model, tokenizer, "logits")


def choose_epochs(
    texts: Sequence[str],
    labels: npt.NDArray[np.int64],
    n_classes: int,
    held: npt.NDArray[np.bool_],
    config: FineTuneConfig = FineTuneConfig(),
) -> tuple[int, list[float]]:
    """Train on the rows not ``held`` for up to ``config.epochs``, scoring the held rows
    after every epoch; the fewest epochs with the best held-out accuracy, and the curve."""
    torch, _ = _torch()
    fit_idx, held_idx = np.flatnonzero(~held).tolist(), np.flatnonzero(held).tolist()
    tokenizer = MiniLMTokenizer(config.max_length)
    held_texts = [texts[i] for i in held_idx]

    def accuracy(model: Any) -> float:
        logits = _logits(torch, model, tokenizer, held_texts)
        return float(np.mean(logits.argmax(axis=1) == labels[held_idx]))

    curve: list[float] = []
    _train(
        [texts[i] for i in fit_idx],
        labels[fit_idx],
        n_classes,
        config,
        lambda m: curve.append(accuracy(m)),
    )
    return int(np.argmax(curve)) + 1, curve


def _train(
    texts: Sequence[str],
    labels: npt.NDArray[np.int64],
    n_classes: int,
    config: FineTuneConfig,
    after_epoch: Callable[[Any], None] | None = None,
) -> tuple[Any, MiniLMTokenizer]:
    torch, transformers = _torch()
    torch.manual_seed(config.seed)
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    transformers.logging.set_verbosity_error()
    encoder = _MeanPooled(torch, transformers.AutoModel.from_pretrained(str(checkpoint_dir())))
    tokenizer = MiniLMTokenizer(config.max_length)
    model = _Classifier(torch, encoder, n_classes)
    if config.head_c > 0:
        _probe_head(torch, model, tokenizer, texts, labels, config.head_c)
    optimiser = torch.optim.AdamW(
        [
            {"params": encoder.parameters(), "lr": config.learning_rate},
            {"params": model.head.parameters(), "lr": config.head_learning_rate},
        ],
        weight_decay=0.01,
    )
    steps = config.epochs * ((len(texts) + config.batch_size - 1) // config.batch_size)
    schedule = transformers.get_linear_schedule_with_warmup(
        optimiser, int(config.warmup * steps), steps
    )
    rng = np.random.default_rng(config.seed)
    for _epoch in range(config.epochs):
        model.train()
        order = rng.permutation(len(texts))
        for start in range(0, len(order), config.batch_size):
            idx = order[start : start + config.batch_size]
            batch = [torch.from_numpy(v) for v in tokenizer([texts[i] for i in idx]).values()]
            loss = torch.nn.functional.cross_entropy(model(*batch), torch.from_numpy(labels[idx]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        if after_epoch is not None:
            after_epoch(model)
    return model, tokenizer


def _logits(torch: Any, module: Any, tokenizer: MiniLMTokenizer, texts: Sequence[str]) -> Any:
    module.eval()
    parts = []
    with torch.no_grad():
        for start in range(0, len(texts), 64):
            feed = tokenizer(list(texts[start : start + 64]))
            parts.append(module(*(torch.from_numpy(v) for v in feed.values())).numpy())
    return np.vstack(parts).astype(np.float64)


def _probe_head(
    torch: Any,
    model: Any,
    tokenizer: MiniLMTokenizer,
    texts: Sequence[str],
    labels: npt.NDArray[np.int64],
    c: float,
) -> None:
    """Set the head to the softmax regression fitted on the frozen sentence vectors;
    classes absent from ``labels`` get a zero row and a bias far below the others."""
    vectors = _logits(torch, model.encoder, tokenizer, texts)
    probe = LinearHead("softmax", c).fit(vectors, labels, model.n_classes)
    weight, bias = probe.coefficients()
    with torch.no_grad():
        model.head.weight.copy_(torch.from_numpy(weight).float())
        model.head.bias.copy_(torch.from_numpy(bias).float())


def _export(torch: Any, module: Any, tokenizer: MiniLMTokenizer, output: str) -> bytes:
    """``module(input_ids, attention_mask)`` as an ONNX graph with one output, ``output``."""
    module.eval()
    sample = {k: torch.from_numpy(v) for k, v in tokenizer(["a sample query", "b"]).items()}
    buffer = io.BytesIO()
    # the TorchScript exporter on purpose: the dynamo one needs onnxscript, and this
    # graph (a BERT forward pass) has no control flow it would handle better
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings on python-bool masks are expected
        torch.onnx.export(
            module,
            (sample["input_ids"], sample["attention_mask"]),
            buffer,
            input_names=["input_ids", "attention_mask"],
            output_names=[output],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "length"},
                "attention_mask": {0: "batch", 1: "length"},
                output: {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    return buffer.getvalue()


def _Classifier(torch: Any, encoder: Any, n_classes: int) -> Any:  # noqa: N802 - a module factory
    class Classifier(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.head = torch.nn.Linear(encoder.dim, n_classes)
            self.n_classes = n_classes

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.head(self.encoder(input_ids, attention_mask))

    return Classifier()


def export_sentence_encoder(max_length: int = 32) -> bytes:
    """The checkpoint as a sentence encoder (mean pooling over tokens, L2-normalised, as
    sentence-transformers uses it), exported to ONNX: inputs as :func:`fine_tune`'s graph,
    output ``embedding`` (batch × 384)."""
    torch, transformers = _torch()
    transformers.logging.set_verbosity_error()
    model = transformers.AutoModel.from_pretrained(str(checkpoint_dir()))
    return _export(torch, _MeanPooled(torch, model), MiniLMTokenizer(max_length), "embedding")


def _MeanPooled(torch: Any, model: Any) -> Any:  # noqa: N802 - a module factory
    class MeanPooled(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.model = model
            self.dim = int(model.config.hidden_size)

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask)
            mask = attention_mask.unsqueeze(-1).to(hidden.last_hidden_state.dtype)
            pooled = (hidden.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1)

    return MeanPooled()
