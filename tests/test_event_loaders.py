"""Event files become events or rejected rows with a reason: read = accepted + rejected."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shopsense.catalog.quarantine import QuarantineStore
from shopsense.core.errors import MappingError
from shopsense.events.ingest import ingest_events
from shopsense.events.loaders import LoadOptions, load_events, parse_timestamp
from shopsense.events.log import EventLog

DEMO_EVENTS = Path(__file__).resolve().parents[1] / "src/shopsense/app/demo_data/events.csv"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BAD_CSV = (
    "user_id,item_id,type,timestamp,session_id\n"
    "u1,a,view,2026-11-01T10:00:00Z,s1\n"
    "u1,b,BUY,1793527200,s1\n"
    "u2,,view,2026-11-01T10:00:00Z,s2\n"
    "u2,c,view,yesterday,s2\n"
    "u2,c,add to cart,2026-11-01T10:00:00Z,s2\n"
    "u3,d,view\n"
)


def test_generic_csv_counts_every_row(tmp_path: Path) -> None:
    loaded = load_events(write(tmp_path, "e.csv", BAD_CSV))
    assert loaded.rows_read == 6 == len(loaded.events) + len(loaded.rejected)
    assert [e.type for e in loaded.events] == ["view", "buy"]
    assert loaded.events[1].timestamp == parse_timestamp("2026-11-01T10:00:00Z")
    assert loaded.reasons() == {
        "missing_required": 1,
        "invalid_timestamp": 1,
        "invalid_type": 1,
        "wrong_field_count": 1,
    }
    assert {r.line_no for r in loaded.rejected} == {4, 5, 6, 7}


def test_mapping_and_jsonl(tmp_path: Path) -> None:
    csv_path = write(tmp_path, "m.csv", "who,what,action,when\nu1,a,view,2026-11-01\n")
    loaded = load_events(
        csv_path,
        LoadOptions(mapping=("user_id=who", "item_id=what", "type=action", "timestamp=when")),
    )
    assert loaded.events[0].user_id == "u1" and not loaded.rejected
    with pytest.raises(MappingError, match="--map"):
        load_events(csv_path)
    jsonl = write(
        tmp_path,
        "e.jsonl",
        '{"user_id": "u1", "item_id": "a", "type": "cart", "timestamp": 1793527200, '
        '"query": "red dress"}\nnot json\n',
    )
    loaded = load_events(jsonl)
    assert loaded.events[0].query == "red dress"
    assert loaded.reasons() == {"malformed_line": 1}


@pytest.mark.slow
def test_taobao_raw_file_keeps_the_cut_last_line(shared_data: Path) -> None:
    raw = shared_data / "taobao_userbehavior/UserBehavior_head.csv"
    loaded = load_events(raw, LoadOptions(format="taobao"))
    assert loaded.rows_read == 84476
    assert loaded.reasons() == {"wrong_field_count": 1}
    assert loaded.rejected[0].line_no == 84476
    kinds = {e.type for e in loaded.events}
    assert kinds == {"view", "cart", "fav", "buy"}
    assert loaded.item_meta["2268318"].category == "2520377"


def test_diginetica_sessions(shared_data: Path) -> None:
    path = shared_data / "diginetica/sample_train-item-views.csv"
    loaded = load_events(path, LoadOptions(format="diginetica"))
    assert loaded.rows_read == 12391 and not loaded.rejected
    assert len({e.session_id for e in loaded.events}) == 2986
    first = loaded.events[0]
    assert (first.user_id, first.item_id, first.type) == ("session:1", "81766", "view")


@pytest.mark.slow
def test_movielens_ratings_become_implicit_events(shared_data: Path) -> None:
    path = shared_data / "movielens_latest_small/ratings.csv"
    loaded = load_events(path, LoadOptions(format="movielens", min_rating=4.0))
    assert loaded.rows_read == 100836
    assert set(loaded.reasons()) == {"below_min_rating"}
    assert len(loaded.events) == 48580
    assert loaded.item_meta["1"].title == "Toy Story (1995)"


def test_ingest_into_the_log_is_conserved_and_idempotent(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", BAD_CSV)
    first = ingest_events(engine, path, LoadOptions())
    assert first.conserved and (first.rows_read, first.inserted, first.quarantined) == (6, 2, 4)
    again = ingest_events(engine, path, LoadOptions())
    assert (again.inserted, again.duplicates, again.quarantined) == (0, 2, 4)
    assert EventLog(engine).count() == 2
    store = QuarantineStore(engine)
    assert store.count() == 4 and store.reasons()["invalid_type"] == 1


def test_demo_events_ingest(sqlite_engine: Engine) -> None:
    summary = ingest_events(sqlite_engine, DEMO_EVENTS, LoadOptions())
    assert (summary.rows_read, summary.inserted, summary.quarantined) == (5720, 5720, 0)
