import pytest

from shopsense.catalog.mapping import ColumnMapping
from shopsense.core.errors import MappingError

COLUMNS = [
    "id",
    "gender",
    "masterCategory",
    "subCategory",
    "articleType",
    "productDisplayName",
    "brandName",
    "price",
]


def test_explicit_and_default_mapping() -> None:
    mapping = ColumnMapping.resolve(
        ["title=productDisplayName", "category=masterCategory/subCategory/articleType"], COLUMNS
    )
    assert mapping.fields["category"] == ("masterCategory", "subCategory", "articleType")
    assert mapping.fields["brand"] == ("brandName",)  # found by its common name
    assert mapping.fields["price"] == ("price",)
    assert mapping.attribute_keys(COLUMNS) == ["gender"]


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["title"], "not of the form"),
        (["colour=x"], "unknown product field"),
        (["title=nope"], "no column 'nope'"),
        (["brand=a/b"], "only category"),
    ],
)
def test_bad_mappings_say_what_is_wrong(specs: list[str], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        ColumnMapping.resolve(specs, COLUMNS)


def test_missing_title_column_names_the_fix() -> None:
    with pytest.raises(MappingError, match="--map title=COLUMN"):
        ColumnMapping.resolve([], ["id", "x"])
