"""The event loader rejects bad rows with located messages: file, row, event, column."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from dualtrack.analysis.history import EventDataError, filter_events, load_events
from dualtrack.analysis.history.events import EVENTS_RESOURCE, _resource


def write_events(tmp_path: Path, changes: dict[str, dict[str, str]]) -> Path:
    """A copy of the shipped timeline with some cells changed: {event_id: {column: value}}."""
    with _resource(EVENTS_RESOURCE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row.update(changes.get(row["event_id"], {}))
    path = tmp_path / "events.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def only_problem(path: Path) -> str:
    with pytest.raises(EventDataError) as caught:
        load_events(path)
    assert len(caught.value.problems) == 1, str(caught.value)
    return str(caught.value)


def test_unchanged_copy_loads(tmp_path: Path) -> None:
    assert len(load_events(write_events(tmp_path, {}))) == 70


def test_unknown_cameo_code_is_located(tmp_path: Path) -> None:
    path = write_events(tmp_path, {"E012": {"cameo_code": "999"}})
    assert only_problem(path) == (
        f"{path} row 19 (E012), column cameo_code: unknown CAMEO code '999'"
    )


def test_unpadded_code_gets_a_hint(tmp_path: Path) -> None:
    path = write_events(tmp_path, {"E059": {"cameo_code": "10", "goldstein": "-5.0"}})
    with pytest.raises(EventDataError, match=r"row 69 \(E059\), column plover"):
        load_events(path)
    path = write_events(tmp_path, {"E059": {"cameo_code": "43", "goldstein": "2.8"}})
    assert "zero-padded: '043'?" in only_problem(path)


def test_goldstein_not_matching_the_table_is_located(tmp_path: Path) -> None:
    path = write_events(tmp_path, {"E012": {"goldstein": "-3.0"}})
    assert only_problem(path) == (
        f"{path} row 19 (E012), column goldstein: expected -2, the Goldstein score of "
        "CAMEO 111, found -3"
    )


def test_month_precision_date_must_be_the_first_of_the_month(tmp_path: Path) -> None:
    path = write_events(tmp_path, {"E003": {"date": "2014-04-14"}})
    assert only_problem(path) == (
        f"{path} row 3 (E003), column date: month precision needs the 1st of the month "
        "(2014-04-01), found 2014-04-14"
    )


def test_year_precision_date_must_be_the_first_of_january(tmp_path: Path) -> None:
    path = write_events(tmp_path, {"E001": {"date": "2001-06-01"}})
    assert only_problem(path) == (
        f"{path} row 1 (E001), column date: year precision needs 1 January (2001-01-01), "
        "found 2001-06-01"
    )


def test_unknown_actor_is_located(tmp_path: Path) -> None:
    path = write_events(tmp_path, {"E012": {"actor": "POL"}})
    message = only_problem(path)
    assert message.startswith(f"{path} row 19 (E012), column actor: unknown actor 'POL'")
    assert "BLR, UKR, RUS" in message


def test_unknown_target_is_located(tmp_path: Path) -> None:
    path = write_events(tmp_path, {"E020": {"target": "belarus"}})
    assert only_problem(path).startswith(
        f"{path} row 27 (E020), column target: unknown actor 'belarus'"
    )


def test_out_of_order_date_is_located(tmp_path: Path) -> None:
    path = write_events(tmp_path, {"E005": {"date": "2014-07-01"}})
    assert only_problem(path) == (
        f"{path} row 5 (E005), column date: out of order: 2014-07-01 comes after 2014-07-31 "
        "(E004); rows must be sorted by date"
    )


def test_missing_source_is_located(tmp_path: Path) -> None:
    path = write_events(tmp_path, {"E030": {"source": ""}})
    assert only_problem(path).startswith(f"{path} row 38 (E030), column source: missing source")


def test_source_naming_neither_the_seed_nor_a_record_is_rejected(tmp_path: Path) -> None:
    for source in ("seed:Someone; Reuters, 29 Mar 2022", "Reuters", "; Reuters, 29 Mar 2022"):
        path = write_events(tmp_path, {"E030": {"source": source}})
        assert "column source: expected 'seed:Preiherman'" in only_problem(path)


def test_an_event_beyond_the_seed_may_cite_public_records_alone(tmp_path: Path) -> None:
    path = write_events(tmp_path, {"E030": {"source": "Reuters, 29 Mar 2022"}})
    assert len(load_events(path)) == 70


def test_malformed_date_and_bad_precision_are_located(tmp_path: Path) -> None:
    path = write_events(tmp_path, {"E010": {"date": "25/03/2020"}})
    assert "row 17 (E010), column date: expected an ISO date YYYY-MM-DD" in only_problem(path)
    path = write_events(tmp_path, {"E010": {"date_precision": "week"}})
    assert "row 17 (E010), column date_precision: expected one of day, month, year" in (
        only_problem(path)
    )


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    path = write_events(
        tmp_path,
        {"E002": {"cameo_code": "999"}, "E040": {"track": "war"}, "E041": {"event_id": "E040"}},
    )
    with pytest.raises(EventDataError) as caught:
        load_events(path)
    text = str(caught.value)
    assert text.startswith("3 problems in the event data:")
    assert "row 2 (E002), column cameo_code" in text
    assert "row 48 (E040), column track: expected one of deterrence, dialogue, context" in text
    assert "row 49 (E040), column event_id: duplicate id, first used in row 48" in text


def test_missing_column_is_reported(tmp_path: Path) -> None:
    frame = pd.read_csv(_resource(EVENTS_RESOURCE), dtype=str, keep_default_na=False)
    path = tmp_path / "short.csv"
    frame.drop(columns=["source"]).to_csv(path, index=False)
    with pytest.raises(EventDataError, match=r"missing column\(s\) \['source'\]"):
        load_events(path)


def test_from_and_to_filter_inclusively_on_the_coded_date() -> None:
    july = load_events(start="2024-07-13", end="2024-07-13")
    assert list(july["event_id"]) == ["E053", "E054"]
    assert list(load_events(end="2001-12-31")["event_id"]) == ["E001"]
    assert len(load_events(start="2024-06-01")) == 14  # E049-E059 and E068-E070
    with pytest.raises(ValueError, match="on or after"):
        filter_events(load_events(), start="2024-01-01", end="2023-01-01")


def test_loaded_events_carry_unordered_dyads_and_period_ends() -> None:
    events = load_events().set_index("event_id")
    assert events.loc["E058", "dyad"] == "BLR-UKR"  # UKR -> BLR
    assert events.loc["E051", "dyad"] == "BLR-UKR"  # BLR -> UKR
    assert events.loc["E009", "dyad"] == "OSCE"  # no target
    assert events.loc["E049", "date_end"] == pd.Timestamp("2024-06-30")
    assert events.loc["E001", "date_end"] == pd.Timestamp("2001-12-31")
    assert events.loc["E050", "date_end"] == pd.Timestamp("2024-06-28")
