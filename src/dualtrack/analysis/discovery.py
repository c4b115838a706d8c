"""Scenario discovery on a stored sweep: which parameter ranges keep an outcome on the right side
of a threshold, as PRIM boxes (:mod:`dualtrack.analysis.prim`).

The cases of interest are the feasible points where a doctrine keeps an outcome below (or
above) a threshold. :func:`discover` poses that question, runs PRIM on the chosen inputs and
stores the answer as tables and figures under ``discovery/<name>/`` in the sweep folder;
:func:`read_discovery` reads the same :class:`PrimResult` back from them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dualtrack.analysis.figures import plot_boxes, plot_tradeoff
from dualtrack.analysis.files import save_csv, slug
from dualtrack.analysis.prim import PeelingStep, Prim, PrimBox, Restriction
from dualtrack.analysis.screening import FeatureScore, feature_scores, uncertain_subset
from dualtrack.analysis.sweep_facts import sweep_facts
from dualtrack.experiments.store import write_json
from dualtrack.experiments.sweep_store import load_sweep

DISCOVERY_DIR = "discovery"
"""Sub-folder of a sweep folder that holds one folder per discovery question."""
SETTINGS_FILE = "settings.json"
INPUTS_FILE = "inputs.csv"
TRAJECTORY_FILE = "trajectory.csv"
BOXES_FILE = "boxes.csv"
LIMITS_FILE = "limits.csv"
TRADEOFF_FIGURE = "tradeoff.png"
BOXES_FIGURE = "boxes.png"
STEP_COLUMNS = tuple(f.name for f in dataclasses.fields(PeelingStep))
LIMIT_COLUMNS = (
    "parameter",
    "low",
    "high",
    "full_low",
    "full_high",
    "share_of_range",
    "qp_low",
    "qp_high",
)


@dataclass(frozen=True)
class PrimSettings:
    """The question a discovery answers, and how PRIM searched for the answer."""

    doctrine: str
    outcome: str
    """The outcome explored."""
    outcome_label: str
    threshold: float
    relation: str
    """below or above: which side of the threshold the cases of interest are on."""
    conservative: bool
    """Whether a point counts only if its whole interval is on that side."""
    column: str
    """The column of the sweep's points thresholded (the outcome, or one of its bounds)."""
    points: int
    """Feasible points analysed."""
    cases_of_interest: int
    base_rate: float
    peel_alpha: float
    paste_alpha: float
    mass_min: float
    density_threshold: float
    max_boxes: int
    significance: float | None
    inputs: tuple[str, ...]
    """The parameters PRIM saw, in design order."""
    design: str
    """Kind of the sweep's design."""
    replicates: int | None
    """Replicates per point of the sweep."""

    @property
    def sign(self) -> str:
        """< or >."""
        return "<" if self.relation == "below" else ">"


@dataclass(frozen=True)
class PrimResult:
    """The boxes found for one question, the inputs' feature scores, and the figures drawn."""

    folder: Path
    """The question's folder under ``discovery/``: its name names the question."""
    settings: PrimSettings
    scores: tuple[FeatureScore, ...]
    """Feature score of every candidate input, largest first."""
    boxes: tuple[PrimBox, ...]
    tradeoff_figure: Path | None = None
    """Coverage against density along each box's peeling trajectory."""
    boxes_figure: Path | None = None
    """The chosen boxes' restricted ranges."""

    @property
    def name(self) -> str:
        """Name of the question."""
        return self.folder.name

    @property
    def figures(self) -> list[Path]:
        """The figures drawn."""
        return [p for p in (self.tradeoff_figure, self.boxes_figure) if p is not None]

    @property
    def files(self) -> list[Path]:
        """Every file the result is stored in."""
        names = (INPUTS_FILE, TRAJECTORY_FILE, BOXES_FILE, LIMITS_FILE, SETTINGS_FILE)
        return [self.folder / name for name in names] + self.figures


