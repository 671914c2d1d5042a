"""Keeps the store in step with the vendors: per-account loops, change sets, outbox."""
