"""Compact in-process models (the small tier): propensity, churn, upgrade fit, CLV, send hour, next category,
ticket intent and sentiment; every score with a calibrated confidence and reason codes."""
