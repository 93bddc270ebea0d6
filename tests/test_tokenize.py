from shopsense.text.normalize import has_cjk, normalize
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


def test_stopwords_dropped_unless_asked() -> None:
    assert tokenize("shoes for the road") == ["shoes", "road"]
    assert "for" in tokenize("shoes for the road", keep_stopwords=True)
