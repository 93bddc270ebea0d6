"""Attribute parsing: English and Chinese queries → filters with spans, and queries that
must produce none."""

from __future__ import annotations

import pytest

from shopsense.query.attributes import AttributeParser
from shopsense.query.prices import PRICE_GUESS, _chinese_amount
from shopsense.query.types import AttributeFilter

BRANDS = ["Nike", "Under Armour", "Samsung", "Xiaomi", "Li-Ning", "Levi's", "L'Oréal", "Apple"]


@pytest.fixture(scope="module")
def parser() -> AttributeParser:
    return AttributeParser(BRANDS)


def by_field(filters: list[AttributeFilter]) -> dict[str, AttributeFilter]:
    return {f.field: f for f in filters}


@pytest.mark.parametrize(
    ("query", "low", "high", "text"),
    [
        ("running shoes under 50", None, 50.0, "under 50"),
        ("below $30 t-shirt", None, 30.0, "below $30"),
        ("headphones between 100 and 200", 100.0, 200.0, "between 100 and 200"),
        ("over 1,000 tv", 1000.0, None, "over 1,000"),
        ("laptop under 5k", None, 5000.0, "under 5k"),
        ("$50-$100 shoes", 50.0, 100.0, "$50-$100"),
        ("耐克 100-200元", 100.0, 200.0, "100-200元"),
        ("手机 500以下", None, 500.0, "500以下"),
        ("不超过300 连衣裙", None, 300.0, "不超过300"),
        ("300元以内 耳机", None, 300.0, "300元以内"),
        ("2000元以上 相机", 2000.0, None, "2000元以上"),
        ("nike shoes $50 or less", None, 50.0, "$50 or less"),
        ("jacket $80 and up", 80.0, None, "$80 and up"),
        ("watches $200+", 200.0, None, "$200+"),
        ("tv <300", None, 300.0, "<300"),
        ("tv ≥ 500", 500.0, None, "≥ 500"),
        ("耳机 5百元以下", None, 500.0, "5百元以下"),
        ("小于1000元 平板", None, 1000.0, "小于1000元"),
        ("手机 2000起", 2000.0, None, "2000起"),
        ("max $40 headphones", None, 40.0, "max $40"),
        ("headphones $50 max", None, 50.0, "$50 max"),
        ("no less than $20", 20.0, None, "no less than $20"),  # negated: at least
        ("not more than $50 bag", None, 50.0, "not more than $50"),
        ("预算不要超过3000的手机", None, 3000.0, "不要超过3000"),
        ("不得低于200元", 200.0, None, "不得低于200元"),
        ("laptop $1,299.99 or less", None, 1299.99, "$1,299.99 or less"),
        ("tv under 5,000,000 dollars", None, 5_000_000.0, "under 5,000,000 dollars"),
        ("300元内的耳机", None, 300.0, "300元内"),
        ("2000起的手机", 2000.0, None, "2000起"),
        ("预算3000-5000 笔记本", 3000.0, 5000.0, "预算3000-5000"),
        ("headphones $100-$200.", 100.0, 200.0, "$100-$200"),
        ("over 16.1k", 16100.0, None, "over 16.1k"),
        # Chinese numerals, as a shopper says them
        ("两千元以下的手机", None, 2000.0, "两千元以下"),
        ("耳机 不超过三百", None, 300.0, "不超过三百"),
        ("一千五以内 平板", None, 1500.0, "一千五以内"),
        ("两千到三千元 相机", 2000.0, 3000.0, "两千到三千元"),
        ("摇篮，三十以下的", None, 30.0, "三十以下"),
        ("戒指一百万元以上的", 1_000_000.0, None, "一百万元以上"),
        ("万元以下 相机", None, 10_000.0, "万元以下"),
    ],
)
def test_price_constraints_with_their_spans(
    parser: AttributeParser, query: str, low: float | None, high: float | None, text: str
) -> None:
    price = by_field(parser.parse(query))["price"]
    assert (price.low, price.high, price.text) == (low, high, text)
    assert query[price.span[0] : price.span[1]] == text
    assert price.confidence >= 0.8


