"""Calibration: a scenario from the hall's own ticket records (`tongban calibrate`)."""
