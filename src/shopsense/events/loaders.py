"""Turn event files into :class:`Event` objects: generic CSV/JSONL, Taobao, DIGINETICA, MovieLens.

Every row read ends as an accepted event or a :class:`RejectedRow` with a reason
code (``malformed_line``, ``wrong_field_count``, ``missing_required``,
``invalid_type``, ``invalid_timestamp``, ``invalid_value``), so
rows read = accepted + rejected, always.

Formats:

- ``generic``: columns ``user_id,item_id,type,timestamp`` and optionally
  ``session_id,event_id,query``; other names via ``field=column`` mappings.
- ``taobao``: Tianchi UserBehavior (``user,item,category,behavior,unix_ts``, with or
  without a header); ``pv`` becomes ``view``; the category is kept as item metadata.
- ``diginetica``: ``session_id;user_id;item_id;timeframe;eventdate``; anonymous
  sessions (``NA``) get the user ``session:<id>``; time = date + timeframe (ms).
- ``movielens``: ``ratings.csv`` (every rating is an implicit ``rate`` event,
  optionally only ratings ≥ ``min_rating``); titles and genres from ``movies.csv``.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from shopsense.core.checks import RowCheck
from shopsense.core.errors import MappingError
from shopsense.events.rows import RawRow, read_rows
from shopsense.events.schema import Event

EventFormat = Literal["generic", "taobao", "diginetica", "movielens"]
Checks = Sequence[RowCheck[Event]]
FORMATS: tuple[EventFormat, ...] = ("generic", "taobao", "diginetica", "movielens")
FIELDS = ("user_id", "item_id", "type", "timestamp", "session_id", "event_id", "query")
REQUIRED = ("user_id", "item_id", "type", "timestamp")
TAOBAO_COLUMNS = ["user_id", "item_id", "category_id", "behavior_type", "timestamp"]
TAOBAO_TYPES = {"pv": "view", "cart": "cart", "fav": "fav", "buy": "buy"}


@dataclass(frozen=True)
class RejectedRow:
    line_no: int
    reason: str
    detail: str
    raw: str


@dataclass(frozen=True)
class ItemMeta:
    """What an event file says about an item besides its id (title, category)."""

    title: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class LoadOptions:
    format: EventFormat = "generic"
    mapping: tuple[str, ...] = ()
    sep: str | None = None
    min_rating: float | None = None
    # row checks whose flag quarantines the event (e.g. the timestamp window)
    checks: tuple[RowCheck[Event], ...] = ()


@dataclass
class LoadedEvents:
    source: str
    events: list[Event] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    item_meta: dict[str, ItemMeta] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return len(self.events) + len(self.rejected)

    def reasons(self) -> dict[str, int]:
        return dict(Counter(r.reason for r in self.rejected))


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """``field=column`` pairs → {field: column}; unknown fields are a :class:`MappingError`."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or not column.strip():
            raise MappingError(f"--map expects field=column, got {pair!r}")
        if name.strip() not in FIELDS:
            raise MappingError(f"unknown event field {name!r}: use one of {', '.join(FIELDS)}")
        out[name.strip()] = column.strip()
    return out


def parse_timestamp(value: str) -> datetime:
    """ISO 8601, or Unix seconds (milliseconds when the number is that large)."""
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return ts if ts.tzinfo else ts.replace(tzinfo=UTC)
    if number > 1e11:
        number /= 1000.0
    return datetime.fromtimestamp(number, tz=UTC)


def iter_events(path: Path, options: LoadOptions) -> Iterator[Event | RejectedRow]:
    """Events and rejected rows of a file, in file order."""
    if options.format == "taobao":
        yield from _taobao(path, options.checks)
    elif options.format == "diginetica":
        yield from _diginetica(path, options.checks)
    elif options.format == "movielens":
        yield from _movielens(path, options.min_rating, options.checks)
    else:
        yield from _generic(path, options)


def load_events(path: Path, options: LoadOptions | None = None) -> LoadedEvents:
    """Every event of a file in memory, with rejected rows and item metadata."""
    options = options or LoadOptions()
    loaded = LoadedEvents(source=str(path))
    for out in iter_events(path, options):
        if isinstance(out, RejectedRow):
            loaded.rejected.append(out)
        else:
            loaded.events.append(out)
    if options.format == "taobao":
        loaded.item_meta = _taobao_meta(path)
    elif options.format == "movielens":
        loaded.item_meta = movielens_items(path.parent / "movies.csv")
    return loaded


