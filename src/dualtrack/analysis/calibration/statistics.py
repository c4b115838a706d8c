"""Summary statistics of an episode, observed (coded events) and simulated (a results dataset).

One definition, two sources, the same names in the same order (:func:`statistic_names`):

1. ``timing.NAME``: day (after the scenario's start) of each of the episode's timings. Observed:
   the date of the timing's coded event. Simulated: the timing's measure (:data:`MEASURES`;
   the 2024 patterns are the measures of :mod:`dualtrack.analysis.validation`, reused, not
   redefined); a run in which the event never happens counts as the day after the window
   (censored), so the statistic is defined in every run.
2. ``tension.YYYY-MM``: the tension index of :mod:`dualtrack.analysis.history.tension` for the
   episode's dyad (all tracks), at the end of each month of the window, counting events from
   the scenario's start. Observed: the coded events of the dyad. Simulated: the same
   recursion over the events a run produces, coded by :data:`SIMULATED_CODES`.
3. ``quad.CLASS``: number of the dyad's events in the window per CAMEO quad class (verbal
   cooperation, material cooperation, verbal conflict, material conflict).

**Simulated events (our coding, not a published one).** A run has no newspaper; we code the
state changes a chronicler of the record would report, each as the CAMEO event whose
description fits it best, scored by the Goldstein (1992) scale as shipped in
``data/cameo/goldstein.csv`` (GDELT's CAMEO.goldsteinscale.txt):

===========================================================  =======  =========  ====
what happens in the run (dyad A-B, per side where directed)  CAMEO    Goldstein  quad
===========================================================  =======  =========  ====
a side's threat-weighted forces rise past (1 + theta) x its  154      -7.2       4
baseline (the validation's deployment threshold)
... and fall back below it                                   087      +9.0       2
a withdrawal agreement forms                                 0356     +7.0       1
an agreement ends early by a detected violation              112      -2.0       3
a spell of incidents begins in the dyad's sectors            1123     -2.0       3
a spell of deliberate probes or attacks begins (per side)    190      -10.0      4
the dyad's escalation rises to crisis (rung 3) or above      138      -7.0       3
the dyad reaches war (rung 6)                                190      -10.0      4
===========================================================  =======  =========  ====

The codes follow how the record codes the same things in 2024 (E050 deployment as 154, E053
de-escalation announced as 0356, E054 withdrawal as 087, E055 drone incursions as 1123, E058
threat as 138). A *spell* begins on a day with at least one incident (or act) after
:data:`SPELL_GAP_DAYS` days without: a chronicle reports a run of incidents as one story,
not each drone. What the model cannot produce: statements and consultations with no state
change behind them (CAMEO 01-05 other than 0356, e.g. E059's "no unusual movements"), so
verbal cooperation is under-produced by construction; and the record codes several
statements about one deployment (E050, E052) where a run codes one crossing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray
from scipy.signal import lfilter

from dualtrack.analysis.history.events import load_cameo
from dualtrack.analysis.history.tension import (
    DEFAULT_HALF_LIFE_DAYS,
    TensionIndex,
    decay_per_day,
)
from dualtrack.analysis.validation import (
    early_ends,
    observed_record,
    pattern_measures,
    subject_strength,
)
from dualtrack.scenario.dyads import dyad_id, parse_dyad
from dualtrack.scenario.ladder import Rung

if TYPE_CHECKING:
    from dualtrack.analysis.calibration.episodes import Episode

SPELL_GAP_DAYS = 14
"""Days without an incident (or deliberate act) after which the next one starts a new spell."""

QUADS: tuple[str, ...] = (
    "verbal_cooperation",
    "material_cooperation",
    "verbal_conflict",
    "material_conflict",
)
"""CAMEO quad classes 1..4."""


@dataclass(frozen=True)
class SimulatedCode:
    """The CAMEO code a kind of simulated event is coded as."""

    kind: str
    cameo: str
    description: str


SIMULATED_CODES: tuple[SimulatedCode, ...] = (
    SimulatedCode("deployment", "154", "a side's forces rise past the deployment threshold"),
    SimulatedCode("withdrawal", "087", "a side's forces fall back below the threshold"),
    SimulatedCode("agreement", "0356", "a withdrawal agreement forms"),
    SimulatedCode("breach", "112", "an agreement ends early by a detected violation"),
    SimulatedCode("incidents", "1123", "a spell of incidents begins in the dyad's sectors"),
    SimulatedCode("acts", "190", "a spell of deliberate probes or attacks begins (per side)"),
    SimulatedCode("crisis", "138", "escalation rises to crisis or above"),
    SimulatedCode("war", "190", "escalation reaches war"),
)
"""How each kind of simulated event is coded (see the module docstring)."""


# -- measures: timings and binary outcomes of a run -------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A per-replicate measure of a run: the day of an event (NaN: none) and whether it counts."""

    name: str
    description: str
    timing: bool
    """The measure has a day (it can date a timing); otherwise an outcome only."""


