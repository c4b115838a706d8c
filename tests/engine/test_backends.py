"""Engine backends: the compiled step against the numpy reference, generators, choice errors."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from scipy import stats

import dualtrack
from dualtrack.doctrines.base import Decision, Doctrine, DoctrineParams, Observation
from dualtrack.engine import backends

pytest.importorskip("jax")  # the test extra installs it: CI runs these

SRC = Path(dualtrack.__file__).parent

# every built-in doctrine runs: 2024 gives its deciders (BLR, UKR, RUS) three, 2015 keeps its
# own (dialogue-only, dual-track, deterrence-only), Europe gives four more to four actors
CASES = {
    "2024-a": ("belarus-ukraine-2024", {"BLR": "dual-track", "UKR": "grit", "RUS": "tit-for-tat"}),
    "2015": ("belarus-ukraine-2015", None),
    "europe": (
        "europe",
        {"BLR": "grit", "POL": "tit-for-tat", "UKR": "dialogue-only", "RUS": "dual-track"},
    ),
}


def _run(
    scenario: object, doctrines: dict[str, str] | None, backend: str, **kw: object
) -> xr.Dataset:
    return dualtrack.simulate(
        scenario,
        doctrines,
        backend=backend,
        seed=11,
        record="full",
        **kw,  # type: ignore[arg-type]
    )


def assert_equivalent(reference: xr.Dataset, compiled: xr.Dataset) -> None:
    """Discrete outputs identical, continuous ones within 1e-12 (relative and absolute)."""
    assert set(reference.data_vars) == set(compiled.data_vars)
    for name, variable in reference.data_vars.items():
        expected, found = variable.to_numpy(), compiled[name].to_numpy()
        if expected.dtype.kind in "biu":
            np.testing.assert_array_equal(found, expected, err_msg=name)
        else:
            np.testing.assert_allclose(found, expected, rtol=1e-12, atol=1e-12, err_msg=name)


def test_compiled_backend_reproduces_the_reference_with_every_instrument_in_force() -> None:
    """The levers of the instrument catalogue (notification, incident prevention, attribution,
    intent insight, inspections; docs/model.md 7.16) trace into the same compiled step."""
    from dualtrack.scenario.instruments import apply_instruments, catalogue
    from dualtrack.scenario.loading import load_scenario

    scenario = apply_instruments(load_scenario("belarus-ukraine-2024"), list(catalogue().values()))
    kw = {"replicates": 300, "days": 60, "chunk_size": 256}
    doctrines = {"BLR": "dual-track", "UKR": "grit"}
    reference = _run(scenario, doctrines, "numpy", **kw)  # type: ignore[arg-type]
    assert_equivalent(reference, _run(scenario, doctrines, "compiled", **kw))  # type: ignore[arg-type]
    assert int(reference["incidents_total"].sum()) > 0


@pytest.mark.parametrize("case", list(CASES))
def test_compiled_backend_reproduces_the_reference(case: str) -> None:
    scenario, doctrines = CASES[case]
    days = 30 if scenario == "europe" else 60
    # 300 replicates in chunks of 256: two random-number blocks, the last chunk padded
    kw = {"replicates": 300, "days": days, "chunk_size": 256}
    reference = _run(scenario, doctrines, "numpy", **kw)
    compiled = _run(scenario, doctrines, "compiled", **kw)
    assert compiled.attrs["backend"] == "jax" and reference.attrs["backend"] == "numpy"
    assert_equivalent(reference, compiled)
    # the runs are long enough to exercise the stochastic paths being compared
    assert int(reference["incidents_total"].sum()) > 0
    if case == "2024-a":  # both sides of the focus dyad talk
        assert int(reference["agreements"].sum()) > 0


def test_a_summary_only_run_large_enough_to_step_asynchronously_reproduces_the_reference() -> None:
    """Without per-step records nothing waits for a step to finish, so the host draws the
    next step while the last one runs (tests/engine/test_asynchronous_draws.py)."""
    kw = {"replicates": 4096, "days": 30, "record": "summary", "seed": 11}
    reference = dualtrack.simulate("belarus-ukraine-2024", backend="numpy", **kw)  # type: ignore[arg-type]
    assert_equivalent(reference, dualtrack.simulate("belarus-ukraine-2024", backend="jax", **kw))  # type: ignore[arg-type]


def test_own_generator_is_deterministic_and_agrees_in_distribution() -> None:
    kw = {"replicates": 768, "days": 90, "seed": 5, "record": "summary"}
    first = dualtrack.simulate("belarus-ukraine-2024", backend="jax-rng", **kw)  # type: ignore[arg-type]
    again = dualtrack.simulate("belarus-ukraine-2024", backend="jax-rng", **kw)  # type: ignore[arg-type]
    reference = dualtrack.simulate("belarus-ukraine-2024", backend="numpy", **kw)  # type: ignore[arg-type]
    xr.testing.assert_identical(first, again)
    assert not np.array_equal(first["cost"], reference["cost"])  # its own draws
    focus = reference.attrs["focus_dyad"]
    subject = reference.attrs["subject"]
    for name, select in [
        ("cost", {"actor": subject}),
        ("days_elevated", {"actor": subject}),
        ("first_agreement_day", {"dyad": focus}),
    ]:
        a = first[name].sel(select).to_numpy()
        b = reference[name].sel(select).to_numpy()
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        assert stats.ks_2samp(a, b).pvalue > 0.001, name
    for name in ("max_rung", "agreements"):  # discrete: chi-square on the shared support
        a = first[name].sel(dyad=focus).to_numpy()
        b = reference[name].sel(dyad=focus).to_numpy()
        values = np.union1d(a, b)
        table = np.array([[np.sum(x == v) for v in values] for x in (a, b)])
        table = table[:, table.sum(axis=0) >= 10]
        if table.shape[1] > 1:
            assert stats.chi2_contingency(table).pvalue > 0.001, name


class _Untraced(Doctrine):
    """A user doctrine written with numpy (not declared traceable)."""

    name = "untraced-test"
    source = "test"
    classifier = {"tracks": frozenset(), "observes": frozenset(), "memory": False}
    Params = DoctrineParams

    def decide(self, obs: Observation, state: dict[str, np.ndarray]) -> Decision:
        return Decision(target=np.asarray(obs.forces), talk=np.zeros(obs.replicates))


def test_own_generator_gives_the_same_results_whatever_the_chunk_size() -> None:
    """Each block draws from its own key, as the reference's streams do: chunks of one block
    and a chunk of three blocks (the last partial) give the same replicates."""
    kw = {"replicates": 600, "days": 20, "seed": 9, "record": "summary", "backend": "jax-rng"}
    one_block = dualtrack.simulate("belarus-ukraine-2024", chunk_size=256, **kw)  # type: ignore[arg-type]
    three_blocks = dualtrack.simulate("belarus-ukraine-2024", chunk_size=1024, **kw)  # type: ignore[arg-type]
    xr.testing.assert_identical(one_block, three_blocks)


def test_a_doctrine_that_cannot_be_traced_is_refused_or_run_by_numpy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(backends.BackendError, match=r"untraced-test.*'BLR'.*numpy"):
        dualtrack.simulate("belarus-ukraine-2024", _Untraced(), replicates=4, days=2, backend="jax")
    monkeypatch.setenv(backends.ENVIRONMENT, "jax")  # a default, not a request: falls back
    ds = dualtrack.simulate("belarus-ukraine-2024", _Untraced(), replicates=4, days=2)
    assert ds.attrs["backend"] == "numpy"


def test_backend_names_resolve_or_fail_with_their_location(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert backends.resolve("numpy") == "numpy"
    assert backends.resolve("compiled") == "jax"
    with pytest.raises(backends.BackendError, match=r"^--backend: expected one of .*'fast'"):
        backends.resolve("fast", where="--backend")
    monkeypatch.setenv(backends.ENVIRONMENT, "fast")
    with pytest.raises(backends.BackendError, match=r"^DUALTRACK_BACKEND: "):
        backends.resolve(None)
    monkeypatch.delenv(backends.ENVIRONMENT)
    assert backends.resolve(None) == backends.installed()[0]
    monkeypatch.setattr(backends, "is_installed", lambda name: name == "numpy")
    with pytest.raises(backends.BackendError, match=r"compiled.*dualtrack\[compiled\]"):
        backends.resolve("compiled")
    with pytest.raises(backends.BackendError, match=r"'jax' is not installed"):
        backends.resolve("jax")
    assert backends.resolve(None) == "numpy"


def _imports_jax(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "jax" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "jax":
            return True
    return False


def test_one_definition_of_the_physics() -> None:
    """jax is imported only by the namespace helpers, the backend runner and the matrix
    products: an equation written again for jax would have to import it elsewhere."""
    importing = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if _imports_jax(p))
    assert importing == ["engine/jax_backend.py", "engine/linear.py", "mechanisms/arrays.py"]
    backend = ast.parse((SRC / "engine" / "jax_backend.py").read_text())
    modules = {n.module for n in ast.walk(backend) if isinstance(n, ast.ImportFrom)}
    assert not any(
        m and m.startswith(("dualtrack.mechanisms", "dualtrack.doctrines")) for m in modules
    )
    from dualtrack.engine import jax_backend, step

    assert jax_backend.step is step.step  # the compiled program is the reference's step


def test_a_compiled_study_on_threads_matches_one_thread() -> None:
    from dualtrack.experiments.study import plan_study, run_study

    study = plan_study(
        "belarus-ukraine-2024",
        ["dual-track"],
        replicates=600,
        days=20,
        chunk_size=256,
        backend="compiled",
    )
    threads = run_study(study, workers=2)
    one = run_study(study, workers=1)
    xr.testing.assert_identical(threads["dual-track"], one["dual-track"])
    assert threads["dual-track"].attrs["backend"] == "jax"


def _holding(scale: float) -> Doctrine:
    """A new traceable doctrine class, always named the same, that holds ``scale`` times its
    baseline (as a class defined again in a notebook would)."""

    class Holding(Doctrine):
        name = "holding-test"
        source = "test"
        classifier = {"tracks": frozenset(), "observes": frozenset(), "memory": False}
        Params = DoctrineParams
        traceable = True

        def decide(self, obs: Observation, state: dict[str, np.ndarray]) -> Decision:
            xp = obs.xp
            target = xp.broadcast_to(obs.baseline, obs.forces.shape) * scale
            return Decision(target=target, talk=xp.zeros(obs.replicates))

    return Holding()


def test_a_doctrine_class_of_the_same_name_and_parameters_gets_its_own_program() -> None:
    kw = {"replicates": 256, "days": 20, "seed": 3, "record": "summary"}
    for scale in (1.0, 3.0):
        doctrines = {"BLR": _holding(scale)}
        reference = dualtrack.simulate("belarus-ukraine-2024", doctrines, backend="numpy", **kw)  # type: ignore[arg-type]
        compiled = dualtrack.simulate("belarus-ukraine-2024", doctrines, backend="jax", **kw)  # type: ignore[arg-type]
        assert_equivalent(reference, compiled)
