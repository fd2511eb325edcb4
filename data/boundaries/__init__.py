"""Shipped administrative geography of Shanxi (built by scripts/build_boundaries.py; see README.md)."""