def discover(
    folder: Path | str,
    outcome: str,
    threshold: float,
    doctrine: str,
    *,
    below: bool = True,
    conservative: bool = False,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    density: float = 0.8,
    max_boxes: int = 3,
    significance: float | None = None,
    inputs: int | None = None,
    parameters: Sequence[str] | None = None,
    plots: bool = True,
) -> PrimResult:
    """PRIM boxes of the points where ``doctrine`` keeps ``outcome`` below (or above)
    ``threshold``, written as tables and plots under ``discovery/`` in the sweep folder.

    With ``conservative`` a point counts only if its whole interval is on the right side
    (upper bound below, or lower bound above, the threshold). Infeasible points are left out.
    PRIM sees the parameters matching ``parameters`` (path patterns; default all), and of
    those only the ``inputs`` with the largest feature scores (|Spearman rank correlation|
    with the outcome) when given; every score is written to ``inputs.csv``.
    """
    sweep = load_sweep(folder)
    if outcome not in sweep.points.columns:
        known = ", ".join(sweep.outcome_names)
        raise KeyError(f"no outcome {outcome!r} in the sweep; outcomes are {known}")
    rows = sweep.rows(doctrine)
    rows = rows[rows["feasible"].astype(bool)]
    if rows.empty:
        raise ValueError(f"{doctrine}: no feasible points to analyse")
    column = outcome
    if conservative:
        column = f"{outcome}_high" if below else f"{outcome}_low"
        if column not in rows.columns:
            raise KeyError(f"no interval column {column!r} for {outcome!r}")
    values = rows[column].to_numpy(dtype=np.float64)
    interest = values < threshold if below else values > threshold
    candidates = list(sweep.parameters)
    if parameters:
        chosen_paths = {p.path for p in uncertain_subset(candidates, parameters)}
        candidates = [p for p in candidates if p.path in chosen_paths]
    scores = feature_scores(rows[[p.path for p in candidates]], values)
    if inputs is not None:
        keep = {s.parameter for s in scores[:inputs]}
        candidates = [p for p in candidates if p.path in keep]
    prim = Prim(
        rows[[p.path for p in candidates]],
        interest,
        bounds=([p.low for p in candidates], [p.high for p in candidates]),
        peel_alpha=peel_alpha,
        paste_alpha=paste_alpha,
        mass_min=mass_min,
        threshold=density,
        significance=significance,
    )
    boxes = tuple(prim.find_boxes(max_boxes))
    relation = "below" if below else "above"
    facts = sweep_facts(sweep)
    settings = PrimSettings(
        doctrine=doctrine,
        outcome=outcome,
        outcome_label=facts.label(outcome),
        threshold=float(threshold),
        relation=relation,
        conservative=conservative,
        column=column,
        points=int(len(rows)),
        cases_of_interest=int(interest.sum()),
        base_rate=float(interest.mean()),
        peel_alpha=peel_alpha,
        paste_alpha=paste_alpha,
        mass_min=mass_min,
        density_threshold=density,
        max_boxes=max_boxes,
        significance=significance,
        inputs=tuple(p.path for p in candidates),
        design=sweep.design_kind,
        replicates=facts.replicates,
    )
    name = slug(f"{doctrine}__{outcome}_{relation}_{threshold:g}")
    out = sweep.folder / DISCOVERY_DIR / name
    out.mkdir(parents=True, exist_ok=True)
    result = PrimResult(out, settings, scores, boxes)
    if plots and boxes:
        title = (
            f"{doctrine}: {settings.outcome_label} {settings.sign} {threshold:g} "
            f"({settings.cases_of_interest}/{settings.points} points)"
        )
        result = dataclasses.replace(
            result,
            tradeoff_figure=plot_tradeoff(
                boxes, f"Peeling trajectory - {title}", out / TRADEOFF_FIGURE
            ),
            boxes_figure=plot_boxes(boxes, f"Boxes - {title}", out / BOXES_FIGURE),
        )
    save_discovery(result)
    return result


def _limit_row(limit: Restriction) -> dict[str, Any]:
    row = dataclasses.asdict(limit)
    row["share_of_range"] = limit.share_of_range
    return {name: np.nan if row[name] is None else row[name] for name in LIMIT_COLUMNS}


