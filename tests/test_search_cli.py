"""Search from the command line: index build, filtered search, the learned ranker, eval."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from shopsense.app.demo import DEMO_CATALOG


def run(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        SHOPSENSE_DB=str(tmp / "cli.db"),
        SHOPSENSE_DATA_DIR=str(tmp / "data"),
        SHOPSENSE_SEMANTIC="false",  # the encoder has its own tests; keep these quick
    )
    return subprocess.run(
        [sys.executable, "-m", "shopsense.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def test_index_search_train_and_rank_with_the_model(tmp_path: Path) -> None:
    run("ingest", str(DEMO_CATALOG), tmp=tmp_path)
    built = json.loads(run("index", "build", "--json", tmp=tmp_path).stdout)
    assert built["products"] == built["indexed"] > 300
    assert built["ranker"].startswith("linear ranker: no search-ltr model is stored")
    again = json.loads(run("index", "build", "--json", tmp=tmp_path).stdout)
    assert again["indexed"] == 0

    out = run(
        "search", "headphones", "--brand", "Sony", "--max-price", "300", "--json", tmp=tmp_path
    )
    result = json.loads(out.stdout)
    assert result["hits"] and result["facets"]["brand"] == {"Sony": result["total"]}
    for h in result["hits"]:
        paid = h["product"]["sale_price"] or h["product"]["price"]
        assert h["product"]["brand"] == "Sony" and paid is not None and paid <= 300
    assert result["hits"][0]["explanation"]["matched"]["title"] == ["headphones"]
    # the demo prices in CNY and USD; --currency keeps a price bound to one of them
    yuan = json.loads(
        run(
            "search", "跑步鞋", "--max-price", "700", "--currency", "rmb", "--json", tmp=tmp_path
        ).stdout
    )
    assert yuan["hits"] and {h["product"]["currency"] for h in yuan["hits"]} == {"CNY"}
    paid = [h["product"]["sale_price"] or h["product"]["price"] for h in yuan["hits"]]
    assert max(paid) <= 700 and "跑步鞋" in yuan["hits"][0]["product"]["title"]

    queries = tmp_path / "q.tsv"
    qrels = tmp_path / "qrels.txt"
    judged = {
        "q1": ("sony headphones", "Sony"),
        "q2": ("小米手机", "Xiaomi"),
        "q3": ("running shoes", "Adidas"),
    }
    queries.write_text("".join(f"{q}\t{t}\n" for q, (t, _) in judged.items()), encoding="utf-8")
    with DEMO_CATALOG.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    lines = [
        f"{q} 0 {r['id']} {2 if b in (r.get('brand') or '') else 0}\n"
        for q, (_, b) in judged.items()
        for r in rows
    ]
    qrels.write_text("".join(lines), encoding="utf-8")
    trained = run(
        "index",
        "train-ranker",
        "--queries",
        str(queries),
        "--qrels",
        str(qrels),
        "--json",
        tmp=tmp_path,
    )
    assert json.loads(trained.stdout) == {"model": "search-ltr", "version": 1}
    ltr = json.loads(
        run("search", "sony headphones", "--mode", "ltr", "--json", tmp=tmp_path).stdout
    )
    assert ltr["hits"][0]["explanation"]["ranker"] == "lambdamart"
    assert ltr["hits"][0]["product"]["brand"] == "Sony"
    assert "ranker: search-ltr version 1\n" in run("index", "build", tmp=tmp_path).stdout


def test_eval_search_on_the_esci_fixture(tmp_path: Path, shared_data: Path) -> None:
    esci = shared_data / "esci_fixture"
    with (esci / "qrels.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    grade = {"E": 3, "S": 2, "C": 1, "I": 0}
    (tmp_path / "q.tsv").write_text(f"535\t{rows[0]['query']}\n", encoding="utf-8")
    (tmp_path / "qrels.txt").write_text(
        "".join(f"535 0 {r['product_id']} {grade[r['esci_label']]}\n" for r in rows),
        encoding="utf-8",
    )
    out = run(
        "eval",
        "search",
        "--catalog",
        str(esci / "products_flat.csv"),
        "--queries",
        str(tmp_path / "q.tsv"),
        "--qrels",
        str(tmp_path / "qrels.txt"),
        "--mode",
        "bm25",
        "--json",
        tmp=tmp_path,
    )
    (row,) = json.loads(out.stdout)["rows"]
    assert row["mode"] == "bm25" and row["queries"] == 1
    assert 0 < row["ndcg@10"] <= 1 and row["mrr@10"] == 1.0
