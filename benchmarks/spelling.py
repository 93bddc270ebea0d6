"""English spelling correction on real queries: what it changes, beside the rule it replaced.

    .venv/bin/python benchmarks/spelling.py [--show]

Queries: the 999 real Best Buy queries (``bestbuy_queries/train_clean.csv``). Vocabulary: the
titles of the Walmart and Amazon offers (``entity_matching/D8``, 24.6k electronics titles),
with the MiniLM WordPiece words and the common English words of ``wordfreq`` protected, as
``query.build.understanding_for`` does for a catalogue. Rows, side by side in one run:

- ``shipped``: ``SpellingCorrector`` as it is (transpositions are one edit, one edit per 5
  letters, never the first letter, plurals of known words kept, a dropped plural ``s`` put
  back), real English words protected.
- ``minilm-words``: the same corrector with only the MiniLM WordPiece words protected (as
  before 2026-11-29, twelfth session).
- ``levenshtein-6/2``: the rule before the eleventh session, plain Levenshtein distance, at
  most 1 edit up to 6 letters and 2 beyond, any letter, plurals corrected, MiniLM words
  protected.

There is no gold standard for these queries; ``--show`` prints every changed query so the
changes can be judged by hand (RESULTS.md records that judgement).
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Iterator

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from _common import report, shared_data
from shopsense.models.minilm_checkpoint import vocabulary_words
from shopsense.query.english_words import common_english_words
from shopsense.query.spelling import SpellingCorrector, vocabulary


class PreviousRule(SpellingCorrector):
    """The rule before 2026-11-29: Levenshtein, 1 edit up to 6 letters, 2 beyond."""

    def _english_word(self, word: str) -> str | None:
        if self._is_word(word):
            return None
        max_edits = 1 if len(word) <= 6 else 2
        hits = process.extract(
            word, self._english, scorer=Levenshtein.distance, score_cutoff=max_edits, limit=20
        )
        if not hits:
            return None
        return str(min(hits, key=lambda h: (h[1], -self._counts[h[0]], h[0]))[0])


def _rows(path: str, delimiter: str) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        yield from csv.DictReader(fh, delimiter=delimiter)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true", help="print every changed query")
    args = ap.parse_args()
    data = shared_data()
    titles = [
        r["title"]
        for name in ("amazon.csv", "walmart.csv")
        for r in _rows(str(data / "entity_matching" / "D8" / name), "|")
    ]
    queries = [r["query"] for r in _rows(str(data / "bestbuy_queries" / "train_clean.csv"), ",")]
    counts, minilm = vocabulary(titles), vocabulary_words()
    rules = (
        ("shipped", SpellingCorrector, minilm | common_english_words()),
        ("minilm-words", SpellingCorrector, minilm),
        ("levenshtein-6/2", PreviousRule, minilm),
    )
    rows = []
    for name, kind, protected in rules:
        fix = kind(counts, protected=protected)
        t0 = time.perf_counter()
        out = [fix.correct(q)[0] for q in queries]
        ms = (time.perf_counter() - t0) * 1000 / len(queries)
        changed = [(q, c) for q, c in zip(queries, out, strict=True) if q != c]
        rows.append(
            {"rule": name, "queries": len(queries), "changed": len(changed), "ms_per_query": ms}
        )
        if args.show:
            for q, c in changed:
                print(f"{name}\t{q!r} -> {c!r}")
    report("spelling", rows, ["rule", "queries", "changed", "ms_per_query"])


if __name__ == "__main__":
    main()
