"""Mechanisms of the model: each module holds one process, its parameters and its equations.

All functions are pure array functions over replicates (leading axis), so the engine can
compose them into one step and another array backend could be substituted later.
"""
