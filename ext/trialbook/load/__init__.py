"""Loading a data directory: read, validate and check every file into a dataset (cached)."""