def save_discovery(result: PrimResult) -> list[Path]:
    """Write a result's tables and settings into its folder; returns the paths written."""
    numbered = list(enumerate(result.boxes, start=1))
    used = set(result.settings.inputs)
    tables = {
        INPUTS_FILE: pd.DataFrame(
            [
                {
                    "parameter": s.parameter,
                    "spearman": s.spearman,
                    "score": s.score,
                    "used": s.parameter in used,
                }
                for s in result.scores
            ],
            columns=["parameter", "spearman", "score", "used"],
        ),
        TRAJECTORY_FILE: pd.DataFrame(
            [
                {
                    "box": number,
                    **dataclasses.asdict(step),
                    "chosen": step.step == box.chosen,
                    "meets_threshold": box.meets_threshold,
                }
                for number, box in numbered
                for step in box.trajectory
            ],
            columns=["box", *STEP_COLUMNS, "chosen", "meets_threshold"],
        ),
        BOXES_FILE: pd.DataFrame(
            [
                {
                    "box": number,
                    **{
                        k: v
                        for k, v in dataclasses.asdict(box.chosen_step).items()
                        if k not in ("step", "kind")
                    },
                    "meets_threshold": box.meets_threshold,
                }
                for number, box in numbered
            ],
            columns=["box", *STEP_COLUMNS[2:], "meets_threshold"],
        ),
        LIMITS_FILE: pd.DataFrame(
            [
                {"box": number, **_limit_row(limit)}
                for number, box in numbered
                for limit in box.limits
            ],
            columns=["box", *LIMIT_COLUMNS],
        ),
    }
    written = []
    for file_name, table in tables.items():
        save_csv(table, result.folder / file_name)
        written.append(result.folder / file_name)
    settings = result.folder / SETTINGS_FILE
    write_json(settings, dataclasses.asdict(result.settings))
    written.append(settings)
    return written


def _optional(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def read_discovery(folder: Path) -> PrimResult:
    """The result stored in one question's folder (see :func:`save_discovery`).

    Raises ValueError naming the folder when a file is missing or was written by another
    version.
    """
    try:
        return _read_discovery(folder)
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"{folder}: cannot read this discovery ({error}); run `dualtrack discover` again"
        ) from error


def _read_discovery(folder: Path) -> PrimResult:
    data = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
    settings = PrimSettings(**{**data, "inputs": tuple(data["inputs"])})
    text = {"parameter": str, "kind": str}
    scores = pd.read_csv(folder / INPUTS_FILE, dtype=text)
    trajectory = pd.read_csv(folder / TRAJECTORY_FILE, dtype=text)
    limits = pd.read_csv(folder / LIMITS_FILE, dtype=text)
    boxes = []
    for number, steps in trajectory.groupby("box", sort=True):
        restricted = limits[limits["box"] == number]
        boxes.append(
            PrimBox(
                trajectory=tuple(
                    PeelingStep(
                        step=int(row.step),
                        kind=row.kind,
                        coverage=float(row.coverage),
                        density=float(row.density),
                        mass=float(row.mass),
                        n=int(row.n),
                        k=int(row.k),
                        res_dim=int(row.res_dim),
                    )
                    for row in steps.itertuples()
                ),
                chosen=int(steps.loc[steps["chosen"].astype(bool), "step"].iloc[0]),
                meets_threshold=bool(steps["meets_threshold"].iloc[0]),
                limits=tuple(
                    Restriction(
                        parameter=row.parameter,
                        low=float(row.low),
                        high=float(row.high),
                        full_low=float(row.full_low),
                        full_high=float(row.full_high),
                        qp_low=_optional(row.qp_low),
                        qp_high=_optional(row.qp_high),
                    )
                    for row in restricted.itertuples()
                ),
            )
        )
    figures = {name: folder / name for name in (TRADEOFF_FIGURE, BOXES_FIGURE)}
    return PrimResult(
        folder=folder,
        settings=settings,
        scores=tuple(
            FeatureScore(str(r.parameter), float(r.spearman)) for r in scores.itertuples()
        ),
        boxes=tuple(boxes),
        tradeoff_figure=figures[TRADEOFF_FIGURE] if figures[TRADEOFF_FIGURE].is_file() else None,
        boxes_figure=figures[BOXES_FIGURE] if figures[BOXES_FIGURE].is_file() else None,
    )


def discovery_folders(sweep_folder: Path) -> list[Path]:
    """The folder of every question answered in a sweep folder, by name."""
    root = sweep_folder / DISCOVERY_DIR
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / SETTINGS_FILE).is_file())