@pytest.mark.parametrize(
    "query",
    [
        "iphone 15",
        "iphone 15 pro max 256gb",
        "tv under 50 inch",
        "under 5kg dumbbells",
        "sony wh-1000xm5",
        "ps5",
        "小米 13 手机",
        "3岁以下 玩具",
        "galaxy s21+",
        "wifi 6+ router",
        "4k+ tv",
        "toys ages 3 and up",
        "tent for 4 or more",
        "about 3 hours battery",
        "around 50 inch tv",
        "30岁左右 女装",
        # real Taobao queries where a number meets 内 / 起 / max / a range inside a name
        "联想y510内存",  # memory, not "within 510"
        "iphone12内存",
        "宝马740内拉手",
        "五菱之光6388起动机",  # starter motor, not "from 6388"
        "max232芯片",  # a chip
        "小于2厘米的丝绸鞋带",  # 2 cm
        "小天鹅洗衣机tg90-14122dxg电脑板",
        "175-70-14轮胎",
        "jet 4000-120",  # high before low
        "注塑机行业2021-2026",  # years
        "iphone 13 pro max 128",  # max with a bare number: a model
        "低于5g的手机",  # units after the number, in Chinese and English
        "超过2m长的绳子",
        "up to 70% off",
        "不低于95%棉",
        "within 24 hours",
        "up to 4 people",
        "身高170左右 男装",  # a bare 左右 is only a soft guess: no filter
        "卫浴浴室柜太空铝宽40以内",  # a width (a real Taobao query)
        "desk height under 30",
        "under 1e3 shoes",  # scientific notation: not "under 1"
        "低于1e9元",
        # Chinese numerals in names and titles; sums in a child's workbook; a holiday
        "一千零一夜",
        "五十铃2.5正时皮带",
        "死了一百万次的猫",
        "十以内加减法",
        "20以内加减法练习册",
        "2022元旦视频",
        "0元购 小零食",  # a giveaway
        # units in the plural, and more of them; a pack; a discount
        "backpack around 25 liters",
        "tv around 65 inches",
        "around 100 pieces lego",
        "hair dryer around 1800 watts",
        "5块装 毛巾",
        "$20 off nike",
        "save $20 headphones",
    ],
)
def test_numbers_that_are_not_prices(parser: AttributeParser, query: str) -> None:
    price = by_field(parser.parse(query)).get("price")
    assert price is None or price.confidence < 0.8, price


def test_a_soft_brand_leaves_its_words_to_the_price() -> None:
    # a catalogue whose titles use "Max" and "AND" as words: soft brands
    parser = AttributeParser(["Max", "AND", "Nike"], generic=["Max", "AND"])
    assert by_field(parser.parse("max $40 headphones"))["price"].high == 40.0
    price = by_field(parser.parse("shoes between 50 and 100"))["price"]
    assert (price.low, price.high) == (50.0, 100.0)


def test_prices_are_shown_without_exponents(parser: AttributeParser) -> None:
    assert by_field(parser.parse("2500000元以下"))["price"].value == "-2500000"
    assert by_field(parser.parse("12,5 euro or less"))["price"].value == "-12.5"


def test_a_price_says_its_currency_when_the_query_names_one(parser: AttributeParser) -> None:
    def currency(query: str) -> str | None:
        (price,) = [f for f in parser.parse(query) if f.field == "price"]
        return price.currency

    assert currency("双肩包 300元以下") == "CNY" and currency("¥99以内") == "CNY"
    assert currency("三星手机 2000以下") == "CNY"  # a Chinese price phrase is in yuan
    assert currency("backpack under $50") == "USD" and currency("under 50 bucks") == "USD"
    assert currency("boots under 80 euros") == "EUR"
    assert currency("backpack under 50") is None
    # a foreign currency named in Chinese after the price is that currency, not yuan
    assert currency("双肩包 低于50美元") == "USD" and currency("不超过200欧元") == "EUR"
    assert currency("低于5000日元") == "JPY" and currency("under 300 CNY") == "CNY"
    # a currency word ends where a word ends
    assert currency("under 50 usda organic") is None and currency("under 50 europe") is None


