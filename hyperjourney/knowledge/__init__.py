"""Grounded knowledge: ingest the tenant's knowledge base, search it with citations, evaluate retrieval."""
