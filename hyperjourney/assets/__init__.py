"""Structured copy assets: blocks of text and cited claims, one renderer per channel and locale, the checks on
what is rendered. What a reviewer approves is the render; the outbox sends it byte for byte."""
