"""Typed tools: the only way agents touch data; each wraps a domain module."""
