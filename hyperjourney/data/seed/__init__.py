"""Deterministic synthetic demo tenant: Northwind Cloud & Goods customers, events, orders, tickets, consents."""
