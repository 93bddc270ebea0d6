"""Bad intent data and options: a clear error, and every row read is used or dropped with a
reason (rows read = used + dropped). Only the cheap ``tfidf`` component is trained here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.cli.main import app
from shopsense.core.errors import InputError
from shopsense.evaluation.intent_eval import score_model
from shopsense.evaluation.labelled_data import read_labelled
from shopsense.query.intent import UNKNOWN, IntentConfig, train_intent, with_threshold

GOOD = [
    ("running shoes", "shoes"),
    ("nike sneakers", "shoes"),
    ("trail runners", "shoes"),
    ("leather boots", "shoes"),
    ("iphone case", "phones"),
    ("samsung galaxy", "phones"),
    ("android phone", "phones"),
    ("phone charger", "phones"),
    ("red dress", "dresses"),
    ("evening gown", "dresses"),
    ("summer dress", "dresses"),
    ("maxi dress", "dresses"),
]
TFIDF = ["--components", "tfidf", "--text-col", "query", "--label-col", "label"]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def good_csv(path: Path, extra: tuple[str, ...] = ()) -> Path:
    return write(
        path,
        ["query,label,user"] + [f"{t},{c},u{i % 3}" for i, (t, c) in enumerate(GOOD)] + list(extra),
    )


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


# --- reading: nothing dropped silently --------------------------------------------------------


def test_empty_and_missing_labels_are_dropped_and_counted(tmp_path: Path) -> None:
    path = write(
        tmp_path / "nan.csv",
        [
            "query,label",
            "nike shoes,shoes",
            "blue thing,NaN",
            "red thing, nan ",
            "green thing,None",
            "white thing,null",
            "black thing,N/A",
            "grey thing,NULL",
            ",shoes",
            "only text,",
            "ok,x",
        ],
    )
    data = read_labelled(path, "query", "label")
    assert data.texts == ["nike shoes", "ok"] and sorted(set(data.labels)) == ["shoes", "x"]
    assert data.rows_read == 10 == data.used + data.dropped
    assert data.reasons == {"empty label": 7, "empty text": 1}
    assert data.summary() == "rows read 10 = used 2 + dropped 8 (empty text 1, empty label 7)"
    assert data.as_dict()["dropped_by_reason"] == {"empty text": 1, "empty label": 7}


def test_rows_with_the_wrong_field_count_are_dropped_with_their_lines(tmp_path: Path) -> None:
    path = good_csv(
        tmp_path / "ragged.csv",
        (
            "nike air, max,shoes,u1",
            "short row,shoes",
            '"unterminated quote,shoes,u2',
            "last,phones,u0",
        ),
    )
    data = read_labelled(path, "query", "label")
    assert "max" not in data.labels and "nike air" not in data.texts and "last" not in data.texts
    assert data.used == len(GOOD) and data.rows_read == len(GOOD) + 3
    assert data.summary() == (
        f"rows read {len(GOOD) + 3} = used {len(GOOD)} + dropped 3 "
        "(wrong field count 2: lines 14, 15; unterminated quote 1: lines 16-17)"
    )


def test_a_quoted_field_may_hold_a_newline_and_tsv_is_sniffed(tmp_path: Path) -> None:
    quoted = write(tmp_path / "q.csv", ["query,label", '"two\nlines",shoes', "x,y"])
    assert read_labelled(quoted, "query", "label").texts == ["two\nlines", "x"]
    tsv = write(tmp_path / "t.tsv", ["query\tlabel", "a, b\tshoes", "", "c\t"])
    data = read_labelled(tsv, "query", "label")
    assert data.texts == ["a, b"] and data.summary().endswith("(empty label 1)")


def test_unreadable_files_are_input_errors_naming_the_file(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("query,label\ncafé shoes,shoes\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.csv:2: not UTF-8 \(byte 0xe9"):
        read_labelled(latin1, "query", "label")
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("query,label\nshoes,shoes\n".encode("utf-16"))
    with pytest.raises(InputError, match=r"utf16\.csv is UTF-16"):
        read_labelled(utf16, "query", "label")
    bad_zip = tmp_path / "bad.zip"
    bad_zip.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.zip is not a valid zip file"):
        read_labelled(bad_zip, "query", "label")
    with pytest.raises(InputError, match="is a directory"):
        read_labelled(tmp_path, "query", "label")


def test_a_zip_with_one_csv_reads_like_the_csv(tmp_path: Path) -> None:
    archive = tmp_path / "good.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("inner.csv", "query,label\nnike shoes,shoes\n,x\n")
    assert read_labelled(archive, "query", "label").summary() == (
        "rows read 2 = used 1 + dropped 1 (empty text 1)"
    )


# --- the model: options and abstention --------------------------------------------------------


def test_config_refuses_no_component_and_a_threshold_outside_0_1() -> None:
    with pytest.raises(InputError, match="at least one intent component: tfidf"):
        IntentConfig(components=())
    for bad in (float("nan"), 5.0, -0.1):
        with pytest.raises(InputError, match="within \\[0, 1\\]"):
            IntentConfig(components=("tfidf",), threshold=bad)


def test_a_query_without_letters_or_digits_abstains() -> None:
    texts, labels = zip(*GOOD, strict=True)
    model = with_threshold(train_intent(texts, labels, IntentConfig(components=("tfidf",))), 0.0)
    sure = model.predict("red dress")
    assert not sure.abstained and sure.category == "dresses"
    for query in ("!!!", "👟", "   ", "?!", ""):
        intent = model.predict(query)
        assert intent.abstained and intent.category == UNKNOWN and intent.top == ()
    mixed = model.intents(["!!!", "红色 dress", "nike sneakers"])
    assert [i.abstained for i in mixed] == [True, False, False]
    assert mixed[2].category == "shoes"
    # the evaluation counts what serving answers: threshold 0, so only "!!!" abstains
    scores = score_model(
        "t", model, ["!!!", "red dress", "nike sneakers"], ["x", "dresses", "shoes"], 0
    )
    assert scores.abstention_rate == pytest.approx(1 / 3) and scores.answered_accuracy == 1.0


def test_training_too_few_rows_says_how_many() -> None:
    with pytest.raises(InputError, match="at least two labelled texts; this training set has 1"):
        train_intent(["one"], ["a"])


# --- the CLI -----------------------------------------------------------------------------------


def test_train_intent_reports_rows_read_used_and_dropped(tmp_path: Path) -> None:
    data = good_csv(tmp_path / "d.csv", ("blue thing,NaN,u1", ",shoes,u2", "a,b,c,d"))
    db = str(tmp_path / "s.db")
    result = cli("train", "intent", "--data", str(data), *TFIDF, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["data"]["rows_read"] == len(GOOD) + 3 and out["data"]["used"] == len(GOOD)
    assert out["data"]["dropped_by_reason"] == {
        "empty text": 1,
        "empty label": 1,
        "wrong field count": 1,
    }
    result = cli("train", "intent", "--data", str(data), *TFIDF, "--db", db)
    assert (
        f"rows read {len(GOOD) + 3} = used {len(GOOD)} + dropped 3 "
        "(empty text 1; empty label 1; wrong field count 1: line 16)"
    ) in result.stdout


def test_train_intent_warns_when_labels_are_no_category_of_the_store(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    catalogue = write(
        tmp_path / "c.csv",
        ["id,title,category", "P1,Trail runner,Footwear > Shoes > Trail", "P2,Red gown,Apparel"],
    )
    assert cli("ingest", str(catalogue), "--db", db).exit_code == 0
    rows = [(t, "Footwear > Shoes" if c == "shoes" else c) for t, c in GOOD]
    data = write(tmp_path / "d.csv", ["query,label"] + [f"{t},{c}" for t, c in rows])
    result = cli("train", "intent", "--data", str(data), *TFIDF, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    # "Footwear > Shoes" is a prefix of P1's path; "phones" and "dresses" are nobody's
    assert json.loads(result.stdout)["foreign_labels"] == ["dresses", "phones"]
    assert (
        "warning: 2 of 3 labels are no category path of the store's products (dresses, phones)"
    ) in result.stderr


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--threshold", "5", "--threshold"),
        ("--threshold", "-1", "--threshold"),
        ("--threshold", "nan", "--threshold"),
        ("--epochs", "0", "--epochs"),
    ],
)
def test_out_of_range_options_are_usage_errors(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    data = good_csv(tmp_path / "d.csv")
    result = cli(
        "train",
        "intent",
        "--data",
        str(data),
        *TFIDF,
        option,
        value,
        "--db",
        str(tmp_path / "s.db"),
    )
    assert result.exit_code == 2 and message in result.output


def test_no_component_names_the_valid_ones(tmp_path: Path) -> None:
    data = good_csv(tmp_path / "d.csv")
    for value in (",", "", " , "):
        result = cli(
            "train",
            "intent",
            "--data",
            str(data),
            "--text-col",
            "query",
            "--label-col",
            "label",
            "--components",
            value,
            "--db",
            str(tmp_path / "s.db"),
        )
        assert isinstance(result.exception, InputError)
        assert "--components: give at least one of tfidf" in str(result.exception)


def test_eval_intent_checks_folds_and_test_rows_before_fitting(tmp_path: Path) -> None:
    four = write(tmp_path / "four.csv", ["query,label", "a,x", "b,y", "c,x", "d,y"])
    result = cli("eval", "intent", "--train", str(four), *TFIDF)  # default: 5 folds
    assert isinstance(result.exception, InputError) and "fitting" not in result.stdout
    assert "--folds 5 needs at least 5 usable rows; " in str(result.exception)
    assert "has 4" in str(result.exception)
    assert cli("eval", "intent", "--train", str(four), *TFIDF, "--folds", "1").exit_code == 2
    assert cli("eval", "intent", "--train", str(four), *TFIDF, "--folds", "0").exit_code == 2
    grouped = good_csv(tmp_path / "g.csv")  # users u0, u1, u2
    result = cli("eval", "intent", "--train", str(grouped), *TFIDF, "--group-col", "user")
    assert "--folds 5 needs at least 5 distinct --group-col user values" in str(result.exception)
    assert "has 3" in str(result.exception) and "fitting" not in result.stdout
    header_only = write(tmp_path / "h.csv", ["query,label", ",x"])
    result = cli("eval", "intent", "--train", str(grouped), "--test", str(header_only), *TFIDF)
    assert isinstance(result.exception, InputError) and "fitting" not in result.stdout
    assert "h.csv: no test row with a text and a label" in str(result.exception)
    assert "(rows read 1 = used 0 + dropped 1 (empty text 1))" in str(result.exception)


def test_eval_intent_warns_about_test_labels_absent_from_training(tmp_path: Path) -> None:
    train = good_csv(tmp_path / "train.csv")
    test = write(
        tmp_path / "test.csv",
        [
            "query,label",
            "nike shoes,shoes",
            "tote,bags",
            "laptop,computers",
            "handbag,bags",
            "gown,dresses",
        ],
    )
    result = cli(
        "eval",
        "intent",
        "--train",
        str(train),
        "--test",
        str(test),
        *TFIDF,
        "--folds",
        "2",
        "--group-col",
        "user",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert "warning: 3 of 5 test rows have labels absent from training: bags, computers" in (
        result.stderr
    )
    assert "warning: --group-col user is not used" in result.stderr  # a split, not folds
    out = json.loads(result.stdout)
    assert out["unseen_test_labels"]["labels"] == ["bags", "computers"]
    assert out["test"]["used"] == 5 and {s["model"] for s in out["scores"]} >= {"shopsense"}


def test_stored_threshold_serves_unless_the_setting_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOPSENSE_INTENT_THRESHOLD", raising=False)
    data, db = good_csv(tmp_path / "d.csv"), str(tmp_path / "s.db")
    result = cli("train", "intent", "--data", str(data), *TFIDF, "--threshold", "0.99", "--db", db)
    assert result.exit_code == 0, result.output
    svc = Services.from_settings(Settings(db=db, data_dir=tmp_path / "dd"))
    try:
        model = svc.query.intent_model()
        assert model is not None and model.threshold == 0.99
        assert svc.query.parse("red dress").intent.abstained  # type: ignore[union-attr]
    finally:
        svc.close()
    monkeypatch.setenv("SHOPSENSE_INTENT_THRESHOLD", "0")
    svc = Services.from_settings(Settings(db=db, data_dir=tmp_path / "dd"))
    try:
        intent = svc.query.parse("red dress").intent
        assert intent is not None and not intent.abstained and intent.category == "dresses"
    finally:
        svc.close()


def test_the_user_sees_one_line_not_a_traceback(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("query,label\ncafé shoes,shoes\n".encode("latin-1"))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "shopsense.cli.main",
            "train",
            "intent",
            "--data",
            str(latin1),
            *TFIDF,
        ],
        env=dict(os.environ, SHOPSENSE_DB=str(tmp_path / "s.db")),
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip() == (
        f"error (invalid_input): {latin1}:2: not UTF-8 (byte 0xe9 at offset 15); save it as UTF-8"
    )
