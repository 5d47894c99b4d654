"""The workflows as pure domain code on `transitions`: no Flask, no SQLAlchemy.

Every state and every legal move of a case, a referral and a protection order is declared
here as data, with the roles that may fire it and whether it needs approval or a reason.
"""
