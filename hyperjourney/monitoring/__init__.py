"""Drift of the tenant's data and models since training: measured, stored and read back below the tools layer.

Agents (through tools), experiment readouts and the eval runs all read the same stored reports; keeping them
here rather than in `evals` means nothing at run time imports the eval harness.
"""
