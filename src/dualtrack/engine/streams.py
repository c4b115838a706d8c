"""Random streams: one generator per fixed block of replicates, seeded by block index.

Replicate ``r`` always belongs to block ``r // BLOCK_SIZE`` and that block's generator is
``SeedSequence(seed, spawn_key=(block,))``, so a replicate's draws never depend on how
replicates are grouped into chunks or spread over workers. Each block has a second
generator, ``SeedSequence(seed, spawn_key=(block, 1))``, the intent stream (types, regime
change, deliberate aggression, cheating; ``compiled.IntentLayout``), drawn only when some
actor may be an opportunist, so adding it left the main stream's draws as they were.
Doctrines do not change the shape or order of draws, so runs of different doctrines with one
seed share their random numbers (common random numbers).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

BLOCK_SIZE = 256
"""Replicates per random-number block: part of the reproducibility contract; do not change."""


INTENT_STREAM = 1
"""Second spawn-key entry of a block's intent stream."""


def block_generator(seed: int, block: int, stream: int | None = None) -> np.random.Generator:
    """The generator of one block of replicates: its main stream, or its intent stream."""
    key = (block,) if stream is None else (block, stream)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


class ChunkStreams:
    """The generators of the blocks that make up one chunk of replicates."""

    def __init__(self, seed: int, first_replicate: int, replicates: int, total: int) -> None:
        if first_replicate % BLOCK_SIZE:
            raise ValueError(f"a chunk must start on a block boundary ({BLOCK_SIZE} replicates)")
        self.bounds: list[tuple[int, int]] = []
        self.generators: list[np.random.Generator] = []
        self.intent: list[np.random.Generator] = []
        stop = min(first_replicate + replicates, total)
        for start in range(first_replicate, stop, BLOCK_SIZE):
            block_stop = min(start + BLOCK_SIZE, total)
            self.bounds.append((start - first_replicate, block_stop - first_replicate))
            self.generators.append(block_generator(seed, start // BLOCK_SIZE))
            self.intent.append(block_generator(seed, start // BLOCK_SIZE, INTENT_STREAM))

    @property
    def block_starts(self) -> NDArray[np.int64]:
        """Offsets within the chunk where each block starts."""
        return np.array([start for start, _ in self.bounds], dtype=np.int64)

    def fill(self, normals: NDArray[np.float32], uniforms: NDArray[np.float64]) -> None:
        """Fill the step's normal and uniform draws, block by block."""
        for (start, stop), generator in zip(self.bounds, self.generators, strict=True):
            generator.standard_normal(out=normals[start:stop], dtype=normals.dtype)
            generator.random(out=uniforms[start:stop])

    def fill_intent(self, uniforms: NDArray[np.float64]) -> None:
        """Fill a row of the intent stream's uniforms (the types, or one step's), block by block."""
        for (start, stop), generator in zip(self.bounds, self.intent, strict=True):
            generator.random(out=uniforms[start:stop])
