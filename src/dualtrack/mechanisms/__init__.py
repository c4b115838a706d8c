"""Mechanisms of the model: each module holds one process, its parameters and its equations.

All functions are pure array functions over replicates (leading axis), so the engine can
compose them into one step. They take their array namespace from their arguments
(``arrays.namespace``): numpy for the reference engine, ``jax.numpy`` when the compiled
backend traces the same step (docs/performance.md).
"""
