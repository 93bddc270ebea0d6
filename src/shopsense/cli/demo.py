"""CLI: the end-to-end demo on the sample catalogue shipped with shopsense."""

from __future__ import annotations

from typing import Annotated

import typer

from shopsense.app.demo import DEMO_SIMILAR_SEED, ingest_demo_catalog
from shopsense.cli.catalog import print_summary
from shopsense.cli.common import DbOption, echo, services
from shopsense.cli.images import print_embed


def demo(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="Results shown per query.")] = 5,
) -> None:
    """Build a store from the shipped sample catalogue, then show what shopsense does with it."""
    with services(db or ".shopsense/demo.db") as svc:
        echo("== 1. ingest the sample catalogue (bad rows are quarantined, not lost)")
        print_summary(ingest_demo_catalog(svc))
        for row in svc.quarantine.page(limit=10):
            echo(f"  quarantined line {row.line_no}: {row.reason} ({row.detail})")
        echo()
        echo(f"== 2. the store holds {svc.products.count()} products, e.g.:")
        for p in svc.products.page(limit=limit):
            echo(f"  {p.id}  {p.title}  [{p.category_path}]")
        echo()
        echo("== 3. embed product images (EfficientNet-Lite0 via onnxruntime) and titles")
        print_embed(svc.multimodal.embed())
        seed = svc.products.get(DEMO_SIMILAR_SEED)
        echo()
        echo(f"== 4. looks similar to {seed.id} {seed.title} (title + image + colour):")
        for hit in svc.multimodal.similar(seed.id, limit):
            echo(f"  {hit.score:.3f}  {hit.product.id}  {hit.product.title}")
