"""Spelling from catalogue titles and a real query log; synonyms; the whole parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopsense.app.demo import DEMO_CATALOG
from shopsense.catalog.sources import describe, read_records
from shopsense.core.errors import InputError
from shopsense.query.build import understanding_for
from shopsense.query.english_words import common_english_words
from shopsense.query.spelling import SpellingCorrector, vocabulary
from shopsense.query.synonyms import SynonymExpander
from shopsense.query.types import CategoryGuess, Intent
from shopsense.query.understanding import QueryUnderstanding


def _log(shared: Path, n: int) -> list[str]:
    path = shared / "multicpr_queries_zh" / "train.query.txt"
    with path.open(encoding="utf-8") as lines:
        return [line.rstrip("\n").split("\t")[1] for _, line in zip(range(n), lines, strict=False)]


@pytest.fixture(scope="module")
def demo_titles() -> list[str]:
    return [r.fields["title"] for r in read_records(describe(DEMO_CATALOG)) if r.fields]


def test_english_typos_are_corrected_towards_the_catalogue(demo_titles: list[str]) -> None:
    fix = SpellingCorrector(vocabulary(demo_titles), protected={"shorts"})
    corrected, corrections = fix.correct("wireles headphnes")
    assert corrected == "wireless headphones"
    assert [(c.original, c.corrected, c.span) for c in corrections] == [
        ("wireles", "wireless", (0, 7)),
        ("headphnes", "headphones", (8, 17)),
    ]
    # two letters swapped are one edit, not two: a word of up to 6 letters allows one
    assert fix.correct("tshrit jakcet")[0] == "tshirt jacket"
    # in a four-letter word only a swap is corrected: nkie is nike, nkee and neyo stay
    assert fix.correct("nkie shoes")[0] == "nike shoes"
    for q in ("nkee", "neyo", "inno"):
        assert fix.correct(q) == (q, ()), q
    # a plural of a known word is left alone, a typo that only looks like one is not
    assert fix.correct("jackets")[0] == "jackets"
    assert fix.correct("shoees")[0] == "shoes"
    # known words, protected words, model numbers and short words stay as typed
    for q in ["running shoes", "shorts", "wh-1000xm5", "ps5", "tee"]:
        assert fix.correct(q) == (q, ()), q
    # the singular of a plural the catalogue has is no typo: search folds the two
    earbuds = SpellingCorrector(vocabulary(["Wireless Earbuds"] * 3))
    assert earbuds.correct("earbud") == ("earbud", ())
    assert earbuds.correct("earbds")[0] == "earbuds"


def test_real_english_words_are_not_typos_and_plurals_stay_plural() -> None:
    counts = vocabulary(["beach towel", "xbox controller", "xbox controller"] * 3)
    counts.update({"controllers": 3})  # the plural is rarer than its singular
    bare = SpellingCorrector(counts)
    assert bare.correct("nirvana bleach")[0] == "nirvana beach"  # without a word list
    words = common_english_words()
    assert {"bleach", "beach", "interpol"} <= words
    assert not {"definately", "acessories", "controlers", "wirless"} & words
    fix = SpellingCorrector(counts, protected=words)
    assert fix.correct("nirvana bleach") == ("nirvana bleach", ())
    assert fix.correct("beech towel")[0] == "beech towel"  # a real word, if not the shop's
    assert fix.correct("xbox controlers")[0] == "xbox controllers"
    assert fix.correct("xbox controler")[0] == "xbox controller"
    # the catalogue's understanding protects them too, and still corrects a non-word
    from shopsense.catalog.schema import Product

    towels = [Product.model_validate({"id": str(i), "title": "Beach Towel"}) for i in range(3)]
    qu = understanding_for(towels)
    assert qu.parse("nirvana bleach").corrected == "nirvana bleach"
    assert qu.parse("beach towle").corrected == "beach towel"


@pytest.mark.slow
def test_chinese_typos_are_corrected_from_the_query_log(shared_data: Path) -> None:
    fix = SpellingCorrector(vocabulary(_log(shared_data, 100_000)))
    assert fix.correct("蓝牙耳几")[0] == "蓝牙耳机"
    assert fix.correct("苹果手几")[0] == "苹果手机"
    for q in ["红色连衣裙", "运动鞋男", "羽绒服女", "华为手机"]:
        assert fix.correct(q) == (q, ()), q


def test_synonyms_cross_languages() -> None:
    syn = SynonymExpander().expand("Running Shoes and 手机")
    assert "跑步鞋" in syn["running shoes"] and "phone" in syn["手机"]
    assert SynonymExpander().expand("xyz") == {}


def test_the_intent_model_reads_each_phrase_by_its_group_name() -> None:
    # a model trained on titles that say "socks" reads "adidas 袜子" as socks
    syn = SynonymExpander()
    assert syn.named("adidas 袜子") == "adidas 袜子 socks"
    assert syn.named("sun cream") == "sun cream sunscreen"
    assert syn.named("socks") == "socks" and syn.named("xyz") == "xyz"
    seen: list[str] = []

    class Echo:
        def predict(self, text: str) -> Intent:
            seen.append(text)
            return Intent("Socks", 0.9, (CategoryGuess("Socks", 0.9),), False, "echo")

    QueryUnderstanding(intent=Echo()).parse("耐克袜子")
    QueryUnderstanding(intent=Echo()).parse("手機")  # traditional: read as simplified
    QueryUnderstanding(intent=Echo()).parse("cheapest dress not red")  # the item alone
    assert seen == ["耐克袜子 socks", "手机 phone", "dress"]


def test_parse_puts_it_together() -> None:
    from shopsense.catalog.schema import Product

    products = [
        Product.model_validate(
            {"id": r.fields["id"], "title": r.fields["title"], "brand": r.fields["brand"]}
        )
        for r in read_records(describe(DEMO_CATALOG))
        if r.fields and r.fields["title"]
    ]
    qu = understanding_for(products)
    p = qu.parse("red nike runing shoes under 50")
    assert p.corrected == "red nike running shoes under 50"
    assert {(f.field, f.value) for f in p.filters} == {
        ("colour", "Red"),
        ("brand", "Nike"),
        ("price", "-50"),
    }
    assert p.remainder == "red nike running shoes"
    assert p.intent is None  # no model: the parse still works
    assert QueryUnderstanding().parse("").filters == ()
    # the same length limit as search: an error, never a query silently cut short
    assert QueryUnderstanding().parse("x" * 512).text == "x" * 512
    with pytest.raises(InputError, match="longer than 512 characters"):
        QueryUnderstanding().parse("x" * 513)