@pytest.mark.parametrize(
    ("query", "low", "high"),
    [
        ("不低于100元 鞋", 100.0, None),  # not below 100: at least 100
        ("不少于50块", 50.0, None),
        ("不小于200", 200.0, None),
        ("低于100元 鞋", None, 100.0),
        ("不高于500", None, 500.0),
        ("不大于800元", None, 800.0),
        ("高于300", 300.0, None),
    ],
)
def test_a_negated_chinese_comparative_keeps_its_direction(
    parser: AttributeParser, query: str, low: float | None, high: float | None
) -> None:
    price = by_field(parser.parse(query))["price"]
    assert (price.low, price.high) == (low, high)
    assert price.confidence >= 0.8


def test_an_approximate_price_is_a_range_around_it(parser: AttributeParser) -> None:
    price = by_field(parser.parse("三星 手机2000元左右"))["price"]
    assert (price.low, price.high, price.text) == (1600.0, 2400.0, "2000元左右")
    assert price.confidence >= 0.8
    price = by_field(parser.parse("headphones around $50"))["price"]
    assert (price.low, price.high, price.text) == (40.0, 60.0, "around $50")


@pytest.mark.parametrize(
    ("query", "low", "high", "text"),
    [
        ("jeans 50 bucks", 40.0, 60.0, "50 bucks"),
        ("98元的歼5飞机", 78.4, 117.6, "98元"),
        ("$50 jeans", 40.0, 60.0, "$50"),
        ("耳机 三百块", 240.0, 360.0, "三百块"),
        ("headphones around 300", 240.0, 360.0, "around 300"),
        ("手机 2000左右", 1600.0, 2400.0, "2000左右"),
    ],
)
def test_an_amount_alone_is_a_guess_about_the_price(
    parser: AttributeParser, query: str, low: float, high: float, text: str
) -> None:
    # an amount with a currency and no price word may be the face value (话费50元): a
    # guess that ranks, below the filter threshold; so is an approximate bare number
    price = by_field(parser.parse(query))["price"]
    assert (price.low, price.high, price.text) == (low, high, text)
    assert price.confidence == PRICE_GUESS < 0.8


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("两千", 2000),
        ("一千五", 1500),
        ("一千零五", 1005),
        ("十五", 15),
        ("二十五", 25),
        ("一百二十", 120),
        ("两万三", 23000),
        ("三万五千", 35000),
        ("百", 100),
        ("一二三", None),
    ],
)
def test_chinese_numerals_are_read_as_said(numeral: str, value: float | None) -> None:
    assert _chinese_amount(numeral) == value


def test_a_negation_covers_the_list_after_it() -> None:
    parser = AttributeParser(["Nike", "Adidas"])
    for query, texts in (
        ("running shoes without nike or adidas", ["without nike", "or adidas"]),
        ("running shoes not nike, adidas", ["not nike", ", adidas"]),
        ("除了耐克和阿迪达斯 跑鞋", ["除了耐克", "和阿迪达斯"]),
    ):
        brands = [f for f in parser.parse(query) if f.field == "brand"]
        assert [(f.text, f.negated) for f in brands] == [(t, True) for t in texts], query


def test_a_model_number_before_a_price_is_no_price() -> None:
    for query, text in (("iphone 16 $799", "$799"), ("小米15 ¥5299", "¥5299")):
        (price,) = [f for f in AttributeParser().parse(query) if f.field == "price"]
        assert price.text == text, query


def test_a_bound_after_a_bare_number_is_only_a_soft_price(parser: AttributeParser) -> None:
    price = by_field(parser.parse("headphones 100 or less"))["price"]
    assert (price.low, price.high) == (None, 100.0) and price.confidence < 0.8


