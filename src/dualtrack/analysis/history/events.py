"""The coded event timeline and the CAMEO/Goldstein table: loading and row-by-row validation.

The shipped files are ``dualtrack/data/history/events.csv`` (one coded event per row; columns
and coding rules in that folder's README) and ``dualtrack/data/cameo/goldstein.csv`` (every
CAMEO code with its Goldstein score). :func:`load_events` checks every row and reports every
problem with its place, e.g.::

    events.csv row 12 (E012), column cameo_code: unknown CAMEO code '999'

Rows are counted from 1 over data rows (the header is not counted), so row ``n`` holds event
``E{n:03d}`` in the shipped file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

DATA_PACKAGE = "dualtrack.data"
EVENTS_RESOURCE = ("history", "events.csv")
CAMEO_RESOURCE = ("cameo", "goldstein.csv")

ACTORS: tuple[str, ...] = ("BLR", "UKR", "RUS", "NATO", "EU", "USA", "OSCE", "BLR_VOL")
"""Actor codes of the timeline; ``BLR_VOL`` = Belarusian volunteer units fighting for Ukraine."""
NO_ACTOR = "-"
TRACKS: tuple[str, ...] = ("deterrence", "dialogue", "context")
PRECISIONS: tuple[str, ...] = ("day", "month", "year")
PLOVER_CATEGORIES: tuple[str, ...] = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)
COLUMNS: tuple[str, ...] = (
    "event_id",
    "date",
    "date_precision",
    "actor",
    "target",
    "cameo_code",
    "goldstein",
    "plover",
    "track",
    "description",
    "source",
)
DATE_RANGE = (dt.date(2001, 1, 1), dt.date(2024, 12, 31))
SEED_SOURCE = "seed:Preiherman"

_EVENT_ID = re.compile(r"E[0-9]{3}")
_CAMEO = re.compile(r"(0[1-9]|1[0-9]|20)[0-9]{0,2}")
_SOURCE = re.compile(re.escape(SEED_SOURCE) + r"(; .+)?|(?!seed:)[^ ;].{9,}")
"""The seed, optionally followed by public references; or, for an event the seed does not
cover, public references alone (at least ten characters: kind of document and date)."""
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class EventProblem:
    """One thing wrong with the event data, located by file, row, event and column."""

    source: str
    row: int | None
    event_id: str | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f" row {self.row}"
            if self.event_id:
                where += f" ({self.event_id})"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class EventDataError(ValueError):
    """Event data that cannot be used, with every problem located."""

    def __init__(self, problems: Sequence[EventProblem]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            text = str(self.problems[0])
        else:
            text = f"{len(self.problems)} problems in the event data:\n" + "\n".join(
                f"  - {problem}" for problem in self.problems
            )
        super().__init__(text)


def _resource(parts: tuple[str, str]) -> Path:
    entry = resources.files(DATA_PACKAGE).joinpath(*parts)
    return Path(str(entry))


def plover_category(code: str) -> str:
    """PLOVER category of a CAMEO code by the crosswalk in ``data/cameo/README.md``.

    Empty for CAMEO 01 (public statements), which PLOVER does not code.
    """
    root = code[:2]
    if root == "01":
        return ""
    if root in ("02", "10"):
        return "REQUEST"
    if root == "08":
        return "RETREAT" if code[:3] in ("084", "085", "086", "087") else "CONCEDE"
    if root in ("09", "11"):
        return "ACCUSE"
    if root == "17":
        return "ASSAULT" if code[:3] == "175" or code == "1712" else "COERCE"
    if root in ("18", "19", "20"):
        return "COERCE" if code[:3] in ("191", "192") else "ASSAULT"
    by_root = {
        "03": "AGREE",
        "04": "CONSULT",
        "05": "SUPPORT",
        "06": "COOPERATE",
        "07": "AID",
        "12": "REJECT",
        "13": "THREATEN",
        "14": "PROTEST",
        "15": "MOBILIZE",
        "16": "SANCTION",
    }
    return by_root[root]


def load_cameo(path: str | Path | None = None) -> pd.DataFrame:
    """The CAMEO table (shipped by default), indexed by the code as text.

    Columns: ``label``, ``goldstein`` (float, -10..10) and ``quad_class`` (1..4). Codes stay
    strings: ``"010"`` and ``"10"`` are different codes.
    """
    file = Path(path) if path is not None else _resource(CAMEO_RESOURCE)
    table = pd.read_csv(
        file, dtype={"code": str, "label": str}, keep_default_na=False, encoding="utf-8"
    )
    missing = [c for c in ("code", "label", "goldstein", "quad_class") if c not in table.columns]
    if missing:
        raise EventDataError(
            [EventProblem(file.name, None, None, None, f"missing column(s) {missing}")]
        )
    duplicated = table["code"][table["code"].duplicated()].tolist()
    if duplicated:
        raise EventDataError(
            [EventProblem(file.name, None, None, "code", f"duplicate code(s) {duplicated}")]
        )
    table["goldstein"] = table["goldstein"].astype(float)
    return table.set_index("code")


def _parse_date(text: str) -> dt.date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def validate_events(
    raw: pd.DataFrame, cameo: pd.DataFrame, source: str = "events.csv"
) -> list[EventProblem]:
    """Every problem in raw event rows (all columns as text), each located; empty if none."""
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        expected = ", ".join(COLUMNS)
        return [
            EventProblem(
                source, None, None, None, f"missing column(s) {missing}; expected {expected}"
            )
        ]
    problems: list[EventProblem] = []
    seen: dict[str, int] = {}
    previous: tuple[dt.date, str] | None = None
    for position, record in enumerate(raw.to_dict("records"), start=1):
        row = {column: str(record[column]).strip() for column in COLUMNS}
        event_id = row["event_id"] or None

        def problem(
            column: str, message: str, _row: int = position, _id: str | None = event_id
        ) -> None:
            problems.append(EventProblem(source, _row, _id, column, message))

        if not _EVENT_ID.fullmatch(row["event_id"]):
            problem("event_id", f"expected 'E' and three digits, found {row['event_id']!r}")
        elif row["event_id"] in seen:
            problem("event_id", f"duplicate id, first used in row {seen[row['event_id']]}")
        else:
            seen[row["event_id"]] = position

        date = _parse_date(row["date"])
        precision = row["date_precision"]
        if date is None:
            problem("date", f"expected an ISO date YYYY-MM-DD, found {row['date']!r}")
        elif not DATE_RANGE[0] <= date <= DATE_RANGE[1]:
            problem("date", f"expected a date in {DATE_RANGE[0]}..{DATE_RANGE[1]}, found {date}")
        if precision not in PRECISIONS:
            problem(
                "date_precision",
                f"expected one of {', '.join(PRECISIONS)}, found {precision!r}",
            )
        elif date is not None:
            if precision == "month" and date.day != 1:
                problem(
                    "date",
                    f"month precision needs the 1st of the month "
                    f"({date.replace(day=1)}), found {date}",
                )
            if precision == "year" and (date.month, date.day) != (1, 1):
                problem(
                    "date",
                    f"year precision needs 1 January ({date.replace(month=1, day=1)}), "
                    f"found {date}",
                )
        if date is not None:
            if previous is not None and date < previous[0]:
                problem(
                    "date",
                    f"out of order: {date} comes after {previous[0]} ({previous[1]}); "
                    "rows must be sorted by date",
                )
            previous = (date, row["event_id"])

        for column in ("actor", "target"):
            value = row[column]
            if value not in ACTORS and value != NO_ACTOR:
                problem(
                    column,
                    f"unknown actor {value!r}; known actors are {', '.join(ACTORS)} "
                    f"(or '{NO_ACTOR}' for none)",
                )
        if row["actor"] == NO_ACTOR:
            problem("actor", f"expected an initiating actor, found '{NO_ACTOR}'")
        elif row["actor"] == row["target"]:
            problem("target", f"expected a target other than the actor {row['actor']!r}")

        code = row["cameo_code"]
        known = code in cameo.index
        if not known:
            hint = ""
            if code.isdigit() and len(code) < 4 and ("0" + code) in cameo.index:
                hint = f" (zero-padded: '0{code}'?)"
            problem("cameo_code", f"unknown CAMEO code {code!r}{hint}")
        try:
            score = float(row["goldstein"])
        except ValueError:
            problem("goldstein", f"expected a number, found {row['goldstein']!r}")
        else:
            if known:
                published = float(cameo.loc[code, "goldstein"])
                if not math.isclose(score, published, abs_tol=1e-9):
                    problem(
                        "goldstein",
                        f"expected {published:g}, the Goldstein score of CAMEO {code}, "
                        f"found {score:g}",
                    )
        if known:
            plover = plover_category(code)
            if row["plover"] != plover:
                problem(
                    "plover",
                    f"expected {plover or 'empty'!r} for CAMEO {code}, found "
                    f"{row['plover'] or 'empty'!r}",
                )
        elif row["plover"] and row["plover"] not in PLOVER_CATEGORIES:
            problem("plover", f"unknown PLOVER category {row['plover']!r}")

        if row["track"] not in TRACKS:
            problem("track", f"expected one of {', '.join(TRACKS)}, found {row['track']!r}")
        if not 10 <= len(row["description"]) <= 400:
            problem(
                "description",
                f"expected 10 to 400 characters, found {len(row['description'])}",
            )
        if not row["source"]:
            problem("source", f"missing source; expected '{SEED_SOURCE}' and references")
        elif not _SOURCE.fullmatch(row["source"]):
            problem(
                "source",
                f"expected '{SEED_SOURCE}' optionally followed by '; ' and references, "
                f"or public references alone, found {row['source']!r}",
            )
    return problems


def dyad_of(actor: str, target: str) -> str:
    """The unordered dyad of an event, e.g. ``BLR-UKR``; an event without target: the actor."""
    if target == NO_ACTOR:
        return actor
    return "-".join(sorted((actor, target)))


def period_end(date: pd.Timestamp, precision: str) -> pd.Timestamp:
    """Last day the coded date may stand for: itself, its month's end or its year's end."""
    if precision == "month":
        return date + pd.offsets.MonthEnd(0)
    if precision == "year":
        return date + pd.offsets.YearEnd(0)
    return date


def _as_timestamp(value: str | dt.date | pd.Timestamp | None) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value)


def load_events(
    path: str | Path | None = None,
    *,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    cameo: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The coded events (shipped timeline by default), validated, optionally between two dates.

    Every row is checked (see :func:`validate_events`); any problem raises
    :class:`EventDataError` listing all of them with their places. ``start`` and ``end`` keep
    events whose coded date lies in ``[start, end]`` (inclusive). The result has one row per
    event, columns as in the CSV (``date`` as a timestamp, ``goldstein`` as float) plus
    ``dyad`` (the unordered actor-target pair) and ``date_end`` (the last day the coded date
    may stand for, given its precision).
    """
    file = Path(path) if path is not None else _resource(EVENTS_RESOURCE)
    source = file.name if path is None else str(path)
    cameo = load_cameo() if cameo is None else cameo
    try:
        raw = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise EventDataError([EventProblem(source, None, None, None, str(error))]) from None
    problems = validate_events(raw, cameo, source)
    if problems:
        raise EventDataError(problems)
    events = raw.loc[:, list(COLUMNS)].copy()
    events["date"] = pd.to_datetime(events["date"], format="%Y-%m-%d")
    events["goldstein"] = events["goldstein"].astype(float)
    events["dyad"] = [dyad_of(a, t) for a, t in zip(events["actor"], events["target"], strict=True)]
    events["date_end"] = [
        period_end(d, p) for d, p in zip(events["date"], events["date_precision"], strict=True)
    ]
    return filter_events(events, start=start, end=end)


def filter_events(
    events: pd.DataFrame,
    *,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
) -> pd.DataFrame:
    """Events whose coded date lies in ``[start, end]`` (either bound may be left open)."""
    low, high = _as_timestamp(start), _as_timestamp(end)
    if low is not None and high is not None and high < low:
        raise ValueError(f"expected --to on or after --from ({low.date()}), found {high.date()}")
    keep = pd.Series(True, index=events.index)
    if low is not None:
        keep &= events["date"] >= low
    if high is not None:
        keep &= events["date"] <= high
    return events.loc[keep].reset_index(drop=True)
