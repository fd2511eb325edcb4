"""Shipped synthetic demo layers (built by scripts/make_demo_data.py; see README.md)."""
