"""Printed documents: the referral's oficio and the case summary, as a printable page and as PDF."""
