"""Issue #8: "similar items" of content-based recommendations with and without the image block.

The 2,500 Myntra products with real photos (ingested with every column; the
recommender's text block is ``product_text``: title, brand, category path,
description — the catalogue maps no category, so articleType is not in it).
For every product as the seed, ``ContentBased.similar`` ranks the others; the
measure is the share of the top 10 sharing the seed's articleType. Block sets:
text only (what recommendations used before), text + fused image block, text +
fused block with the category projection (fitted with the seeds' labels hidden,
5-fold, so every seed is held out). Weight of the image block: a small grid.

    nice -n 19 .venv/bin/python benchmarks/multimodal_recs.py [--work DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from _common import report, shared_data
from shopsense.app.image_eval import label_of
from shopsense.app.multimodal import MultimodalService
from shopsense.app.recommendations import cached_text_vectors
from shopsense.app.settings import Settings
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.catalog.store import ProductStore
from shopsense.evaluation.image_eval import content_similar_precision
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.retrieval.multimodal_store import load_blocks
from shopsense.storage.engine import open_store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path("/tmp/shopsense-bench-mmrecs"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    settings = Settings(db=str(args.work / "store.db"), data_dir=args.work)
    engine = open_store(settings.db)
    catalogue = shared_data() / "myntra_fashion" / "products_sample.csv"
    ingest_file(engine, catalogue, IngestOptions(source="bench"))
    service = MultimodalService(engine, settings)
    service.embed()
    ids, blocks = load_blocks(
        engine, service.text_encoder, service.image_encoder.name, service.image_encoder.dim
    )
    products = ProductStore(engine).get_many(ids)
    keep = [
        i
        for i, pid in enumerate(ids)
        if blocks.has_image()[i] and label_of(products[pid], "articleType")
    ]
    chosen = [products[ids[i]] for i in keep]
    labels = [str(label_of(p, "articleType")) for p in chosen]
    text = cached_text_vectors(engine, chosen, MultilingualUSE()).vectors
    rows: list[dict[str, Any]] = []
    for weight in (0.5, 1.0, 2.0):
        shares = content_similar_precision(text, blocks.take(keep), labels, image_weight=weight)
        for blockset, share in shares.items():
            if blockset == "text" and rows:
                continue  # the text-only figure does not depend on the image weight
            rows.append(
                {
                    "blocks": blockset,
                    "image weight": weight if blockset != "text" else "-",
                    "seeds": len(labels),
                    "articleType agreement@10": round(share, 4),
                }
            )
    report("multimodal_recs", rows, ["blocks", "image weight", "seeds", "articleType agreement@10"])
    engine.dispose()


if __name__ == "__main__":
    main()
