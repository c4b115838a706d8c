"""Experiments: run studies over doctrines and replicates, in parallel, and store them."""
