"""The human review queue: risky assets and actions wait here; every transition is audited."""
