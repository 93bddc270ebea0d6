"""The recommend service on a real store: events in the log reach recommendations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shopsense.app.demo import DEMO_CATALOG, DEMO_EVENTS
from shopsense.app.recommendations import RecommendService, cached_text_vectors
from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.catalog.ingest import IngestOptions
from shopsense.core.errors import NotFoundError
from shopsense.events.loaders import LoadOptions
from shopsense.events.schema import Event
from shopsense.models.sentence_encoder import l2_normalise
from shopsense.retrieval.documents import product_text
from shopsense.retrieval.index_sync import SearchIndex


@pytest.fixture
def svc(tmp_path: Path) -> Services:
    services = Services.from_settings(Settings(db=str(tmp_path / "r.db"), recommend_refit_after=3))
    services.ingest(DEMO_CATALOG, IngestOptions(source="demo"))
    services.recommendations.ingest_events(DEMO_EVENTS, LoadOptions())
    return services


def view(user: str, item: str, minute: int) -> Event:
    return Event(
        user_id=user,
        item_id=item,
        type="view",
        timestamp=datetime(2026, 11, 29, 10, minute, tzinfo=UTC),
        session_id="fresh",
    )


def test_new_events_count_at_the_next_request(svc: Services) -> None:
    rec = svc.recommendations
    before = rec.for_you("newbie", 5)
    assert {s.reason_code for s in before} == {"popular_in"}
    fitted_on = rec.info.events
    assert rec.append([view("newbie", "P0041", 1)]) == 1  # an iPhone
    after = rec.for_you("newbie", 5)
    assert rec.info.events == fitted_on  # not refitted yet: the event is in the history
    assert any(s.anchor == "P0041" for s in after)
    assert [s.item_id for s in after] != [s.item_id for s in before]
    assert rec.continue_session("fresh", 3)
    rec.append([view("newbie", "P0042", 2), view("newbie", "P0043", 3)])
    assert rec.info.events == fitted_on + 3  # refit after 3 new events
    svc.close()


def test_unknown_ids(svc: Services) -> None:
    with pytest.raises(NotFoundError):
        svc.recommendations.similar("nope")
    with pytest.raises(NotFoundError):
        svc.recommendations.continue_session("no-such-session")
    svc.close()


class OneHot:
    """A checkable encoder: a text's vector is one-hot on its first letter."""

    name = "one-hot-test"
    dim = 26

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str]):  # type: ignore[no-untyped-def]
        import numpy as np

        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, t in enumerate(texts):
            out[row, (ord(t.lower()[0]) - 97) % 26] = 1.0
        return l2_normalise(out)


def test_text_vectors_are_cached_in_the_store(svc: Services) -> None:
    products = list(svc.products.iter_all())
    encoder = OneHot()
    first = cached_text_vectors(svc.engine, products, encoder)
    again = cached_text_vectors(svc.engine, products, encoder)
    assert encoder.calls == len(products)  # the second call encoded nothing
    assert (first.vectors == again.vectors).all() and first.ids == again.ids
    service = RecommendService(svc.engine, svc.products, encoder=encoder)
    info = service.fit()
    assert info.items == len(products)
    svc.close()


def test_search_and_recommendations_share_one_vector_per_product(svc: Services) -> None:
    """One key, one text recipe: the search index's vectors serve content-based
    recommendations, and neither side re-encodes (or overwrites) the other's."""
    encoder = OneHot()
    index = SearchIndex.open(svc.engine, None, encoder)
    products = list(svc.products.iter_all())
    assert index.report.encoded == encoder.calls == len(products)
    shared = cached_text_vectors(svc.engine, products, encoder)
    assert encoder.calls == len(products)  # nothing encoded again
    again = SearchIndex.open(svc.engine, None, encoder)
    assert again.report.encoded == 0 and encoder.calls == len(products)
    first = products[0]
    letter = (ord(product_text(first).lower()[0]) - 97) % 26
    assert shared.vectors[0].argmax() == letter  # the search recipe's text was encoded
    svc.close()


def run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SHOPSENSE_DB=str(db))
    return subprocess.run(
        [sys.executable, "-m", "shopsense.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_events_recommend_and_eval(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("ingest", str(DEMO_CATALOG), db=db).returncode == 0
    ingested = json.loads(run("events", "ingest", str(DEMO_EVENTS), "--json", db=db).stdout)
    assert ingested["rows_read"] == 5720 and ingested["conserved"] is True
    user = json.loads(run("recommend", "--user", "U001", "--k", "3", "--json", db=db).stdout)
    assert len(user["for_you"]) == 3 and all(s["reason"] for s in user["for_you"])
    item = json.loads(run("recommend", "--item", "P0001", "--json", db=db).stdout)
    assert set(item) == {"similar", "bought_together"}
    assert all(s["title"] for s in item["similar"] + item["bought_together"])
    text = run("recommend", "--item", "P0001", "--k", "2", db=db).stdout
    assert "Nike Men's Air Zoom Pegasus 41 Running Shoes - Blue" in text  # titles, not ids only
    nope = run("recommend", "--user", "NOPE", db=db)
    assert nope.returncode == 3 and "no events for user 'NOPE'" in nope.stderr
    cold = run("recommend", "--user", "NOPE", "--cold-start", "--k", "2", db=db)
    assert cold.returncode == 0 and "popular in" in cold.stdout
    bad = run("recommend", "--user", "U001", "--item", "P0001", db=db)
    assert bad.returncode == 2 and "exactly one" in bad.stderr
    result = run(
        "eval",
        "recs",
        "--events",
        str(DEMO_EVENTS),
        "--model",
        "popularity",
        "--model",
        "hybrid",
        "--json",
        db=db,
    )
    rows = {r["model"]: r for r in json.loads(result.stdout)["rows"]}
    assert set(rows) == {"popularity", "hybrid"} and rows["popularity"]["users"] == 60
    assert rows["hybrid"]["hr_at_k"] > rows["popularity"]["hr_at_k"]
