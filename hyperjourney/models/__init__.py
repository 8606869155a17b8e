"""Model tiers and the small-first router every decision point asks."""
