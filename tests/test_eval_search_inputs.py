"""Bad input to ``shopsense eval search``: queries, qrels, catalogue, modes and JSON output.

Each case is a small hand-written file; the rule is a clear error naming the file (and
line), or a counted warning, never a silent wrong score."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from shopsense.app.search_eval import SearchEvaluation, evaluate_search, query_folds
from shopsense.catalog.ingest import IngestOptions
from shopsense.catalog.sources import describe, read_records
from shopsense.cli.common import emit_json
from shopsense.cli.main import main
from shopsense.core.errors import InputError
from shopsense.evaluation.datasets import SearchSet, align, read_qrels, read_queries

Reader = Callable[[Path], object]
CATALOG = (
    "id,title,brand,price\n"
    "P1,Nike Air Zoom Pegasus Running Shoes,Nike,139.99\n"
    "P2,Adidas Ultraboost Running Shoes,Adidas,179.00\n"
    "P3,Sony WH-1000XM5 Wireless Headphones,Sony,349.00\n"
    "P4,Levi's 501 Original Jeans Blue,Levi's,69.50\n"
)
QUERIES = "q1\tnike running shoes\nq2\twireless headphones\nq3\tblue jeans\n"
QRELS = "q1 0 P1 2\nq1 0 P2 1\nq2 0 P3 2\nq3 0 P4 2\n"


def write(tmp: Path, name: str, text: str | bytes) -> Path:
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def evaluate(
    tmp: Path, catalog: str, queries: str, qrels: str, modes: tuple[str, ...] = ("bm25",)
) -> SearchEvaluation:
    data = SearchSet(read_queries(write(tmp, "q.tsv", queries)), read_qrels(write(tmp, "r", qrels)))
    return evaluate_search(write(tmp, "cat.csv", catalog), IngestOptions(), data, list(modes))


def run_cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``shopsense ARGS`` in this process, through the real entry point: (exit code, out, err)."""
    argv = sys.argv
    sys.argv = ["shopsense", *args]
    try:
        with pytest.raises(SystemExit) as done:
            main()
    finally:
        sys.argv = argv
    out = capsys.readouterr()
    return int(done.value.code or 0), out.out, out.err


# --- queries file ------------------------------------------------------------------------


def test_queries_keep_the_first_id_behind_a_bom_and_read_crlf_and_blank_lines(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "q.tsv", b"\xef\xbb\xbfq1\tnike shoes\r\n\r\nq2\tjeans\r\n")
    assert read_queries(path) == {"q1": "nike shoes", "q2": "jeans"}


def test_a_repeated_query_id_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "q.tsv", "q1\tnike running shoes\nq2\tjeans\nq1\tblue jeans\n")
    with pytest.raises(InputError, match=r"q\.tsv:3: query id 'q1' repeats line 1"):
        read_queries(path)


@pytest.mark.parametrize("text", ["", "   ", " \t "])
def test_an_empty_query_text_is_an_error_naming_the_line(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "q.tsv", f"q1\tshoes\nq5\t{text}\n")
    with pytest.raises(InputError, match=r"q\.tsv:2: empty query text for query 'q5'"):
        read_queries(path)


def test_a_queries_line_without_a_tab_still_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "q.tsv", "q1\tshoes\nq2 jeans\n")
    with pytest.raises(InputError, match=r"q\.tsv:2: expected query_id<TAB>text, found no tab"):
        read_queries(path)


def test_extra_columns_are_an_error_and_a_header_line_is_skipped(tmp_path: Path) -> None:
    extra = write(tmp_path, "x.tsv", "q1\tshoes\nq2\tjeans\tapparel\n")
    with pytest.raises(InputError, match=r"x\.tsv:2: expected query_id<TAB>text, found 3 columns"):
        read_queries(extra)
    headed = write(tmp_path, "h.tsv", "query_id\tquery\nq1\tshoes\t\nq2\tquery\n")
    # the header goes; a trailing tab is no column; "query" as a later query's text stays
    assert read_queries(headed) == {"q1": "shoes", "q2": "query"}


# --- qrels file --------------------------------------------------------------------------


@pytest.mark.parametrize("grade", ["nan", "inf", "-inf", "-1", "NaN"])
def test_a_grade_must_be_a_finite_number_not_below_zero(tmp_path: Path, grade: str) -> None:
    path = write(tmp_path, "qrels.txt", f"q1 0 P1 2\nq1 0 P2 {grade}\n")
    with pytest.raises(InputError) as err:
        read_qrels(path)
    assert str(err.value) == f"{path}:2: grade '{grade}' is not a finite number ≥ 0"


