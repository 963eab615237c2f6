"""Workflow engine implementations."""
