from shopsense.query.lexicon import normalise_with_offsets
from shopsense.text.chinese_script import simplified
from shopsense.text.normalize import has_cjk, has_terms, normalize
from shopsense.text.pictographs import Reading, read_pictographs
from shopsense.text.singular import search_terms, singular
from shopsense.text.tokenize import tokenize


def test_model_number_spellings_meet_on_one_term() -> None:
    for spelling in ("PS-LX350H", "PSLX350H", "ps lx350h", "Sony PS-LX350H turntable"):
        assert "pslx350h" in tokenize(spelling), spelling
    assert {"ps", "lx350h"} <= set(tokenize("PS-LX350H"))


def test_chinese_search_mode_and_mixed_text() -> None:
    terms = tokenize("小米 Redmi Note 13 智能手机")
    assert {"小米", "redmi", "note", "13", "手机", "智能手机"} <= set(terms)
    assert tokenize("耐克男子跑步鞋") == ["耐克", "男子", "跑步", "鞋"]


def test_normalisation_folds_width_and_case() -> None:
    assert normalize("Ｎｉｋｅ　ＡＩＲ  Max") == "nike air max"
    assert tokenize("Ｎｉｋｅ　ＡＩＲ") == ["nike", "air"]
    assert has_cjk("ipad 平板") and not has_cjk("ipad")


def test_traditional_chinese_meets_simplified() -> None:
    # a shopper in Taiwan or Hong Kong types 手機; the catalogue says 手机
    assert normalize("華為 手機殼") == "华为 手机壳"
    assert tokenize("運動鞋") == tokenize("运动鞋") and tokenize("耳機") == ["耳机"]
    assert simplified("頭髮 乾燥") == "头发 干燥"  # phrase by phrase, not 乾 → 乾
    assert simplified("Nike Air") == "Nike Air"
    text, offsets = normalise_with_offsets("買 Ｎｉｋｅ 手機")
    assert text == "买 nike 手机" and len(offsets) == len(text)


def test_stopwords_dropped_unless_asked() -> None:
    assert tokenize("shoes for the road") == ["shoes", "road"]
    assert "for" in tokenize("shoes for the road", keep_stopwords=True)


def test_pictographs_are_read_as_the_words_they_picture() -> None:
    assert read_pictographs("red 👗 under 50") == ("red dress under 50", (Reading("👗", "dress"),))
    # the variation selector goes with its pictograph; "heavy black" is the glyph, not a colour
    assert read_pictographs("❤️ necklace")[0] == "heart necklace"
    assert read_pictographs("🕶️")[0] == "dark sunglasses"
    # faces, hands, skin tones, marks, arrows and card suits picture no product: dropped,
    # and said so
    text, readings = read_pictographs("👍🏽 shoes 😀")
    assert text == "shoes" and [r.words for r in readings] == ["", "", ""]
    assert read_pictographs("♥ ✅ ❗ ➡ 🙏 🤣 necklace")[0] == "necklace"
    # signs, arrows and box drawing are not pictographs; plain text is returned as it is
    assert read_pictographs("Acme™ → ─") == ("Acme™ → ─", ())
    assert has_terms("50%") and has_terms("鞋") and not has_terms("!!! ™ →")


def test_search_folds_plural_nouns_and_nothing_else() -> None:
    assert search_terms("Running Shoes, AA Batteries") == ["running", "shoe", "aa", "battery"]
    assert [singular(w) for w in ("knives", "sunglasses", "dresses", "earbuds")] == [
        "knife",
        "sunglass",
        "dress",
        "earbud",
    ]
    # singular nouns ending in s, short words, model numbers and Chinese are kept
    for word in ("news", "series", "lens", "canvas", "boss", "gps", "its", "x100s", "手机"):
        assert singular(word) == word, word
    assert singular("running") == "running" and singular("leggings") == "legging"
    # plurals whose singular is another thing in a shop stay plural
    assert [singular(w) for w in ("shorts", "glasses", "flats", "vans")] == [
        "shorts",
        "glasses",
        "flats",
        "vans",
    ]
    # an -ie word's plural meets it, while -y words' plurals keep their -y
    assert [singular(w) for w in ("hoodies", "beanies", "smoothies", "accessories")] == [
        "hoodie",
        "beanie",
        "smoothie",
        "accessory",
    ]
    assert search_terms("Hoodie hoodies") == ["hoodie", "hoodie"]
    # the tokenizer itself keeps words as written (spelling, suggestions and intent use it)
    assert tokenize("Running Shoes") == ["running", "shoes"]
