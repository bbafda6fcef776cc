"""Trader behaviours and the government reserve's decision rules (pure functions over arrays)."""
