"""Pattern-oriented validation of the built-in scenario against the 2024 border record.

Following Grimm et al. (2005, "Pattern-oriented modeling of agent-based complex systems",
Science 310: 987-991), the model is not fitted to one number but asked whether it reproduces
several qualitative patterns of the record at once, each defined precisely enough to be
counted in every replicate. The observed dates come from the coded timeline
(``data/history/events.csv``); days are counted from the scenario's start (2024-06-01, the
start of the perceived Ukrainian build-up). A simulated event "on day d" happened during the
step that starts d days after the start (the engine's ``first_agreement_day`` convention).

Patterns, for the subject (Belarus) on the focus dyad (BLR-UKR):

(a) *deployment*: Belarus's threat-weighted forces near the border, ``S(t) = sum_c w_c x_c(t)``
    (threat weights ``w_c`` of the scenario's categories), reach ``(1 + theta)`` times their
    baseline strength, ``theta`` being the scenario's ``elevated_threshold`` (0.25: "a quarter
    above peacetime strength is a visible reinforcement"), on some day 0..42 (1 Jun - 13 Jul
    2024). Observed: Polonez moved to the border on 28 Jun (E050, day 27), air defence on 29 Jun.
(b) *agreement*: a reciprocal withdrawal agreement forms on BLR-UKR before the August drone
    incursions (day < 61, i.e. before 1 Aug, when the scenario's drone shock begins).
    Observed: announced 13 Jul (E053, day 42). The day of the first agreement in the whole
    horizon is reported as a distribution beside the observed 42.
(c) *redeployment*: between 1 and 24 Aug (days 61..84; the drone shock begins 1 Aug, the
    observed redeployment came on 10 Aug, E056, day 70, and the window allows two weeks
    after it), Belarus's forces rise again: ``S`` at the end of some day in the window is at
    least 10% above ``S`` at the start of 1 Aug, or an agreement in force ends early (by a
    detected violation: it ran shorter than its term), the engine's sign of a breakout.
(a+b+c) all three in the same run: the whole deploy - withdraw - redeploy sequence.

Each share gets a Wilson 95% interval (:func:`dualtrack.analysis.outcomes.proportion_interval`).
A pattern counts as reproduced when the interval lies above one half, as not reproduced when it
lies below 5%, and otherwise as reproduced in some runs; timings are compared with the
simulated 5-95% range. Nothing here changes a parameter: a pattern the model misses is
reported as missed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from dualtrack.analysis.files import save_figure
from dualtrack.analysis.history.events import load_events
from dualtrack.analysis.outcomes import proportion_interval
from dualtrack.engine import outputs
from dualtrack.engine.run import simulate
from dualtrack.scenario.loading import load_scenario
from dualtrack.scenario.schema import IncidentRateShock, PerceivedBuildupShock, Scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SCENARIO_ID = "belarus-ukraine-2024"
DOCTRINES: tuple[str, ...] = ("dual-track", "deterrence-only")
DEFAULT_REPLICATES = 1000
CONFIDENCE = 0.95
DEPLOY_WINDOW_DAYS = 42
"""Observed build-up to agreement: 1 Jun -> 13 Jul 2024."""
REDEPLOY_RISE = 0.10
"""Rise of threat-weighted forces over their level at the start of the drone window."""
REDEPLOY_WINDOW = (dt.date(2024, 8, 1), dt.date(2024, 8, 24))
"""First and last day of the redeployment window (inclusive)."""
OBSERVED_EVENTS = {"deployment": "E050", "agreement": "E053", "redeployment": "E056"}
"""Coded events that give the observed dates of the three patterns."""
PATTERNS: tuple[tuple[str, str], ...] = (
    ("a_deployment", "(a) BLR deploys >= threshold within 42 days of the build-up"),
    ("b_agreement", "(b) withdrawal agreement before the August incursions"),
    ("c_redeployment", "(c) BLR forces rise again 1-24 Aug"),
    ("abc_sequence", "(a+b+c) whole deploy-withdraw-redeploy sequence"),
)
TIMING_COLUMN = {
    "a_deployment": "deploy_day",
    "b_agreement": "agreement_day",
    "c_redeployment": "redeploy_day",
}

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Observed:
    """The observed 2024 record, as dates and as days after the scenario's start."""

    start: dt.date
    build_up: dt.date
    drones: dt.date
    deployment: dt.date
    agreement: dt.date
    redeployment: dt.date
    event_ids: dict[str, str] = field(default_factory=lambda: dict(OBSERVED_EVENTS))

    def day(self, date: dt.date) -> int:
        """Days from the scenario's start to ``date``."""
        return (date - self.start).days

    @property
    def days(self) -> dict[str, int]:
        """Observed day of each pattern's event."""
        return {
            "a_deployment": self.day(self.deployment),
            "b_agreement": self.day(self.agreement),
            "c_redeployment": self.day(self.redeployment),
        }


