"""Data plane: embedded or external Postgres with pgvector, migrations, tenant-bound connections."""
