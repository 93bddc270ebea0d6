"""Fine-tune all-MiniLM-L6-v2 for text classification and export it to ONNX.

The only module that imports torch and transformers. Training reads top to bottom:
tokenise, AdamW with linear warm-up/decay, a fixed number of epochs, export. Serving
does not need torch: :class:`shopsense.models.onnx_classifier.OnnxClassifier` runs
the exported graph.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shopsense.models.minilm_checkpoint import MiniLMTokenizer, checkpoint_dir


@dataclass(frozen=True)
class FineTuneConfig:
    epochs: int = 10
    learning_rate: float = 1e-4
    batch_size: int = 32
    max_length: int = 32
    warmup: float = 0.1
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
    """Fine-tune a classification head and the encoder; return the ONNX graph as bytes.

    The graph takes ``input_ids`` and ``attention_mask`` (int64, batch × length) and
    returns ``logits`` (batch × ``n_classes``).
    """
    torch, transformers = _torch()
    torch.manual_seed(config.seed)
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    transformers.logging.set_verbosity_error()
    model = transformers.AutoModelForSequenceClassification.from_pretrained(
        str(checkpoint_dir()), num_labels=n_classes
    )
    tokenizer = MiniLMTokenizer(config.max_length)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.01)
    steps = config.epochs * ((len(texts) + config.batch_size - 1) // config.batch_size)
    schedule = transformers.get_linear_schedule_with_warmup(
        optimiser, int(config.warmup * steps), steps
    )
    rng = np.random.default_rng(config.seed)
    model.train()
    for _epoch in range(config.epochs):
        order = rng.permutation(len(texts))
        for start in range(0, len(order), config.batch_size):
            idx = order[start : start + config.batch_size]
            batch = {k: torch.from_numpy(v) for k, v in tokenizer([texts[i] for i in idx]).items()}
            out = model(**batch, labels=torch.from_numpy(labels[idx]))
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
    return _export(torch, _LogitsOnly(torch, model), tokenizer, "logits")


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


def _LogitsOnly(torch: Any, model: Any) -> Any:  # noqa: N802 - a module factory
    class LogitsOnly(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).logits

    return LogitsOnly()


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

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask)
            mask = attention_mask.unsqueeze(-1).to(hidden.last_hidden_state.dtype)
            pooled = (hidden.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1)

    return MeanPooled()
