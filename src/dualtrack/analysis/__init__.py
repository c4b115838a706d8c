"""Analysis: statistics on stored results (never on live models)."""
