"""Channels: adapters that deliver actions, the transactional outbox, and the dispatcher that drains it."""
