"""Layer types and administrative geography: layer kinds, Shanxi's counties and townships, the walk network."""
