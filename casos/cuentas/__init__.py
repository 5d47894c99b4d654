"""Institutions, accounts, passwords, server-side sessions and login."""
