"""Price filters read from real queries: how many, and which (judged by hand).

    .venv/bin/python benchmarks/price_parse.py [--show]

Queries: the 100,000 real Taobao queries of ``multicpr_queries_zh/train.query.txt``. Each
price the attribute parser finds is counted as ``applied`` (confidence ≥ the search's
``ATTRIBUTE_CONFIDENCE``: it becomes a price filter) or ``soft`` (shown in the parse, not
applied). There is no gold standard: ``--show`` prints every applied price for a reading by
hand. To compare two versions of the parser, run the script in each checkout.
"""

from __future__ import annotations

import argparse
import time

from _common import report, shared_data
from shopsense.app.search_parse import ATTRIBUTE_CONFIDENCE
from shopsense.query.attributes import AttributeParser


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true", help="print every applied price")
    args = ap.parse_args()
    path = shared_data() / "multicpr_queries_zh" / "train.query.txt"
    with path.open(encoding="utf-8") as lines:
        queries = [line.rstrip("\n").split("\t")[1] for line in lines]
    parser = AttributeParser()
    counts = {"applied": 0, "soft": 0}
    t0 = time.perf_counter()
    for query in queries:
        for f in parser.parse(query):
            if f.field != "price":
                continue
            applied = f.confidence >= ATTRIBUTE_CONFIDENCE
            counts["applied" if applied else "soft"] += 1
            if applied and args.show:
                print(f"{query}\t{f.text!r}\t{f.low}\t{f.high}")
    us = (time.perf_counter() - t0) * 1e6 / len(queries)
    row = {"queries": len(queries), **counts, "us_per_query": us}
    report("price-parse", [row], list(row))


if __name__ == "__main__":
    main()
