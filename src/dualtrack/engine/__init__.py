"""Engine: compile a scenario, hold the state, step it, and run replicates in chunks.

``compiled`` (index maps, forcing, random layout), ``forcing``, ``linear``, ``state``,
``step`` (the process order of docs/model.md), ``streams`` (block-seeded generators),
``outputs`` (the table of outputs and its readers), ``recording``, ``run`` (``simulate``).
"""
