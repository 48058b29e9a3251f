"""The catalogue: the hall configuration (schema, reader, loader, exporter), its place in the
database and its per-process cache.
"""
