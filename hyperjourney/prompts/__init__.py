"""Versioned prompt files, loaded by name; their content hash is recorded with every use."""
