"""Applying the workflows of flujos/ to database rows: compare-and-set, history, approvals."""
