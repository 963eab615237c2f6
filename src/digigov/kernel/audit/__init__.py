"""Append-only audit log, each entry chained to the previous one by an SM3 hash."""
