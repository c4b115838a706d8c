"""Analysis: statistics on stored results (never on live models), handed on as typed results.

- ``outcomes``, ``comparison``, ``cascades``, ``validation``, ``history``: estimates with
  intervals, paired doctrine comparisons, cascade origins and validation against the record;
  ``regimes``: which doctrine wins each cell of a regime grid, with paired intervals.
- Exploration of a stored sweep: ``exploration`` (per-point estimates, the summary a report
  shows), ``sweep_facts`` (what is read of a sweep's manifest), ``sensitivity`` (Sobol' and
  Morris indices), ``discovery`` (scenario discovery questions and their results), ``prim``
  (the PRIM algorithm), ``screening`` (feature scores, choice of inputs), ``figures`` (their
  static charts) and ``files`` (writing tables and figures).
"""
