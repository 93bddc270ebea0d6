"""`shopsense images embed`, `shopsense similar` and `shopsense eval images` on real photos."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(
    *args: str, db: Path, data_dir: Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SHOPSENSE_DB=str(db), SHOPSENSE_DATA_DIR=str(data_dir))
    return subprocess.run(
        [sys.executable, "-m", "shopsense.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


def _slice(shared_data: Path, out: Path, n: int = 40) -> Path:
    """The first ``n`` Myntra products (title, articleType, photo) and one whose photo is gone."""
    folder = shared_data / "myntra_fashion"
    with (folder / "products_sample.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for _, r in zip(range(n), csv.DictReader(fh), strict=False)]
    path = out / "slice.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "title", "articleType", "image_path"])
        for r in rows:
            writer.writerow(
                [
                    r["id"],
                    r["productDisplayName"],
                    r["articleType"],
                    str(folder / "images" / f"{r['id']}.jpg"),
                ]
            )
        writer.writerow(["gone1", "Photo went missing", "Tshirts", str(out / "gone.jpg")])
    return path


@pytest.mark.slow
def test_embed_similar_and_eval_from_the_command_line(shared_data: Path, tmp_path: Path) -> None:
    catalog = _slice(shared_data, tmp_path)
    db, data = tmp_path / "cli.db", tmp_path / "data"
    run("ingest", str(catalog), "--json", db=db, data_dir=data)

    first = json.loads(run("images", "embed", "--json", db=db, data_dir=data).stdout)
    assert (first["products"], first["embedded"], first["missing"]) == (41, 40, 1)
    assert first["findings"] == [
        {"product_id": "gone1", "reason": "missing", "detail": first["findings"][0]["detail"]}
    ]
    assert first["texts_encoded"] == 41
    again = json.loads(run("images", "embed", "--json", db=db, data_dir=data).stdout)
    assert (again["embedded"], again["reused"], again["texts_encoded"]) == (0, 40, 0)

    seed = "1530"
    out = json.loads(run("similar", seed, "--k", "5", "--json", db=db, data_dir=data).stdout)
    assert out["item"] == seed and len(out["similar"]) == 5
    assert seed not in [s["id"] for s in out["similar"]]
    scores = [s["score"] for s in out["similar"]]
    assert scores == sorted(scores, reverse=True)
    found = json.loads(
        run("images", "search", "sunglasses", "--k", "3", "--json", db=db, data_dir=data).stdout
    )
    assert found["query"] == "sunglasses" and len(found["items"]) == 3
    dups = json.loads(run("images", "duplicates", "--json", db=db, data_dir=data).stdout)
    assert all(p["kind"] in {"identical_photo", "same_product_reshot"} for p in dups["pairs"])
    missing = run("similar", "nope", db=db, data_dir=data, check=False)
    assert missing.returncode == 3 and "no product with id 'nope'" in missing.stderr

    report = json.loads(
        run(
            "eval",
            "images",
            "--catalog",
            str(catalog),
            "--label-col",
            "articleType",
            "--json",
            db=tmp_path / "eval.db",
            data_dir=data,
        ).stdout
    )
    assert report["products"] == 40
    assert set(report["knn_accuracy"]) == {"text", "image", "colour", "fused", "fused+projection"}
    assert all(0.0 <= v <= 1.0 for v in report["similar_precision"].values())
    assert report["held_out"] == 20 and 0.0 <= report["text_to_image_recall"] <= 1.0
    bad = run(
        "eval",
        "images",
        "--catalog",
        str(catalog),
        "--label-col",
        "nope",
        db=tmp_path / "eval.db",
        data_dir=data,
        check=False,
    )
    assert bad.returncode == 2 and "'nope'" in bad.stderr
