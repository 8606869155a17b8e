"""Triggered journeys: versioned definitions, validation, storage, the runner and the canvas launch step."""