def _make(row: RawRow, values: dict[str, Any], checks: Checks = ()) -> Event | RejectedRow:
    missing = [f for f in REQUIRED if values.get(f) in (None, "")]
    if missing:
        return RejectedRow(row.line_no, "missing_required", f"empty {', '.join(missing)}", row.raw)
    try:
        values["timestamp"] = parse_timestamp(str(values["timestamp"]))
    except (ValueError, OverflowError, OSError):
        detail = f"timestamp {values['timestamp']!r} is neither ISO 8601 nor Unix seconds"
        return RejectedRow(row.line_no, "invalid_timestamp", detail, row.raw)
    values["type"] = str(values["type"]).strip().lower()
    clean = {
        k: (str(v) if k != "timestamp" else v) for k, v in values.items() if v not in (None, "")
    }
    try:
        event = Event.model_validate(clean)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = str(err["loc"][0]) if err["loc"] else "row"
        reason = "invalid_type" if where == "type" else "invalid_value"
        return RejectedRow(row.line_no, reason, f"{where}: {err['msg']}", row.raw)
    for check in checks:
        flag = check.judge(event)
        if flag is not None:
            return RejectedRow(row.line_no, flag[0], f"{check.name}: {flag[1]}", row.raw)
    return event


def _rejected(row: RawRow) -> RejectedRow:
    reason, _, detail = (row.error or "malformed_line").partition(": ")
    return RejectedRow(row.line_no, reason, detail or reason, row.raw)


def _generic(path: Path, options: LoadOptions) -> Iterator[Event | RejectedRow]:
    mapping = parse_mapping(options.mapping)
    columns = {f: mapping.get(f, f) for f in FIELDS}
    checked = False
    for row in read_rows(path, sep=options.sep):
        if row.fields is None:
            yield _rejected(row)
            continue
        if not checked:
            absent = [columns[f] for f in REQUIRED if columns[f] not in row.fields]
            if absent and path.suffix not in (".jsonl", ".ndjson", ".json"):
                raise MappingError(
                    f"{path.name} has no column {', '.join(absent)}: name it with "
                    f"--map FIELD=COLUMN (columns: {', '.join(row.fields)})"
                )
            checked = True
        yield _make(row, {f: row.fields.get(c) for f, c in columns.items()}, options.checks)


def _taobao_rows(path: Path) -> Iterator[RawRow]:
    with path.open(encoding="utf-8") as fh:
        has_header = not fh.readline().split(",")[0].strip().isdigit()
    yield from read_rows(path, sep=",", header=None if has_header else TAOBAO_COLUMNS)


def _taobao(path: Path, checks: Checks) -> Iterator[Event | RejectedRow]:
    for row in _taobao_rows(path):
        if row.fields is None:
            yield _rejected(row)
            continue
        f = [str(v) for v in row.fields.values()]
        kind = TAOBAO_TYPES.get(f[3].strip(), f[3])
        values = {"user_id": f[0], "item_id": f[1], "type": kind, "timestamp": f[4]}
        yield _make(row, values, checks)


def _taobao_meta(path: Path) -> dict[str, ItemMeta]:
    meta: dict[str, ItemMeta] = {}
    for row in _taobao_rows(path):
        if row.fields is not None:
            f = [str(v) for v in row.fields.values()]
            meta.setdefault(f[1], ItemMeta(category=f[2]))
    return meta


def _diginetica(path: Path, checks: Checks) -> Iterator[Event | RejectedRow]:
    for row in read_rows(path, sep=";"):
        if row.fields is None:
            yield _rejected(row)
            continue
        f = row.fields
        session, user = str(f.get("session_id", "")), str(f.get("user_id", ""))
        try:
            day = datetime.fromisoformat(str(f.get("eventdate", ""))).replace(tzinfo=UTC)
            ts: datetime | str = day + timedelta(milliseconds=int(f.get("timeframe", "")))
        except ValueError:
            ts = ""
        if ts == "" and f.get("eventdate"):
            detail = f"eventdate {f.get('eventdate')!r} / timeframe {f.get('timeframe')!r}"
            yield RejectedRow(row.line_no, "invalid_timestamp", detail, row.raw)
            continue
        yield _make(
            row,
            {
                "user_id": user if user and user != "NA" else f"session:{session}",
                "item_id": f.get("item_id"),
                "type": "view",
                "timestamp": ts.isoformat() if isinstance(ts, datetime) else ts,
                "session_id": session,
            },
            checks,
        )


def _movielens(
    path: Path, min_rating: float | None, checks: Checks
) -> Iterator[Event | RejectedRow]:
    for row in read_rows(path, sep=","):
        if row.fields is None:
            yield _rejected(row)
            continue
        f = row.fields
        try:
            rating = float(f.get("rating", ""))
        except ValueError:
            yield RejectedRow(row.line_no, "invalid_value", f"rating {f.get('rating')!r}", row.raw)
            continue
        if min_rating is not None and rating < min_rating:
            yield RejectedRow(
                row.line_no, "below_min_rating", f"rating {rating} < {min_rating}", row.raw
            )
            continue
        values = {
            "user_id": f.get("userId"),
            "item_id": f.get("movieId"),
            "type": "rate",
            "timestamp": f.get("timestamp"),
        }
        yield _make(row, values, checks)


def movielens_items(movies: Path) -> dict[str, ItemMeta]:
    """movieId → title and genres (``A|B`` becomes the category ``A > B``)."""
    if not movies.is_file():
        return {}
    with movies.open(encoding="utf-8", newline="") as fh:
        return {
            r["movieId"]: ItemMeta(title=r["title"], category=r["genres"].replace("|", " > "))
            for r in csv.DictReader(fh)
        }
