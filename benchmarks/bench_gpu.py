"""Compiled engine on a GPU: replicate-steps per second at a million replicates or more.

Runs the built-in scenario (dual-track for Belarus) with the ``jax-rng`` backend, whose
random numbers are drawn on the device by JAX's generator, so that nothing but the state's
start and end crosses to the host. It compiles the step (timed on its own), then times
``--days`` steps of ``--replicates`` replicates in one chunk and prints replicate-steps per
second against the 1e9 goal; it also checks that two runs with one seed agree bit for bit.
Sized for a few minutes of device time: 1e6 replicates x 100 steps is 1e8 replicate-steps.

Without a GPU (or without JAX) it says so and exits with status 2 without running.

    pip install -e ".[compiled]" "jax[cuda13]"
    python benchmarks/bench_gpu.py [--replicates 1000000] [--days 100]
"""

from __future__ import annotations

import argparse
import sys
import time

SCENARIO = "belarus-ukraine-2024"
GOAL = 1e9  # replicate-steps per second


def gpu_or_exit() -> str:
    """The GPU JAX runs on, or exit 2 with the reason."""
    try:
        import jax
    except ImportError:
        sys.exit("bench_gpu: JAX is not installed (pip install -e '.[compiled]'); not run")
    platforms = {d.platform for d in jax.devices()}
    if not platforms & {"gpu", "cuda", "rocm"}:
        sys.stderr.write(
            f"bench_gpu: expected a GPU; JAX sees only {', '.join(sorted(platforms))} "
            "devices (install JAX's GPU plugin, e.g. jax[cuda13]); not run\n"
        )
        sys.exit(2)
    return str(jax.devices()[0])


def timed_steps(replicates: int, days: int, seed: int) -> tuple[float, float, object]:
    """Seconds to compile and run the first step, seconds of ``days`` more, final state."""
    import jax
    import numpy as np

    from dualtrack.engine.run import engine_for, plan_run
    from dualtrack.engine.state import initial_state

    plan = plan_run(
        SCENARIO,
        "dual-track",
        replicates=replicates,
        days=days + 1,
        seed=seed,
        record="summary",
        chunk_size=replicates,
        backend="jax-rng",
    )
    compiled = plan.compiled
    engine = engine_for(plan, (0, replicates))
    types = engine.type_uniforms(len(compiled.actor_ids))
    state = engine.start(initial_state(compiled, replicates, np.asarray(types)))
    started = time.perf_counter()
    state = jax.block_until_ready(engine.advance(state, 0, None, None, None))
    first = time.perf_counter() - started
    started = time.perf_counter()
    for t in range(1, days + 1):
        state = engine.advance(state, t, None, None, None)
    state = jax.block_until_ready(state)
    return first, time.perf_counter() - started, state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    device = gpu_or_exit()

    import jax
    import numpy as np

    first, seconds, state = timed_steps(args.replicates, args.days, args.seed)
    rate = args.replicates * args.days / seconds
    print(f"device: {device}")
    print(f"compile + first step: {first:.1f} s")
    print(
        f"{args.replicates:,} replicates x {args.days} steps: {seconds:.2f} s, "
        f"{rate:,.0f} replicate-steps/s ({rate / GOAL:.2f}x the 1e9 goal)"
    )
    small = min(args.replicates, 65_536)
    _, _, one = timed_steps(small, 10, args.seed)
    _, _, two = timed_steps(small, 10, args.seed)
    same = all(
        np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
        for a, b in zip(jax.tree.leaves(one), jax.tree.leaves(two), strict=True)
    )
    print(f"deterministic for a seed ({small:,} replicates x 10 steps, twice): {same}")
    del state


if __name__ == "__main__":
    main()