def test_under_armour_is_a_brand_not_a_price(parser: AttributeParser) -> None:
    filters = parser.parse("Under Armour shorts under 40")
    fields = by_field(filters)
    assert fields["brand"].value == "Under Armour" and fields["brand"].span == (0, 12)
    assert fields["price"].high == 40.0 and fields["price"].text == "under 40"


def test_bare_number_range_is_only_a_soft_price(parser: AttributeParser) -> None:
    price = by_field(parser.parse("小米 手机 1000-2000"))["price"]
    assert (price.low, price.high) == (1000.0, 2000.0) and price.confidence < PRICE_GUESS
    # lenses and tyres (70-200, 57-305): a bare range does not even rank
    assert by_field(parser.parse("索尼70-200 f4"))["price"].confidence < PRICE_GUESS


@pytest.mark.parametrize(
    ("query", "field", "text"),
    [
        ("running shoes without nike", "brand", "without nike"),
        ("running shoes not nike", "brand", "not nike"),
        ("non-nike shoes", "brand", "non-nike"),
        ("-nike running shoes", "brand", "-nike"),
        ("headphones no apple", "brand", "no apple"),
        ("不要耐克的跑鞋", "brand", "不要耐克"),
        ("非耐克跑鞋", "brand", "非耐克"),
        ("dress not red", "colour", "not red"),
        ("除了红色都可以", "colour", "除了红色"),
        ("running shoes not for women", "gender", "not for women"),
        ("不要儿童 袜子", "gender", "不要儿童"),
    ],
)
def test_a_negated_brand_or_colour_says_so_with_its_words(
    parser: AttributeParser, query: str, field: str, text: str
) -> None:
    found = by_field(parser.parse(query))[field]
    assert found.negated and found.text == text
    assert query[found.span[0] : found.span[1]] == text


@pytest.mark.parametrize(
    "query",
    [
        "nike running shoes",
        "no show socks nike",
        "t-shirt red",
        "red t-shirt",
        "nike-air",
        "Apple iPhone 16 128GB - Black",  # a pasted title: a dash with a space is no "not"
        "running shoes - nike",
        "性别 白色 t恤",  # 别 ends 性别 (sex), 区别
        "是不是耐克正品",  # a question: is it Nike?
        "要不要红色",
        "有没有耐克的跑鞋",  # do you have Nike running shoes?
        "nike and adidas shoes",
    ],
)
def test_words_near_a_brand_or_colour_that_do_not_negate_it(
    parser: AttributeParser, query: str
) -> None:
    assert not any(f.negated for f in parser.parse(query))


def test_english_colour_gender_brand_size(parser: AttributeParser) -> None:
    f = by_field(parser.parse("Nike men's black running shoes size 10"))
    assert f["brand"].value == "Nike" and f["brand"].text == "Nike"
    assert f["gender"].value == "Men" and f["gender"].text == "men's"
    assert f["colour"].value == "Black"
    assert f["size"].value == "10" and f["size"].text == "size 10"


def test_possessive_and_singular_gender_words(parser: AttributeParser) -> None:
    def gender(query: str) -> tuple[str, str, bool]:
        f = by_field(parser.parse(query))["gender"]
        return f.value, f.text, f.confidence >= 0.8

    assert gender("kid's t shirt") == ("Kids", "kid's", True)
    assert gender("childrens shoes") == ("Kids", "childrens", True)
    assert gender("ladies' coat") == ("Women", "ladies'", True)
    assert gender("boy friend jeans") == ("Boys", "boy", False)  # a style: only a guess


def test_chinese_brand_names_map_to_catalogue_brands(parser: AttributeParser) -> None:
    f = by_field(parser.parse("耐克 男子 跑步鞋 黑色 42码"))
    assert f["brand"].value == "Nike" and f["brand"].span == (0, 2)
    assert f["gender"].value == "Men" and f["colour"].value == "Black"
    assert f["size"].value == "42"
    assert by_field(parser.parse("三星手机 2000以下"))["brand"].value == "Samsung"
    # a Chinese alias of a brand the catalogue does not sell is not a brand filter
    assert "brand" not in by_field(parser.parse("华为 手机"))


