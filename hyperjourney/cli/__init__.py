"""The `hyperjourney` command line (typer + rich)."""
