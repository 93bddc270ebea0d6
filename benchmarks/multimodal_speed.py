"""Issue #8 speed: embed the 2,500 Myntra photos through onnxruntime, beside PyTorch.

Run at normal priority (a speed measurement); everything else under ``nice``.
Each run ingests the catalogue into a fresh store and runs the full embedding
pipeline (read, hash, decode, dHash, colour histogram, square, encode, store);
the ONNX export is done once before and not timed. Reported per run: wall
seconds, process CPU seconds (all threads) and the load average before and
after. PyTorch (the same network, same batches) is timed on a sample only, beside
onnxruntime on the same sample.

    .venv/bin/python benchmarks/multimodal_speed.py [--runs 3] [--sample 128]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import report, shared_data
from shopsense.catalog.image_embed import ImageEmbedder
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.models.image_encoder import EfficientNetLite0
from shopsense.models.image_io import load_rgb, square
from shopsense.storage.engine import open_store


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _pipeline_run(catalogue: Path, models: Path, work: Path) -> dict[str, Any]:
    engine = open_store(str(work / "store.db"))
    ingest_file(engine, catalogue, IngestOptions(source="speed"))
    before = _load()
    summary = ImageEmbedder(engine, EfficientNetLite0(models)).run()
    engine.dispose()
    return {
        "images": summary.embedded,
        "wall_s": round(summary.seconds, 1),
        "cpu_s": round(summary.cpu_seconds, 1),
        "load_before": before,
        "load_after": _load(),
    }


def _encoder_rate(encoder: EfficientNetLite0, images: list[Any], runs: int) -> tuple[float, float]:
    encoder.encode(images[:8])  # load / warm up
    rates, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        encoder.encode(images)
        rates.append(len(images) / (time.perf_counter() - wall))
        cpus.append((time.process_time() - cpu) / len(images) * 1000)
    return statistics.median(rates), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=128)
    args = parser.parse_args()
    folder = shared_data() / "myntra_fashion"
    models = Path(tempfile.mkdtemp(prefix="shopsense-speed-models."))
    EfficientNetLite0(models).export_onnx()
    rows: list[dict[str, Any]] = []
    for n in range(args.runs):
        work = Path(tempfile.mkdtemp(prefix="shopsense-speed."))
        rows.append(
            {"what": f"embed pipeline, onnxruntime, run {n + 1}"}
            | _pipeline_run(folder / "products_sample.csv", models, work)
        )
    walls = [r["wall_s"] for r in rows]
    rows.append(
        {
            "what": f"embed pipeline, onnxruntime, median of {args.runs}",
            "images": rows[0]["images"],
            "wall_s": statistics.median(walls),
            "cpu_s": statistics.median(r["cpu_s"] for r in rows),
        }
    )
    photos = sorted((folder / "images").glob("*.jpg"))[: args.sample]
    images = [square(load_rgb(p)) for p in photos]
    for backend in ("onnx", "torch"):
        before = _load()
        rate, cpu_ms = _encoder_rate(EfficientNetLite0(models, backend=backend), images, 3)  # type: ignore[arg-type]
        rows.append(
            {
                "what": f"encoder only, {backend}, {len(images)} images, median of 3",
                "images": len(images),
                "img_per_s": round(rate, 1),
                "cpu_ms_per_img": round(cpu_ms, 1),
                "load_before": before,
                "load_after": _load(),
            }
        )
    report(
        "multimodal_speed",
        rows,
        ["what", "images", "wall_s", "cpu_s", "img_per_s", "cpu_ms_per_img", "load_before"],
    )


if __name__ == "__main__":
    main()