def test_brand_spellings_without_punctuation(parser: AttributeParser) -> None:
    assert by_field(parser.parse("levis jeans"))["brand"].value == "Levi's"
    assert by_field(parser.parse("loreal lipstick"))["brand"].value == "L'Oréal"
    assert by_field(parser.parse("lining 跑鞋"))["brand"].value == "Li-Ning"


def test_words_inside_other_words_are_not_attributes(parser: AttributeParser) -> None:
    assert parser.parse("redmi note 13") == []  # "red" inside "redmi"
    assert parser.parse("womenswear blazer") == []
    f = by_field(parser.parse("women's watch"))
    assert f["gender"].value == "Women"  # not "men"


def test_spans_point_into_the_original_full_width_text(parser: AttributeParser) -> None:
    query = "ＮＩＫＥ　红色　５００以下"
    f = by_field(parser.parse(query))
    assert query[slice(*f["brand"].span)] == "ＮＩＫＥ"
    assert query[slice(*f["colour"].span)] == "红色"
    assert f["price"].high == 500.0 and query[slice(*f["price"].span)] == "５００以下"


def test_plain_queries_produce_no_filter(parser: AttributeParser) -> None:
    for q in ["running shoes", "连衣裙", "noise cancelling headphones", "backpack"]:
        assert parser.parse(q) == [], q


@pytest.mark.parametrize(
    ("query", "colour", "text"),
    [
        ("rose gold iphone case", "Rose", "rose gold"),  # not Gold
        ("off-white sneakers", "Off White", "off-white"),  # not White
        ("teal kurta", "Teal", "teal"),
        ("multicolour backpack", "Multi", "multicolour"),
        ("玫红 连衣裙", "Magenta", "玫红"),
    ],
)
def test_catalogue_colours_longest_name_first(
    parser: AttributeParser, query: str, colour: str, text: str
) -> None:
    f = by_field(parser.parse(query))["colour"]
    assert (f.value, f.text) == (colour, text)


def test_colour_words_that_name_other_things_are_soft(parser: AttributeParser) -> None:
    for query in ["charcoal face wash", "lavender perfume", "rust proof spray", "胡桃色 书桌"]:
        assert by_field(parser.parse(query))["colour"].confidence < 0.8, query
    assert by_field(parser.parse("中性笔 黑色"))["gender"].confidence < 0.8  # a gel pen


@pytest.mark.parametrize(
    ("query", "negated", "lacks"),
    [
        ("sunscreen no white cast", [], "no white cast"),  # one that leaves none
        ("dress without red flowers", [], "without red flowers"),
        ("shoes no black sole", [], "no black sole"),
        ("no white shoes", ["White"], None),  # shoes: a kind the catalogue sells
        ("running shoes not white", ["White"], None),
        ("shoes not black or white", ["Black", "White"], None),
        ("not white nike", ["White"], None),  # a brand after it
        ("no white or black cast", [], "no white or black cast"),  # the list's thing
        ("no white, black cast", [], "no white, black cast"),
        ("phone case no black under 50", ["Black"], None),  # a price after it, kept
        ("dress not red size 8", ["Red"], None),
        ("shoes no white xl", ["White"], None),
        ("shoes not white for men", ["White"], None),
    ],
)
def test_a_negated_colour_of_something_the_catalogue_does_not_sell_is_what_it_lacks(
    query: str, negated: list[str], lacks: str | None
) -> None:
    parser = AttributeParser(["Nike"], kinds=["Footwear", "Running Shoes", "Sunscreen", "Dresses"])
    found = parser.parse(query)
    colours = [f for f in found if f.field == "colour"]
    assert [f.value for f in colours] == negated and all(f.negated for f in colours)
    assert [f.text for f in found if f.field == "lacks" and f.negated] == ([lacks] if lacks else [])
    # without the catalogue's kinds, a negated colour is always the product's
    assert by_field(AttributeParser().parse("sunscreen no white cast"))["colour"].negated
