"""The demo runs end to end on the shipped sample catalogue, and a second run changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_demo(tmp_path: Path) -> str:
    env = dict(os.environ, SHOPSENSE_DB=str(tmp_path / "demo.db"))
    result = subprocess.run(
        [sys.executable, "-m", "shopsense.cli.main", "demo"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    return result.stdout


def test_demo_end_to_end_and_idempotent(tmp_path: Path) -> None:
    out = run_demo(tmp_path)
    # catalogue: every row accounted for, the bad ones named
    assert "rows read 328 = accepted 324 + quarantined 4" in out
    assert "quarantined line 324: negative_price" in out
    assert "flagged duplicate_id_in_file: 1" in out
    # search: ranked hits with a reason, English and Chinese
    sony = out.split("search 'sony headphones':")[1].split("search ")[0]
    assert "1. Sony" in sony and "why: matched title=sony+headphones" in sony
    zh = out.split("search '小米手机':")[1].split("search ")[0]
    assert "1. 小米" in zh and "why: matched title=小米+手机" in zh
    # queries are parsed first: attribute filters with spans and the predicted intent
    assert "intent model v1: trained on weak labels" in out
    assert "parsed: read brand=Sony from 'sony' (0, 4)" in sony
    assert "parsed: intent: Electronics > Audio > Headphones" in sony
    # and say what search did with each part: the brand ranks, the price filters
    assert "understood: 'sony' → brand Sony: rank, +0.5 to Sony" in sony
    backpack = out.split("search 'backpack under 50':")[1]
    assert "parsed: read price=-50 from 'under 50' (9, 17)" in backpack
    assert "understood: 'under 50' → price -50: filter, only products at price ≤ 50" in backpack
    # a hit the parse lifted says so
    lifted = sony.split("1. Sony")[1].splitlines()[1]
    assert "; parse: " in lifted and "brand Sony +0.50" in lifted
    # recommendations, each explained
    assert "rows read 5720 = accepted 5720 + quarantined 0" in out
    assert "recommendations: hybrid fitted on 5720 events, 60 users" in out
    for_you = out.split("for you: U001")[1].split("for you: U031")[0]
    assert for_you.count("because you") >= 3  # explained by the shopper's own history
    assert "running shoes" in for_you.lower()  # U001 is a runner
    assert "popular in" in out.split("for you: a new visitor")[1]
    together = out.split("bought together with P0001")[1]
    assert "shoppers who buy Running Shoes often add Sports Socks" in together
    assert "images: 323 products = 318 embedded + 4 already done" in out
    head = (
        "== 8. looks similar to P0162 Mango Women's Satin Slip Dress - Red "
        "(title + image + colour):"
    )
    assert head in out
    similar = out.split(head)[1]
    shown = similar.strip().splitlines()
    assert len(shown) == 5 and all("Dress" in line or "连衣裙" in line for line in shown)

    again = run_demo(tmp_path)
    assert "accepted: 0 new, 0 updated, 323 unchanged, 1 superseded by a later row" in again
    assert "accepted: 0 new, 5720 already in the log" in again
    assert "embeddings 0 encoded" in again
