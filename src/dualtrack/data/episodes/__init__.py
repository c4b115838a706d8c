"""Coded episodes (one YAML file each) that calibration fits and holdout validation predicts."""
