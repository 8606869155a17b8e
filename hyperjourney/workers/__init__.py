"""Workers on the Postgres job queue: what runs without anyone typing a command."""
