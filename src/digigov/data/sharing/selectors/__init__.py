"""Queries of the sharing app. `grants_active_count` is what the catalog asks before a
published resource may go back to draft."""

from .grants import grants_active_count

__all__ = ["grants_active_count"]