def observed_record(scenario: Scenario, events: pd.DataFrame | None = None) -> Observed:
    """Observed dates from the coded timeline and the scenario's build-up and drone shocks."""
    events = load_events() if events is None else events
    dated = events.set_index("event_id")["date"]
    missing = [e for e in OBSERVED_EVENTS.values() if e not in dated.index]
    if missing:
        raise KeyError(f"the event timeline lacks the observed event(s) {missing}")
    build_ups = [s for s in scenario.shocks if isinstance(s, PerceivedBuildupShock)]
    incursions = [
        s
        for s in scenario.shocks
        if isinstance(s, IncidentRateShock) and s.begins >= REDEPLOY_WINDOW[0]
    ]
    return Observed(
        start=scenario.settings.start,
        build_up=build_ups[0].begins if build_ups else scenario.settings.start,
        drones=incursions[0].begins if incursions else REDEPLOY_WINDOW[0],
        deployment=dated[OBSERVED_EVENTS["deployment"]].date(),
        agreement=dated[OBSERVED_EVENTS["agreement"]].date(),
        redeployment=dated[OBSERVED_EVENTS["redeployment"]].date(),
    )


def subject_strength(ds: xr.Dataset, scenario: Scenario) -> tuple[xr.DataArray, float]:
    """Threat-weighted forces of the subject per replicate and time, and their baseline."""
    subject = ds.attrs.get("subject", scenario.subject)
    weights = xr.DataArray(
        [c.threat_weight.value for c in scenario.categories],
        coords={"category": [c.id for c in scenario.categories]},
        dims="category",
    )
    actor = next(a for a in scenario.actors if a.id == subject)
    baseline = sum(
        spec.baseline.value * weights.sel(category=category).item()
        for category, spec in actor.forces.items()
    )
    strength = (ds["forces"].sel(actor=subject).astype(np.float64) * weights).sum("category")
    return strength, float(baseline)


