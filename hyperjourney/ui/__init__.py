"""Chainlit surfaces: goal-first canvas and support copilot."""
