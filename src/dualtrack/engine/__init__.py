"""Engine: compile a scenario, hold the state, step it, and run replicates in chunks."""