def test_zero_and_fractional_grades_are_kept_and_a_bom_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "qrels.txt", b"\xef\xbb\xbfq1 0 P1 0\r\nq1 0 P2 2.5\n\n")
    assert read_qrels(path) == {"q1": {"P1": 0.0, "P2": 2.5}}


def test_a_judgment_repeated_with_another_grade_is_an_error_naming_both_lines(
    tmp_path: Path,
) -> None:
    same = write(tmp_path, "same.txt", "q1 0 P1 2\nq1 0 P2 1\nq1 0 P1 2\n")
    assert read_qrels(same) == {"q1": {"P1": 2.0, "P2": 1.0}}  # the same line again: harmless
    path = write(tmp_path, "qrels.txt", "q1 0 P1 2\nq1 0 P2 1\nq1 0 P1 0\n")
    with pytest.raises(
        InputError,
        match=r"qrels\.txt:3: query 'q1' product 'P1' is judged again with another grade "
        r"\(first on line 1\)",
    ):
        read_qrels(path)


# --- files that cannot be read ---------------------------------------------------------


@pytest.mark.parametrize("reader", [read_queries, read_qrels])
def test_bytes_that_are_not_utf8_name_the_file_and_line(tmp_path: Path, reader: Reader) -> None:
    path = write(tmp_path, "in.txt", b"q1\tok 0 P1 1\nq2\tnike \xff\xfe running 0 P2 1\n")
    with pytest.raises(InputError, match=r"in\.txt:2: not UTF-8 \(byte 0xff"):
        reader(path)


def test_a_utf16_export_is_named_as_such(tmp_path: Path) -> None:
    path = write(tmp_path, "q.tsv", "q1\tshoes\n".encode("utf-16"))
    with pytest.raises(InputError, match=r"q\.tsv is UTF-16 text; save it as UTF-8"):
        read_queries(path)


@pytest.mark.parametrize("reader", [read_queries, read_qrels])
def test_a_missing_file_or_a_directory_is_an_input_error(tmp_path: Path, reader: Reader) -> None:
    with pytest.raises(InputError, match=f"no such file: {tmp_path / 'nope.tsv'}"):
        reader(tmp_path / "nope.tsv")
    with pytest.raises(InputError, match=f"{tmp_path} is a directory"):
        reader(tmp_path)


# --- queries and qrels that do not line up ------------------------------------------------


def test_no_query_in_common_is_an_error_with_the_counts() -> None:
    data = SearchSet({"q1": "shoes", "q2": "jeans"}, {"q9": {"P1": 2.0, "P2": 1.0}})
    with pytest.raises(InputError, match="no judged query: 2 queries, 2 qrels, 0 in common$"):
        align(data)
    zero = SearchSet({"q1": "shoes"}, {"q1": {"P1": 0.0}})
    with pytest.raises(InputError, match="1 in common, none with a grade > 0"):
        align(zero)


def test_qrels_of_unknown_queries_are_counted() -> None:
    data = SearchSet({"q1": "shoes"}, {"q1": {"P1": 2.0}, "q9": {"P1": 1.0, "P2": 1.0}})
    got = align(data)
    assert (got.queries, got.qrels, got.judged_queries, got.unknown_query_qrels) == (1, 3, 1, 2)


# --- the catalogue, through evaluate_search -----------------------------------------------


def test_the_catalogue_ingest_is_reported_and_conserved(tmp_path: Path) -> None:
    catalog = CATALOG + "P5,Broken price,Nike,-3\n"
    result = evaluate(tmp_path, catalog, QUERIES, QRELS)
    ingest = result.ingest
    assert (ingest.rows_read, ingest.accepted, ingest.quarantined) == (5, 4, 1)
    assert ingest.reasons == {"negative_price": 1}
    assert [r["mode"] for r in result.rows] == ["bm25"]


@pytest.mark.parametrize(
    "catalog",
    ["", "id,title,brand,price\n", "id,title,brand,price\nP1,shoe,Nike,-1\nP2,,Nike,3\n"],
)
def test_a_catalogue_with_no_accepted_product_is_an_error(tmp_path: Path, catalog: str) -> None:
    with pytest.raises(InputError, match=r"no product accepted from .*cat\.csv: rows read \d+"):
        evaluate(tmp_path, catalog, QUERIES, QRELS)


def test_judged_products_missing_from_the_catalogue_are_counted(tmp_path: Path) -> None:
    result = evaluate(tmp_path, CATALOG, QUERIES, QRELS + "q1 0 NOPE 2\nq9 0 P1 1\n")
    checks, warnings = result.checks, result.warnings
    assert checks["judged_products"] == 5 and checks["judged_products_missing"] == 1
    assert checks["unknown_query_qrels"] == 1
    assert "1 of 5 judged products are not in the catalogue (e.g. NOPE)" in warnings[1]
    assert warnings[0].startswith("1 of 6 qrels name a query id that is not in the queries file")


