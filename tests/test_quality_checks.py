"""Every check passes one contract (the mixin), with a row that must fail and rows that pass."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from shopsense.catalog.quality.checks import (
    CategoryPath,
    Freshness,
    ImagePresent,
    PriceOutlier,
    PriceRange,
    RequiredFields,
    TitleQuality,
    product_checks,
)
from shopsense.catalog.quality.config import QualityConfig
from shopsense.catalog.schema import Product
from shopsense.core.checks import Check, RowCheck, Severity
from shopsense.core.errors import ConfigError
from shopsense.events.checks import EventTimeWindow
from shopsense.events.schema import Event

NOW = datetime(2026, 11, 27, tzinfo=UTC)
W = Severity.WARN


def product(**fields: Any) -> Product:
    base: dict[str, Any] = {"id": "x", "title": "Puma Men Ferrari Track Jacket", "price": 10.0,
                            "category": ("Apparel", "Topwear")}  # fmt: skip
    return Product.model_validate({**base, **fields})


class CheckContract:
    """The contract every check fulfils. Subclasses give the check and rows."""

    check: ClassVar[Check[Any]]
    passing: ClassVar[Sequence[Any]]  # rows that pass (as a dataset)
    failing: ClassVar[Any]  # a row that must be flagged when added to ``passing``

    def rows(self) -> list[Any]:
        return [*self.passing, self.failing]

    def test_flags_the_failing_row_only(self) -> None:
        outcome = self.check.run(self.rows())
        assert outcome.flagged == {len(self.passing)}
        assert all(f.reason in self.check.reasons and f.detail for f in outcome.flags)

    def test_passing_rows_are_not_flagged(self) -> None:
        outcome = self.check.run(list(self.passing))
        assert outcome.flags == () and outcome.score == 1.0

    def test_dataset_score_is_the_share_of_rows_that_pass(self) -> None:
        outcome = self.check.run(self.rows())
        assert outcome.score == pytest.approx(len(self.passing) / len(self.rows()))
        assert outcome.rows == len(self.rows())

    def test_identity(self) -> None:
        assert self.check.name and self.check.name.islower()
        assert self.check.reasons and all(r.replace("_", "").isalpha() for r in self.check.reasons)
        assert self.check.severity in (Severity.WARN, Severity.FAIL)
        assert self.check.run([]).score == 1.0

    def test_row_checks_judge_like_they_run(self) -> None:
        if isinstance(self.check, RowCheck):
            assert self.check.judge(self.failing) is not None
            assert all(self.check.judge(r) is None for r in self.passing)


class TestRequiredFields(CheckContract):
    check = RequiredFields(W, ("title", "price", "brand"))
    passing = [product(brand="Puma")]
    failing = product(brand=None)


class TestPriceRange(CheckContract):
    check = PriceRange(Severity.FAIL, 0.01, 100_000)
    passing = [product(price=4299.0), product(price=None)]
    failing = product(price=250_000.0)


class TestCategoryPath(CheckContract):
    check = CategoryPath(W, 2, ("Apparel", "Footwear"))
    passing = [product(category=("Footwear", "Shoes"))]
    failing = product(category=("Free Items",))

    def test_unknown_root_is_flagged(self) -> None:
        assert self.check.judge(product(category=("Toys", "Cars"))) is not None


class TestImagePresent(CheckContract):
    check = ImagePresent(W, required=False)
    passing: ClassVar[list[Product]] = []
    failing = product(image_paths=("/nonexistent/x.jpg",))

    @pytest.fixture(autouse=True)
    def _real_images(self, shared_data: Path, tmp_path: Path) -> None:
        real = shared_data / "myntra_fashion" / "images" / "1530.jpg"
        type(self).passing = [product(image_paths=(str(real),)), product()]

    def test_an_undecodable_file_is_flagged(self, tmp_path: Path) -> None:
        bad = tmp_path / "broken.jpg"
        bad.write_bytes(b"\xff\xd8 not really a jpeg")
        assert self.check.judge(product(image_paths=(str(bad),)))[0] == "image_undecodable"  # type: ignore[index]


class TestTitleQuality(CheckContract):
    check = TitleQuality(W, min_chars=8, min_words=2, max_repeats=3, max_words=40)
    passing = [product(title="Nike Men Running Shoes"), product(title="小米 Redmi Note 13 手机")]
    failing = product(title="Tee")

    def test_keyword_stuffing(self) -> None:
        stuffed = product(title="shoes shoes cheap shoes best shoes running shoes")
        assert self.check.judge(stuffed)[0] == "title_keyword_stuffed"  # type: ignore[index]


class TestFreshness(CheckContract):
    check = Freshness(W, 30, NOW)
    passing = [product(updated_at=datetime(2026, 11, 20, tzinfo=UTC)), product()]
    failing = product(updated_at=datetime(2026, 1, 1, tzinfo=UTC))


class TestPriceOutlier(CheckContract):
    check = PriceOutlier(W, max_z=3.5, min_group=5)
    passing = [product(id=f"p{i}", price=p) for i, p in enumerate([90, 100, 105, 110, 95, 120])]
    failing = product(id="odd", price=9000.0)

    def test_small_groups_are_not_judged(self) -> None:
        assert self.check.run([product(price=1.0), product(price=1000.0)]).flags == ()


def _taobao(shared_data: Path, n: int = 3000) -> list[Event]:
    path = shared_data / "taobao_userbehavior" / "UserBehavior_head_clean.csv"
    with path.open(encoding="utf-8") as f:
        reader = csv.DictReader(f, fieldnames=["user", "item", "cat", "type", "ts"])
        next(reader)
        return [
            Event(
                user_id=r["user"],
                item_id=r["item"],
                type=r["type"],
                timestamp=datetime.fromtimestamp(int(r["ts"]), UTC),
            )  # fmt: skip
            for _, r in zip(range(n), reader, strict=False)
        ]


WINDOW = (datetime(2017, 11, 25, tzinfo=UTC), datetime(2017, 12, 3, 23, 59, 59, tzinfo=UTC))


class TestEventTimeWindow(CheckContract):
    check = EventTimeWindow(W, *WINDOW)
    passing = [Event(user_id="u", item_id="i", type="pv", timestamp=WINDOW[0])]
    failing = Event(
        user_id="u", item_id="i", type="pv", timestamp=datetime(2017, 9, 11, tzinfo=UTC)
    )

    def test_real_taobao_events_outside_the_window(self, shared_data: Path) -> None:
        events = _taobao(shared_data)
        outcome = self.check.run(events)
        outside = [e for e in events if not WINDOW[0] <= e.timestamp <= WINDOW[1]]
        assert outside, "the Taobao sample has events outside its documented window"
        assert len(outcome.flags) == len(outside)
        assert 0.9 < outcome.score < 1.0


def test_config_builds_the_enabled_checks_and_loads_toml(tmp_path: Path) -> None:
    names = [c.name for c in product_checks(QualityConfig(), NOW)]
    assert names == ["required_fields", "price_range", "category_path", "image_present",
                     "title_quality", "price_outlier"]  # fmt: skip
    path = tmp_path / "quality.toml"
    path.write_text("[freshness]\nsla_days = 7\n[images]\nenabled = false\n", encoding="utf-8")
    config = QualityConfig.load(path)
    names = [c.name for c in product_checks(config, NOW)]
    assert "freshness" in names and "image_present" not in names
    path.write_text("[freshness]\nsla_dayz = 7\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="sla_dayz"):
        QualityConfig.load(path)
