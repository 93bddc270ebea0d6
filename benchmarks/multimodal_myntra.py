"""Issue #8: multimodal product features on the 2,500 Myntra products with real photos.

1. Embed all images through the full pipeline (read, hash, decode, encode, store) with
   onnxruntime, timed; the ONNX export is timed separately (done once at build time).
2. PyTorch vs onnxruntime on the same images, same batch size, several repeats (medians).
3. `evaluate_images` on articleType: leave-one-out k-NN (k=10, cosine) for text, image,
   colour, fused and fused+projection vectors; share of the top 10 "similar items"
   with the seed's articleType; title → own image recall@10 on 1,000 held-out products.

    .venv/bin/python benchmarks/multimodal_myntra.py [--repeats 3] [--speed-images 300]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _common import report, shared_data
from shopsense.app.image_eval import evaluate_catalog_images
from shopsense.app.settings import Settings
from shopsense.models.image_encoder import EfficientNetLite0
from shopsense.models.image_io import load_rgb, square


def _speed(images: list, backend: str, models: Path, repeats: int) -> float:
    encoder = EfficientNetLite0(models, backend=backend)  # type: ignore[arg-type]
    encoder.encode(images[:8])  # load / warm up
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        encoder.encode(images)
        rates.append(len(images) / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--speed-images", type=int, default=200)
    args = parser.parse_args()
    folder = shared_data() / "myntra_fashion"
    work = Path(tempfile.mkdtemp(prefix="shopsense-bench-mm."))
    settings = Settings(db=str(work / "store.db"), data_dir=work)

    start = time.perf_counter()
    EfficientNetLite0(settings.models_dir).export_onnx()
    export_s = time.perf_counter() - start

    result = evaluate_catalog_images(settings, folder / "products_sample.csv", "articleType")
    emb, r = result.embed.images, result.report

    photos = sorted((folder / "images").glob("*.jpg"))[: args.speed_images]
    images = [square(load_rgb(p)) for p in photos]
    onnx_rate = _speed(images, "onnx", settings.models_dir, args.repeats)
    torch_rate = _speed(images, "torch", settings.models_dir, args.repeats)

    rows = [
        {"measure": "onnx export (once)", "value": round(export_s, 1), "unit": "s"},
        {
            "measure": f"embed pipeline, {emb.embedded} images, onnxruntime",
            "value": round(emb.seconds, 1),
            "unit": "s",
        },
        {
            "measure": "  CPU time of that embed run, all threads (machine load excluded)",
            "value": round(emb.cpu_seconds, 1),
            "unit": "cpu-s",
        },
        {
            "measure": "  = images/s (read+hash+decode+encode+store)",
            "value": round(emb.images_per_second, 1),
            "unit": "img/s",
        },
        {
            "measure": f"encoder only, onnxruntime (median of {args.repeats})",
            "value": round(onnx_rate, 1),
            "unit": "img/s",
        },
        {
            "measure": f"encoder only, PyTorch (median of {args.repeats})",
            "value": round(torch_rate, 1),
            "unit": "img/s",
        },
        {
            "measure": "  onnxruntime / PyTorch",
            "value": round(onnx_rate / torch_rate, 2),
            "unit": "x",
        },
        {
            "measure": "findings (missing + corrupt images)",
            "value": emb.missing + emb.corrupt,
            "unit": "images",
        },
    ]
    for name, acc in r.knn_accuracy.items():
        rows.append(
            {
                "measure": f"articleType k-NN acc, {name}",
                "value": round(acc, 4),
                "unit": f"k={r.k}, {r.classes} classes",
            }
        )
    for name, prec in r.similar_precision.items():
        rows.append(
            {
                "measure": f"similar items sharing articleType (top {r.k}), {name}",
                "value": round(prec, 4),
                "unit": "share",
            }
        )
    rows.append(
        {
            "measure": f"title -> own image recall@{r.k}, {r.held_out} held out",
            "value": round(r.text_to_image_recall, 4),
            "unit": f"chance {r.text_to_image_chance:.3f}",
        }
    )
    report("multimodal_myntra", rows, ["measure", "value", "unit"])


if __name__ == "__main__":
    main()