def test_no_judged_product_in_the_catalogue_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="none of the 2 judged products is in the catalogue"):
        evaluate(tmp_path, CATALOG, QUERIES, "q1 0 NOPE1 2\nq2 0 NOPE2 1\n")


def test_a_mode_given_twice_runs_once_and_an_unknown_mode_fails_before_ingest(
    tmp_path: Path,
) -> None:
    result = evaluate(tmp_path, CATALOG, QUERIES, QRELS, ("bm25", "bm25"))
    assert [r["mode"] for r in result.rows] == ["bm25"]
    with pytest.raises(InputError, match="unknown search mode 'bm52'"):
        evaluate(tmp_path, "not even read", QUERIES, QRELS, ("bm52",))


# --- ltr: say when no model ranked a query -----------------------------------------------


def test_ltr_cross_validation_with_one_query_has_no_model_and_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="ltr: no model could be trained"):
        evaluate(tmp_path, CATALOG, "q1\tnike running shoes\n", QRELS, ("ltr",))


def test_ltr_counts_the_queries_a_fold_without_model_ranked_linearly(tmp_path: Path) -> None:
    fold = query_folds(["q1", "q2", "q3"], 2)
    lone = next(q for q in fold if list(fold.values()).count(fold[q]) == 1)
    # the lone query only has grade-0 judgments: the other fold trains on nothing
    texts = {"q1": "nike running shoes", "q2": "wireless headphones", "q3": "blue jeans"}
    qrels = {"q1": "q1 0 P1 2\n", "q2": "q2 0 P3 2\n", "q3": "q3 0 P4 2\n"}
    qrels[lone] = f"{lone} 0 P2 0\n"
    queries = "".join(f"{q}\t{t}\n" for q, t in texts.items())
    result = evaluate(tmp_path, CATALOG, queries, "".join(qrels.values()), ("ltr",))
    (row,) = result.rows
    assert row["mode"] == "ltr" and row["linear_fallback_queries"] == 2
    assert any("2 of 3 queries" in w and "linear ranker" in w for w in result.warnings)


# --- JSON output and the separator ---------------------------------------------------------


def test_emit_json_writes_null_for_non_finite_floats(capsys: pytest.CaptureFixture[str]) -> None:
    emit_json({"ndcg": float("nan"), "rows": [{"x": float("inf")}, (1.5, float("-inf"))]})

    def refuse(token: str) -> None:
        raise AssertionError(f"not JSON: {token}")

    got = json.loads(capsys.readouterr().out, parse_constant=refuse)
    assert got == {"ndcg": None, "rows": [{"x": None}, [1.5, None]]}


def test_a_separator_longer_than_one_character_is_refused(tmp_path: Path) -> None:
    info = describe(write(tmp_path, "cat.csv", CATALOG))
    with pytest.raises(InputError, match="--sep must be one character, got '\\|\\|'"):
        next(read_records(info, sep="||"))


def test_a_separator_that_splits_nothing_points_at_sep(tmp_path: Path) -> None:
    info = describe(write(tmp_path, "cat.csv", CATALOG))
    with pytest.raises(InputError, match="only 1 column found .*; does --sep match the file"):
        next(read_records(info, sep=";"))


def test_the_cli_prints_the_ingest_and_warnings_and_refuses_half_a_training_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cat = write(tmp_path, "cat.csv", CATALOG + "P5,Broken,Nike,-3\n")
    q = write(tmp_path, "q.tsv", QUERIES)
    r = write(tmp_path, "qrels.txt", QRELS + "q9 0 P1 1\n")
    base = ("eval", "search", "--catalog", str(cat), "--queries", str(q), "--qrels", str(r))
    code, out, err = run_cli(*base, "--mode", "bm25,bm25", "--json", capsys=capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert [row["mode"] for row in doc["rows"]] == ["bm25"]
    assert doc["ingest"]["rows_read"] == 5 and doc["ingest"]["quarantined"] == 1
    assert doc["checks"]["unknown_query_qrels"] == 1 and len(doc["warnings"]) == 1
    assert "warning: 1 of 5 qrels name a query id" in err

    code, out, err = run_cli(*base, "--mode", "bm25", capsys=capsys)
    assert code == 0 and "rows read 5 = accepted 4 + quarantined 1" in out

    code, out, err = run_cli(*base, "--mode", "ltr", "--train-queries", str(q), capsys=capsys)
    assert code == 2 and "--train-queries needs --train-qrels" in " ".join(err.split())

    code, out, err = run_cli(*base, "--sep", "||", capsys=capsys)
    assert code == 2 and "error (invalid_input): --sep must be one character" in err
