"""Data files shipped inside the package: targets, text catalogues, boundaries and demo layers."""
