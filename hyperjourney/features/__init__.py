"""Feature store: per-customer features computed in SQL, registered with lineage and freshness SLAs."""
