"""Probe: all-MiniLM-L6-v2 (English) through onnxruntime beside USE multilingual, both on
one thread — query-encoding latency, catalogue encoding rate and dense-only MRR@10
on Abt→Buy (exact search, query = Abt title, answer = the Buy product).

    .venv/bin/python benchmarks/encoder_minilm_probe.py

Not used by shopsense: a measurement for choosing the encoder. The ONNX export
(torch, mean pooling over the attention mask) is cached in /tmp.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from transformers import AutoModel

from _common import report, shared_data
from shopsense.models.minilm_checkpoint import MiniLMTokenizer, checkpoint_dir
from shopsense.models.sentence_encoder import MultilingualUSE, Vectors, l2_normalise

ONNX = Path("/tmp/shopsense-bench-minilm/minilm-mean.onnx")


class MeanPooled(torch.nn.Module):
    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.model(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def minilm_encoder() -> Callable[[Sequence[str]], Vectors]:
    if not ONNX.exists():
        ONNX.parent.mkdir(parents=True, exist_ok=True)
        model = AutoModel.from_pretrained(str(checkpoint_dir())).eval()
        dummy = (torch.ones((2, 8), dtype=torch.long), torch.ones((2, 8), dtype=torch.long))
        axes = {"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"}, "emb": {0: "b"}}
        torch.onnx.export(
            MeanPooled(model),
            dummy,
            str(ONNX),
            input_names=["input_ids", "attention_mask"],
            output_names=["emb"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        str(ONNX), sess_options=options, providers=["CPUExecutionProvider"]
    )
    tokenizer = MiniLMTokenizer(max_length=128)

    def encode(texts: Sequence[str]) -> Vectors:
        parts = [
            session.run(["emb"], tokenizer(list(texts[i : i + 64])))[0]
            for i in range(0, len(texts), 64)
        ]
        return l2_normalise(np.vstack(parts))

    return encode


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="|"))


def main() -> None:
    base = shared_data() / "entity_matching" / "D2"
    abt = {r["id"]: r for r in _rows(base / "abt.csv")}
    buy = _rows(base / "buy.csv")
    relevant: dict[str, set[str]] = {}
    for g in _rows(base / "gt.csv"):
        relevant.setdefault(g["D1"], set()).add(g["D2"])
    qids = sorted(relevant)
    queries = [abt[q]["name"] for q in qids]
    catalogue = [
        " | ".join(p for p in (r["name"], r.get("description", "")[:300]) if p) for r in buy
    ]
    ids = [r["id"] for r in buy]
    rows = []
    for name, encode in (
        ("USE multilingual, 1 thread", MultilingualUSE().encode),
        ("MiniLM-L6 onnxruntime, 1 thread", minilm_encoder()),
    ):
        encode(["warm up"])
        t0 = time.perf_counter()
        cvec = encode(catalogue)
        seconds = time.perf_counter() - t0
        scores = encode(queries) @ cvec.T
        mrr = 0.0
        for i, q in enumerate(qids):
            for rank, j in enumerate(np.argsort(-scores[i])[:10], start=1):
                if ids[j] in relevant[q]:
                    mrr += 1 / rank
                    break
        times = {}
        for label, texts in (
            ("title", queries[:300]),
            ("3 words", [" ".join(q.split()[:3]) for q in queries[:300]]),
        ):
            lat = []
            for q in texts:
                t0 = time.perf_counter()
                encode([q])
                lat.append((time.perf_counter() - t0) * 1000)
            times[label] = (float(np.percentile(lat, 50)), float(np.percentile(lat, 99)))
        rows.append(
            {
                "encoder": name,
                "dense_mrr@10": mrr / len(qids),
                "catalogue_texts_per_s": len(catalogue) / seconds,
                "title_query_p50_ms": times["title"][0],
                "title_query_p99_ms": times["title"][1],
                "3word_query_p50_ms": times["3 words"][0],
                "3word_query_p99_ms": times["3 words"][1],
                "load": round(os.getloadavg()[0], 1),
            }
        )
    report("encoder_minilm_probe", rows, list(rows[0]))


if __name__ == "__main__":
    main()
