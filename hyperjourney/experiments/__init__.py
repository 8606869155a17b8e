"""Experiments: hashed holdouts, A/B splits, Thompson-sampling bandits, attribution, readouts, off-policy checks."""