MEASURES: Mapping[str, Measure] = {
    m.name: m
    for m in (
        Measure("deployment", "validation pattern (a): the subject deploys within 42 days", True),
        Measure("agreement", "validation pattern (b): an agreement before the August drones", True),
        Measure("redeployment", "validation pattern (c): the subject's forces rise 1-24 Aug", True),
        Measure("sequence", "validation patterns (a+b+c) in the same run", False),
        Measure("any_agreement", "an agreement forms on the dyad in the window", True),
        Measure("war", "the dyad reaches war (rung 6) in the window", True),
        Measure("deliberate_act", "a deliberate probe or attack on the dyad in the window", True),
    )
}
"""Measures an episode's timings and outcomes may name. The 2024 patterns are defined by
:mod:`dualtrack.analysis.validation` and are meaningful only for a scenario starting 1 Jun
2024; the others hold for any scenario."""


def _dyad_in(episode: Episode) -> str:
    """The results' id of the episode's dyad (the scenario's declared order)."""
    return dyad_id(parse_dyad(episode.dyad, (d.between for d in episode.scenario.dyads)))


def _days(ds: xr.Dataset) -> NDArray[np.float64]:
    """The day during which each recorded step happened (validation's convention)."""
    step = float(ds.attrs.get("step_days", 1.0))
    return np.asarray(ds["time"].to_numpy() - step, dtype=np.float64)


