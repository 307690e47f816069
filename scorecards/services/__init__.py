"""Writes, one module per sub-domain: rubrics, scorecards, recommendations, calibration."""
