"""CLI: embed product images, "looks similar", and the image evaluation."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from shopsense.app.image_eval import evaluate_catalog_images
from shopsense.app.multimodal import EmbedResult
from shopsense.cli.common import DbOption, JsonOption, echo, emit_json, services, settings_for

images_app = typer.Typer(help="Product images: embeddings and findings.", no_args_is_help=True)

Tick = Callable[[int, int], None]
KOption = Annotated[int, typer.Option("--k", min=1, max=100, help="How many items.")]


def _bar(show: bool, label: str) -> tuple[AbstractContextManager[object], Tick | None]:
    """A progress bar on a terminal (stderr), nothing otherwise."""
    if not show or not sys.stderr.isatty():
        return nullcontext(), None
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    )
    task = bar.add_task(label, total=None)

    def tick(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, tick


def _embed_dict(result: EmbedResult) -> dict[str, object]:
    s = result.images
    return {
        "model": s.model,
        "products": s.products,
        "embedded": s.embedded,
        "reused": s.reused,
        "missing": s.missing,
        "corrupt": s.corrupt,
        "no_image": s.no_image,
        "seconds": round(s.seconds, 2),
        "images_per_second": round(s.images_per_second, 1),
        "texts_encoded": result.texts_encoded,
        "findings": [
            {"product_id": f.product_id, "reason": f.status, "detail": f.detail} for f in s.findings
        ],
    }


def print_embed(result: EmbedResult) -> None:
    s = result.images
    echo(
        f"images: {s.products} products = {s.embedded} embedded + {s.reused} already done "
        f"+ {s.missing} missing + {s.corrupt} corrupt + {s.no_image} without an image"
    )
    echo(f"  {s.model}, {s.seconds:.1f} s ({s.images_per_second:.1f} images/s)")
    echo(f"  titles encoded: {result.texts_encoded}")
    for f in s.findings[:20]:
        echo(f"  {f.status}: {f.product_id} ({f.detail})")


@images_app.command("embed")
def embed(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Embed every product image and title not embedded yet (resumable; bad images recorded)."""
    with services(db) as svc:
        bar, tick = _bar(not as_json, "embedding images")
        with bar:
            result = svc.multimodal.embed(tick)
    if as_json:
        emit_json(_embed_dict(result))
    else:
        print_embed(result)


@images_app.command("search")
def search_images(
    query: Annotated[str, typer.Argument(help="What the product should look like.")],
    k: KOption = 10,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Products whose photo fits QUERY, whatever their title says (text → image)."""
    with services(db) as svc:
        hits = svc.multimodal.search_by_image(query, k)
    items = [
        {"id": h.product.id, "title": h.product.title, "score": round(h.score, 4)} for h in hits
    ]
    if as_json:
        emit_json({"query": query, "items": items})
        return
    for it in items:
        echo(f"  {it['score']:.3f}  {it['id']}  {it['title']}")


@images_app.command("duplicates")
def duplicates(
    max_hamming: Annotated[
        int, typer.Option(min=0, max=32, help="dHash bits apart still 'the same photo'.")
    ] = 4,
    min_cosine: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Embedding cosine for 'shot twice'.")
    ] = 0.95,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Near-duplicate product photos: identical photos and the same product shot twice."""
    with services(db) as svc:
        pairs = svc.multimodal.duplicates(max_hamming, min_cosine)
    if as_json:
        emit_json({"pairs": pairs})
        return
    for p in pairs:
        echo(f"  {p.kind}  {p.product_a}  {p.product_b}  {p.score:g}")
    echo(f"({len(pairs)} pairs)")


def similar(
    item: Annotated[str, typer.Argument(help="Product id of the seed item.")],
    k: KOption = 10,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Products that look similar to ITEM (fused title + image + colour vector)."""
    with services(db, existing=True) as svc:
        seed = svc.products.get(item)
        hits = svc.multimodal.similar(item, k)
    if as_json:
        emit_json(
            {
                "item": seed.id,
                "similar": [
                    {
                        "id": h.product.id,
                        "title": h.product.title,
                        "category": h.product.category_path,
                        "score": round(h.score, 4),
                    }
                    for h in hits
                ],
            }
        )
        return
    echo(f"looks similar to {seed.id}  {seed.title}")
    for h in hits:
        echo(f"  {h.score:.3f}  {h.product.id}  {h.product.title}  [{h.product.category_path}]")


def eval_images(
    catalog: Annotated[Path, typer.Option("--catalog", help="Catalogue file with images.")],
    label_col: Annotated[
        str, typer.Option("--label-col", help="Label column (an attribute, or 'category').")
    ],
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="field=column, as for ingest (repeatable)")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """k-NN label accuracy of text, image, colour and fused vectors; text → image recall@10."""
    settings = settings_for(db)
    if db is None:
        settings = settings.model_copy(update={"db": str(settings.data_dir / "eval-images.db")})
    bar, tick = _bar(not as_json, "embedding images")
    with bar:
        result = evaluate_catalog_images(settings, catalog, label_col, tuple(mapping or ()), tick)
    r = result.report
    if as_json:
        emit_json(
            {"ingest": result.ingest.to_dict(), "embed": _embed_dict(result.embed), **vars(r)}
        )
        return
    echo(f"{r.products} products with an image and a {label_col!r} label, {r.classes} classes")
    echo(f"{'vectors':<18}{'k-NN acc':>10}{'p@' + str(r.k):>8}")
    for name, acc in r.knn_accuracy.items():
        echo(f"{name:<18}{acc:>10.3f}{r.similar_precision[name]:>8.3f}")
    echo(
        f"text → image recall@{r.k}: {r.text_to_image_recall:.3f} on {r.held_out} held-out "
        f"products (chance {r.text_to_image_chance:.3f})"
    )
