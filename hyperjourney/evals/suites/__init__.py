"""Importing this package registers every golden suite with the registry."""
