"""Validated bulk loading of customer data files (CSV, JSONL, Parquet) through COPY."""