def _first(hit: NDArray[np.bool_], days: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.where(hit.any(axis=1), days[np.argmax(hit, axis=1)], np.nan)


def measure_days(ds: xr.Dataset, episode: Episode) -> pd.DataFrame:
    """Per replicate and measure: the day of the measure's event (NaN: none) and ``NAME_occurred``.

    ``ds`` must be recorded with ``record="full"`` over :attr:`Episode.days`.
    """
    scenario = episode.scenario
    patterns = pattern_measures(ds, scenario, observed_record(scenario, episode.events))
    dyad = _dyad_in(episode)
    days = _days(ds)
    in_window = days >= episode.day(episode.spec.window.start)
    rung = ds["escalation"].sel(dyad=dyad).transpose("replicate", "time").to_numpy()
    pairs = _pairs_of(ds, episode.pair)
    acts = ds["deliberate_act"].sel(pair=pairs).transpose("replicate", "time", "pair").to_numpy()
    agreement = ds["first_agreement_day"].sel(dyad=dyad).to_numpy().astype(np.float64)
    first_window = float(episode.day(episode.spec.window.start))
    agreement_in = np.where(agreement >= first_window, agreement, np.nan)
    war_day = _first((rung >= Rung.WAR) & in_window[None, :], days)
    act_day = _first(acts.any(axis=2) & in_window[None, :], days)
    frame = pd.DataFrame(
        {
            "deployment": patterns["deploy_day"].to_numpy(),
            "deployment_occurred": patterns["a_deployment"].to_numpy(),
            "agreement": patterns["agreement_day"].to_numpy(),
            "agreement_occurred": patterns["b_agreement"].to_numpy(),
            "redeployment": patterns["redeploy_day"].to_numpy(),
            "redeployment_occurred": patterns["c_redeployment"].to_numpy(),
            "sequence": np.full(len(patterns), np.nan),
            "sequence_occurred": patterns["abc_sequence"].to_numpy(),
            "any_agreement": agreement_in,
            "any_agreement_occurred": ~np.isnan(agreement_in),
            "war": war_day,
            "war_occurred": ~np.isnan(war_day),
            "deliberate_act": act_day,
            "deliberate_act_occurred": ~np.isnan(act_day),
        },
        index=pd.Index(ds["replicate"].to_numpy(), name="replicate"),
    )
    return frame


def simulated_outcomes(ds: xr.Dataset, episode: Episode) -> pd.DataFrame:
    """Per replicate, whether each of the episode's outcomes occurred (columns: outcome names)."""
    days = measure_days(ds, episode)
    return pd.DataFrame(
        {name: days[f"{name}_occurred"].to_numpy(dtype=bool) for name in episode.spec.outcomes},
        index=days.index,
    )


# -- simulated events ------------------------------------------------------------------------


def _pairs_of(ds: xr.Dataset, pair: tuple[str, str]) -> list[str]:
    a, b = pair
    observers = ds["pair_observer"].to_numpy()
    targets = ds["pair_target"].to_numpy()
    return [
        str(p)
        for p, o, t in zip(ds["pair"].to_numpy(), observers, targets, strict=True)
        if {str(o), str(t)} == {a, b}
    ]


def _spell_starts(hit: NDArray[np.bool_], gap: int) -> NDArray[np.bool_]:
    """Steps with a hit after at least ``gap`` steps without one (the first hit counts)."""
    steps = np.arange(hit.shape[1])
    last = np.maximum.accumulate(np.where(hit, steps, -(gap + 1)), axis=1)
    previous = np.full_like(last, -(gap + 1))
    previous[:, 1:] = last[:, :-1]
    return hit & (steps[None, :] - previous > gap)


def _crossings(level: NDArray[np.float64], threshold: float) -> tuple[NDArray, NDArray]:
    above = level >= threshold
    before = np.concatenate([np.zeros_like(above[:, :1]), above[:, :-1]], axis=1)
    before[:, 0] = above[:, 0]  # the state the run starts in is not an event
    return above & ~before, ~above & before


def simulated_events(ds: xr.Dataset, episode: Episode) -> dict[str, NDArray[np.bool_]]:
    """Per kind of :data:`SIMULATED_CODES`: (replicate, step, k) flags of the kind's events.

    ``k`` counts parallel events of a kind in a step (the two sides' deployments); the flags
    sum to the number of coded events.
    """
    scenario = episode.scenario
    dyad = _dyad_in(episode)
    threshold = 1.0 + scenario.settings.elevated_threshold.value
    ups, downs = [], []
    for side in episode.pair:
        strength, baseline = subject_strength(ds.assign_attrs(subject=side), scenario)
        level = strength.transpose("replicate", "time").to_numpy()
        up, down = _crossings(level, threshold * baseline)
        ups.append(up)
        downs.append(down)
    active = ds["agreement_in_force"].sel(dyad=dyad).transpose("replicate", "time").to_numpy()
    active = active.astype(bool)
    formed = active & ~np.concatenate([np.zeros_like(active[:, :1]), active[:, :-1]], axis=1)
    step = float(ds.attrs.get("step_days", scenario.settings.step_days))
    term = scenario.mechanisms.dialogue.duration_days.value / step
    breach = early_ends(active, term)
    sectors = [s.id for s in scenario.sectors if tuple(sorted(s.between)) == episode.pair]
    incidents = ds["incidents"].sel(sector=sectors).sum("sector")
    incident_days = incidents.transpose("replicate", "time").to_numpy() > 0
    acts = ds["deliberate_act"].sel(pair=_pairs_of(ds, episode.pair))
    act_steps = acts.transpose("replicate", "time", "pair").to_numpy() > 0
    rung = ds["escalation"].sel(dyad=dyad).transpose("replicate", "time").to_numpy()
    crisis, _ = _crossings(rung.astype(np.float64), float(Rung.CRISIS))
    war, _ = _crossings(rung.astype(np.float64), float(Rung.WAR))
    gap = int(np.ceil(SPELL_GAP_DAYS / step))
    return {
        "deployment": np.stack(ups, axis=2),
        "withdrawal": np.stack(downs, axis=2),
        "agreement": formed[:, :, None],
        "breach": breach[:, :, None],
        "incidents": _spell_starts(incident_days, gap)[:, :, None],
        "acts": np.stack(
            [_spell_starts(act_steps[:, :, k], gap) for k in range(act_steps.shape[2])], axis=2
        ),
        "crisis": crisis[:, :, None],
        "war": war[:, :, None],
    }


# -- the statistics --------------------------------------------------------------------------


def _month_ends(episode: Episode) -> list[dt.date]:
    window = episode.spec.window
    ends = pd.date_range(window.start, window.end, freq="ME").date.tolist()
    if not ends or ends[-1] != window.end:
        ends.append(window.end)
    return ends


def statistic_names(episode: Episode) -> list[str]:
    """Names of the episode's statistics, in the order of every statistics vector."""
    timings = [f"timing.{t.name}" for t in episode.spec.timings]
    months = [f"tension.{d:%Y-%m}" for d in _month_ends(episode)]
    return timings + months + [f"quad.{q}" for q in QUADS]


def _censored_day(episode: Episode) -> float:
    return float(episode.days)


def observed_statistics(
    episode: Episode, half_life_days: float = DEFAULT_HALF_LIFE_DAYS
) -> pd.Series:
    """The episode's statistics from its coded events (names of :func:`statistic_names`)."""
    window = episode.spec.window
    start = episode.scenario.settings.start
    events = episode.events
    mine = events.loc[
        (events["dyad"] == episode.dyad)
        & (events["date"] >= pd.Timestamp(start))
        & (events["date"] <= pd.Timestamp(window.end))
    ]
    values: list[float] = [float(d) for d in episode.observed_days().values()]
    ends = _month_ends(episode)
    if mine.empty:
        values += [0.0] * len(ends)
    else:
        index = TensionIndex.from_events(
            mine, half_life_days=half_life_days, start=start, end=window.end
        )
        total = index.values.sum(axis=1)
        values += [float(total.loc[pd.Timestamp(d)]) for d in ends]
    inside = mine.loc[mine["date"] >= pd.Timestamp(window.start)]
    quads = load_cameo()["quad_class"]
    counts = inside["cameo_code"].map(quads).value_counts()
    values += [float(counts.get(q, 0)) for q in range(1, len(QUADS) + 1)]
    return pd.Series(values, index=statistic_names(episode), name=episode.name, dtype=float)


def replicate_statistics(
    ds: xr.Dataset, episode: Episode, half_life_days: float = DEFAULT_HALF_LIFE_DAYS
) -> pd.DataFrame:
    """Per replicate (rows), the episode's statistics of a simulated run (columns, in order).

    ``ds``: recorded with ``record="full"`` over the episode's days
    (``simulate(episode.scenario, days=episode.days, record="full")``).
    """
    timings = measure_days(ds, episode)
    columns: dict[str, NDArray[np.float64]] = {}
    censored = _censored_day(episode)
    for timing in episode.spec.timings:
        day = timings[timing.measure].to_numpy(dtype=np.float64)
        columns[f"timing.{timing.name}"] = np.where(np.isnan(day), censored, day)
    events = simulated_events(ds, episode)
    cameo = load_cameo()
    replicates, steps = next(iter(events.values())).shape[:2]
    impulses = np.zeros((replicates, steps))
    days = _days(ds)
    in_window = days >= episode.day(episode.spec.window.start)
    quads = np.zeros((replicates, len(QUADS)))
    for code in SIMULATED_CODES:
        count = events[code.kind].sum(axis=2)
        impulses += count * float(cameo.loc[code.cameo, "goldstein"])
        quad = int(cameo.loc[code.cameo, "quad_class"]) - 1
        quads[:, quad] += (count * in_window[None, :]).sum(axis=1)
    # the recursion of analysis.history.tension, one step of the run at a time
    step = float(ds.attrs.get("step_days", 1.0))
    index = lfilter([1.0], [1.0, -(decay_per_day(half_life_days) ** step)], impulses, axis=1)
    for end in _month_ends(episode):
        position = int(np.searchsorted(days, episode.day(end)))
        columns[f"tension.{end:%Y-%m}"] = index[:, min(position, steps - 1)]
    for q, name in enumerate(QUADS):
        columns[f"quad.{name}"] = quads[:, q]
    frame = pd.DataFrame(columns, index=pd.Index(ds["replicate"].to_numpy(), name="replicate"))
    return frame.loc[:, statistic_names(episode)]


def simulated_statistics(
    ds: xr.Dataset, episode: Episode, half_life_days: float = DEFAULT_HALF_LIFE_DAYS
) -> pd.Series:
    """The episode's statistics of a simulated run: the mean over its replicates."""
    frame = replicate_statistics(ds, episode, half_life_days)
    return frame.mean(axis=0).rename(episode.name)
