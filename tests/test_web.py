"""The pages over the real app: what they show, what they refuse, the benchmark charts."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from api_helpers import Api, running_api
from shopsense.app.demo import DEMO_CATALOG, DEMO_DIR
from shopsense.app.multimodal import MultimodalService
from shopsense.app.search import Explanation
from shopsense.models.image_encoder import EfficientNetLite0
from shopsense.models.sentence_encoder import l2_normalise
from shopsense.web.charts import benchmark_charts
from shopsense.web.search_view import why_lines


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with running_api(str(tmp_path / "store.db")) as a:
        yield a


def test_storefront_lists_products_with_images_and_no_outside_assets(api: Api) -> None:
    html = api.client.get("/", headers=api.headers("search")).text
    assert html.count('class="card"') == 24
    assert '<img src="/images/P0001/0"' in html
    assert "http://" not in html and "https://" not in html  # nothing from elsewhere


def test_pages_need_keys_like_the_api(api: Api) -> None:
    assert api.client.get("/").status_code == 401
    assert api.client.get("/admin", headers=api.headers("search")).status_code == 403
    api.client.cookies.set("shopsense_key", api.keys["admin"])
    assert api.client.get("/admin").status_code == 200


def test_images_come_only_from_image_paths_in_the_store(api: Api) -> None:
    h = api.headers("admin")
    ok = api.client.get("/images/P0001/0", headers=h)
    assert ok.status_code == 200 and ok.content[:4] == b"\x89PNG"
    assert api.client.get("/images/P0001/7", headers=h).status_code == 404
    product = {"id": "EVIL", "title": "x", "image_paths": ["/etc/passwd"]}
    api.client.put("/products/EVIL", json=product, headers=h)
    refused = api.client.get("/images/EVIL/0", headers=h)
    assert refused.status_code == 404 and "root:" not in refused.text


def test_query_length_is_limited_on_the_storefront(api: Api) -> None:
    r = api.client.get("/", params={"q": "x" * 513}, headers=api.headers("search"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"


def test_the_storefront_says_what_it_did_with_symbols(api: Api) -> None:
    h = api.headers("search")
    nothing = api.client.get("/", params={"q": "!!!"}, headers=h).text
    assert 'class="notice"' in nothing and "it has no letter or digit" in nothing
    assert nothing.count('class="card"') == 0 and "0 products" in nothing
    shoe = api.client.get("/", params={"q": "👟"}, headers=h).text
    assert "read 👟 as “athletic shoe”" in shoe and shoe.count('class="card"') > 0
    api_answer = api.client.get("/search", params={"q": "👟"}, headers=h).json()
    assert api_answer["notices"] == ["read 👟 as “athletic shoe”"]


def test_why_lines_say_what_the_query_parse_added() -> None:
    why = Explanation(
        "rules",
        {"title": ["sony", "headphones"]},
        {"bm25_rel": 0.9},
        {},
        ["score: the ranker's, rescaled to 0–1 over the results, plus the parse's boosts"],
        parse={"category Electronics > Audio": 0.45, "brand Sony": 0.5},
    )
    lines = why_lines(why)
    assert lines[0] == "title matched: sony, headphones"
    assert "category Electronics > Audio, predicted for your query: +0.45" in lines
    assert "brand Sony, named in your query: +0.50" in lines
    assert lines[-1] == "ranked by rules"


def test_benchmark_records_become_svg_charts(tmp_path: Path) -> None:
    record = {
        "benchmark": "load_api",
        "date": "2026-11-27",
        "rows": [{"name": "HTTP", "events_per_s": 5000.0}, {"name": "local", "events_per_s": 6000}],
    }
    (tmp_path / "load_api.json").write_text(json.dumps(record), encoding="utf-8")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    charts = benchmark_charts(tmp_path)
    assert len(charts) == 1
    assert charts[0].startswith("<svg") and "load_api — events_per_s" in charts[0]
    assert ">5,000<" in charts[0] and ">6,000<" in charts[0]
    assert benchmark_charts(tmp_path / "missing") == []


class WordsEncoder:
    """A text encoder checkable by hand: one dimension per word of a fixed vocabulary."""

    name = "test-words"
    VOCAB = ("running", "shoes", "dress", "red", "black", "headphones")
    dim = len(VOCAB)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = [[float(w in t.lower().split()) for w in self.VOCAB] for t in texts]
        return l2_normalise(np.asarray(rows, dtype=np.float32) + 1e-3)


def test_product_page_shows_looks_similar_from_the_multimodal_service(
    tmp_path: Path, random_image_encoder: EfficientNetLite0
) -> None:
    """The page shows what `MultimodalService.similar` answers, each card with its reason
    (the encoders are a seam here; their quality is measured by `shopsense eval images`)."""
    with running_api(str(tmp_path / "mm.db"), demo=False, semantic=False) as api:
        with DEMO_CATALOG.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))[:12]
        items = [
            {
                "id": r["id"],
                "title": r["title"],
                "category": tuple(r["category"].split(" > ")),
                "image_paths": [str(DEMO_DIR / r["image_path"])],
            }
            for r in rows
        ]
        assert (
            api.client.post(
                "/products/bulk", json={"products": items}, headers=api.headers("admin")
            ).json()["errors"]
            == 0
        )
        svc = api.services
        svc._multimodal = MultimodalService(
            svc.engine,
            svc.settings,
            image_encoder=random_image_encoder,
            text_encoder=WordsEncoder(),
        )
        svc.multimodal.embed()
        expected = [s.product.id for s in svc.multimodal.similar("P0001", 6)]
        page = api.client.get("/product/P0001", headers=api.headers("search"))
        assert page.status_code == 200
        strip = page.text.split('id="looks-similar"', 1)[1]
        shown = re.findall(r'class="card" data-id="([^"]+)"', strip)
        assert expected and shown[: len(expected)] == expected
        assert strip.count("looks similar: photo, title and colour") >= len(expected)
