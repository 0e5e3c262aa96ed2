"""Residents' personal data: what is kept how long, and subject access and erasure."""
