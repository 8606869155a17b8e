"""Content guardrails (guardrails-ai validators per asset type), inbound safety and PII redaction."""