def _first_day(hit: NDArray[np.bool_], days: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per row, the day of the first True (NaN when none)."""
    found = hit.any(axis=1)
    first = np.where(found, days[np.argmax(hit, axis=1)], np.nan)
    return first.astype(np.float64)


def early_ends(active: NDArray[np.bool_], term_steps: float) -> NDArray[np.bool_]:
    """Steps at which an agreement in force ended before its term (a detected violation).

    An agreement that runs its term is recorded in force for ``term - 1`` steps (it expires
    during its last step); one that ended at least a step earlier ended by detection.
    """
    r, t = active.shape
    steps = np.arange(t)
    # index of the last step without an agreement, per replicate and step
    last_off = np.maximum.accumulate(np.where(~active, steps, -1), axis=1)
    run_length = steps - last_off  # steps the current agreement has been in force
    ended = np.zeros_like(active)
    ended[:, 1:] = active[:, :-1] & ~active[:, 1:]
    before = np.zeros((r, t))
    before[:, 1:] = run_length[:, :-1]
    return ended & (before < term_steps - 1.5)


def pattern_measures(ds: xr.Dataset, scenario: Scenario, observed: Observed) -> pd.DataFrame:
    """Per replicate: the day of each pattern's event (NaN if none) and whether it occurred.

    ``ds`` must be recorded with ``record="full"`` (trajectories of ``forces`` and
    ``agreement_in_force``).
    """
    missing = [
        n for n in ("forces", "agreement_in_force") if outputs.full_trajectories(ds, n) is None
    ]
    missing += [] if "first_agreement_day" in ds else ["first_agreement_day"]
    if missing:
        raise KeyError(
            f"no record of {', '.join(map(repr, missing))} for every replicate and step; "
            "pattern validation needs record='full' "
            f"(found variables {', '.join(map(str, ds.data_vars))})"
        )
    step = float(ds.attrs.get("step_days", scenario.settings.step_days))
    days = ds["time"].to_numpy() - step  # the day during which each recorded step happened
    strength, baseline = subject_strength(ds, scenario)
    values = strength.transpose("replicate", "time").to_numpy()
    threshold = (1.0 + scenario.settings.elevated_threshold.value) * baseline

    deploy_day = _first_day(values >= threshold, days)
    deploy_by = observed.day(observed.build_up) + DEPLOY_WINDOW_DAYS

    focus = ds.attrs.get("focus_dyad", "-".join(scenario.focus))
    agreement_day = ds["first_agreement_day"].sel(dyad=focus).to_numpy().astype(np.float64)
    drones_day = observed.day(observed.drones)
    build_up_day = observed.day(observed.build_up)

    first, last = (observed.day(d) for d in REDEPLOY_WINDOW)
    reference_index = np.searchsorted(days, first - step)  # end of the day before the window
    reference = (
        values[:, reference_index] if reference_index < len(days) else np.full(len(values), np.nan)
    )  # a run that ends before the window has no redeployment
    window = (days >= first) & (days <= last)
    rise = values >= (1.0 + REDEPLOY_RISE) * np.asarray(reference)[:, None]
    active = ds["agreement_in_force"].sel(dyad=focus).transpose("replicate", "time").to_numpy()
    term_steps = scenario.mechanisms.dialogue.duration_days.value / step
    early = early_ends(active.astype(bool), term_steps)
    redeploy_day = _first_day((rise | early) & window[None, :], days)

    measures = pd.DataFrame(
        {
            "deploy_day": deploy_day,
            "a_deployment": deploy_day <= deploy_by,
            "agreement_day": agreement_day,
            "b_agreement": (agreement_day >= build_up_day) & (agreement_day < drones_day),
            "redeploy_day": redeploy_day,
            "c_redeployment": ~np.isnan(redeploy_day),
            "early_end": (early & window[None, :]).any(axis=1),
            "peak_strength": values.max(axis=1),
        },
        index=pd.Index(ds["replicate"].to_numpy(), name="replicate"),
    )
    measures["abc_sequence"] = (
        measures["a_deployment"] & measures["b_agreement"] & measures["c_redeployment"]
    )
    measures.attrs = {"baseline_strength": baseline, "threshold_strength": threshold}
    return measures


def _verdict(low: float, high: float) -> str:
    if low >= 0.5:
        return "reproduced in most runs"
    if high < 0.05:
        return "NOT reproduced"
    return "reproduced in some runs"


def pattern_table(
    measures: dict[str, pd.DataFrame], observed: Observed, confidence: float = CONFIDENCE
) -> pd.DataFrame:
    """One row per doctrine and pattern: share of runs, Wilson interval, timing vs observed."""
    rows = []
    for doctrine, frame in measures.items():
        n = len(frame)
        for key, label in PATTERNS:
            hits = int(frame[key].sum())
            low, high = proportion_interval(hits, n, confidence)
            row: dict[str, Any] = {
                "doctrine": doctrine,
                "pattern": key,
                "label": label,
                "share": hits / n,
                "low": low,
                "high": high,
                "runs": n,
                "observed_date": None,
                "observed_day": np.nan,
                "median_day": np.nan,
                "p5_day": np.nan,
                "p95_day": np.nan,
                "runs_with_event": np.nan,
            }
            verdict = _verdict(low, high)
            column = TIMING_COLUMN.get(key)
            if column is not None:
                observed_day = observed.days[key]
                row["observed_day"] = observed_day
                observed_date = observed.start + dt.timedelta(days=observed_day)
                row["observed_date"] = observed_date.isoformat()
                timing = frame[column].dropna().to_numpy()
                row["runs_with_event"] = len(timing)
                if len(timing):
                    p5, median, p95 = np.percentile(timing, [5, 50, 95])
                    row.update(median_day=median, p5_day=p5, p95_day=p95)
                    inside = p5 <= observed_day <= p95
                    verdict += (
                        "; observed day inside the simulated 5-95% range"
                        if inside
                        else f"; observed day {observed_day} OUTSIDE the simulated 5-95% range"
                    )
                else:
                    verdict += "; the event never occurs"
            row["verdict"] = verdict
            rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs = {"confidence": confidence, "interval": "wilson"}
    return table


@dataclass(frozen=True)
class PatternValidation:
    """Result of a validation run: the pattern table and what its plot needs."""

    table: pd.DataFrame
    measures: dict[str, pd.DataFrame]
    strength_bands: dict[str, pd.DataFrame]
    agreement_share: dict[str, pd.Series]
    observed: Observed
    scenario_id: str
    replicates: int
    seed: int
    threshold_strength: float
    baseline_strength: float

    def plot(self, path: str | Path | None = None) -> Figure:
        """Four panels: Belarus's forces, shares with intervals, agreements, timings."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots(2, 2, figsize=(13, 8.5))
        self._forces_panel(axes[0, 0])
        self._share_panel(axes[0, 1])
        self._agreement_panel(axes[1, 0])
        self._timing_panel(axes[1, 1])
        figure.suptitle(
            f"{self.scenario_id}: simulated patterns vs the 2024 record "
            f"({self.replicates} replicates per doctrine, seed {self.seed})"
        )
        figure.tight_layout()
        if path is not None:
            save_figure(figure, Path(path))
            plt.close(figure)
        return figure

    def _observed_lines(self, ax: Any) -> None:
        marks = (
            (self.observed.deployment, "deploy (E050)"),
            (self.observed.agreement, "agreement (E053)"),
            (self.observed.redeployment, "redeploy (E056)"),
        )
        for date, text in marks:
            ax.axvline(pd.Timestamp(date), color="k", ls=":", lw=1.0)
            ax.annotate(
                text,
                (pd.Timestamp(date), 1.0),
                xycoords=("data", "axes fraction"),
                rotation=90,
                va="top",
                ha="right",
                fontsize="x-small",
            )
        first, last = REDEPLOY_WINDOW
        ax.axvspan(pd.Timestamp(first), pd.Timestamp(last), color="tab:orange", alpha=0.08)

    def _forces_panel(self, ax: Any) -> None:
        for doctrine, band in self.strength_bands.items():
            (line,) = ax.plot(band.index, band["p50"], label=f"{doctrine} (median)")
            ax.fill_between(band.index, band["p5"], band["p95"], color=line.get_color(), alpha=0.2)
        ax.axhline(self.baseline_strength, color="0.4", lw=0.8, label="baseline")
        ax.axhline(self.threshold_strength, color="0.4", lw=0.8, ls="--", label="(a) threshold")
        self._observed_lines(ax)
        ax.set_ylabel("BLR threat-weighted forces\n(ground battalion-equivalents)")
        ax.set_title("Belarus near the border: median and 5-95% of runs", fontsize="medium")
        ax.legend(fontsize="x-small", loc="lower right")
        ax.tick_params(axis="x", labelrotation=30)

    def _share_panel(self, ax: Any) -> None:
        keys = [key for key, _ in PATTERNS]
        width = 0.8 / max(1, len(self.measures))
        for i, doctrine in enumerate(self.measures):
            rows = self.table[self.table["doctrine"] == doctrine].set_index("pattern").loc[keys]
            x = np.arange(len(keys)) + (i - (len(self.measures) - 1) / 2) * width
            errors = np.vstack([rows["share"] - rows["low"], rows["high"] - rows["share"]])
            ax.bar(x, rows["share"], width, yerr=errors, capsize=3, label=doctrine)
        ax.set_xticks(np.arange(len(keys)), ["(a)", "(b)", "(c)", "(a+b+c)"])
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("share of runs (Wilson 95%)")
        ax.set_title("Patterns reproduced (observed: all four happened)", fontsize="medium")
        ax.legend(fontsize="x-small")

    def _agreement_panel(self, ax: Any) -> None:
        for doctrine, share in self.agreement_share.items():
            ax.plot(share.index, share.to_numpy(), label=doctrine)
        ax.axvspan(
            pd.Timestamp(self.observed.agreement),
            pd.Timestamp(self.observed.redeployment),
            color="tab:green",
            alpha=0.1,
            label="observed agreement holding",
        )
        self._observed_lines(ax)
        ax.set_ylim(0, 1.02)
        ax.set_ylabel("share of runs with an agreement in force")
        ax.set_title("BLR-UKR withdrawal agreements", fontsize="medium")
        ax.legend(fontsize="x-small", loc="lower right")
        ax.tick_params(axis="x", labelrotation=30)

    def _timing_panel(self, ax: Any) -> None:
        labels, data, observed = [], [], []
        for key, column in TIMING_COLUMN.items():
            for doctrine, frame in self.measures.items():
                labels.append(f"{key.split('_')[0]} {doctrine}")
                data.append(frame[column].dropna().to_numpy())
                observed.append(self.observed.days[key])
        positions = np.arange(len(labels))
        for y, values in zip(positions, data, strict=True):
            if not len(values):
                ax.annotate("never", (0.01, y), xycoords=("axes fraction", "data"), va="center")
                continue
            p5, p25, p50, p75, p95 = np.percentile(values, [5, 25, 50, 75, 95])
            ax.plot([p5, p95], [y, y], color="tab:blue", lw=1.0)
            ax.plot([p25, p75], [y, y], color="tab:blue", lw=6.0, solid_capstyle="butt")
            ax.plot([p50], [y], marker="|", color="white", markersize=10, mew=2)
        ax.scatter(observed, positions, color="tab:red", marker="D", zorder=3, label="observed")
        ax.set_yticks(positions, labels, fontsize="small")
        ax.set_xlabel("day after 1 Jun 2024 (thin: 5-95% of runs, thick: quartiles, tick: median)")
        ax.set_title("Timing of each pattern's event", fontsize="medium")
        ax.legend(fontsize="x-small")


def _bands(strength: xr.DataArray, dates: NDArray[Any], days: int) -> pd.DataFrame:
    values = strength.transpose("replicate", "time").to_numpy()[:, :days]
    p5, p50, p95 = np.percentile(values, [5, 50, 95], axis=0)
    return pd.DataFrame({"p5": p5, "p50": p50, "p95": p95}, index=pd.DatetimeIndex(dates[:days]))


def validate_history(
    scenario: Scenario | str = SCENARIO_ID,
    doctrines: Sequence[str] = DOCTRINES,
    *,
    replicates: int = DEFAULT_REPLICATES,
    seed: int | None = None,
    events: pd.DataFrame | None = None,
    progress: Progress | None = None,
    plot_days: int = 120,
    backend: str | None = None,
) -> PatternValidation:
    """Simulate the scenario for each doctrine of its subject and score the 2024 patterns.

    ``seed`` defaults to the scenario's; the doctrines share their random numbers (common
    random numbers), so their differences are not sampling noise of separate draws.
    ``backend`` names the engine backend (``engine.backends``).
    """
    resolved = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    observed = observed_record(resolved, events)
    chosen_seed = resolved.settings.seed if seed is None else seed
    measures: dict[str, pd.DataFrame] = {}
    bands: dict[str, pd.DataFrame] = {}
    agreement: dict[str, pd.Series] = {}
    baseline = threshold = float("nan")
    for doctrine in doctrines:
        ds = simulate(
            resolved,
            doctrine=doctrine,
            replicates=replicates,
            seed=chosen_seed,
            record="full",
            progress=progress,
            backend=backend,
        )
        frame = pattern_measures(ds, resolved, observed)
        measures[doctrine] = frame
        baseline = frame.attrs["baseline_strength"]
        threshold = frame.attrs["threshold_strength"]
        strength, _ = subject_strength(ds, resolved)
        dates = ds["date"].to_numpy() if "date" in ds.coords else ds["time"].to_numpy()
        bands[doctrine] = _bands(strength, dates, plot_days)
        focus = ds.attrs["focus_dyad"]
        share = ds["agreement_in_force"].sel(dyad=focus).mean("replicate").to_numpy()
        agreement[doctrine] = pd.Series(
            share[:plot_days], index=pd.DatetimeIndex(dates[:plot_days]), name=doctrine
        )
        del ds
    table = pattern_table(measures, observed)
    table.attrs.update(scenario=resolved.id, replicates=replicates, seed=chosen_seed)
    return PatternValidation(
        table=table,
        measures=measures,
        strength_bands=bands,
        agreement_share=agreement,
        observed=observed,
        scenario_id=resolved.id,
        replicates=replicates,
        seed=chosen_seed,
        threshold_strength=threshold,
        baseline_strength=baseline,
    )


def replicate_steps(scenario: Scenario | str, doctrines: Sequence[str], replicates: int) -> int:
    """Work of :func:`validate_history` in replicate-steps (for progress bars)."""
    resolved = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    steps = int(np.ceil(resolved.settings.horizon_days / resolved.settings.step_days - 1e-9))
    return replicates * steps * len(doctrines)
