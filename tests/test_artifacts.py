"""The one versioned artifact store, on SQLite and PostgreSQL; both model stores use it."""

from __future__ import annotations

from sqlalchemy import Engine

from shopsense.storage.artifacts import ArtifactStore, ModelStore


def test_versions_count_per_name_and_kind_filters(engine: Engine) -> None:
    store = ArtifactStore(engine)
    assert store.latest("ranker") is None
    assert store.save("ranker", "lightgbm", b"v1", {"n": 1}) == 1
    assert store.save("other", "intent", b"x", {}) == 1
    assert store.save("ranker", "lightgbm", b"v2", {"n": 2}) == 2
    latest = store.latest("ranker")
    assert latest is not None and (latest.version, latest.payload, latest.meta) == (
        2,
        b"v2",
        {"n": 2},
    )
    first = store.get("ranker", 1)
    assert first is not None and first.payload == b"v1"
    assert store.get("ranker", kind="intent") is None
    assert store.get("ranker", 3) is None
    # the name the ranker, dedup scorer and fusion model use is this store
    again = ModelStore(engine).latest("ranker")
    assert again is not None and again.version == 2
