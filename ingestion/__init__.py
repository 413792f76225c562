"""Ingestion: landing files -> validated, pseudonymized, policy-filtered warehouse tables.

Each delivery day is written in one transaction; privacy rules come from `privacy/`.
"""
