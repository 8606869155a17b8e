"""Customer data: ingestion, identity resolution, consents, audit log, the synthetic demo tenant."""
