"""Consent and contact policy: versioned per-tenant data, a pure engine, the contact log."""
