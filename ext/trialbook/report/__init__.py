"""What the handbook shows: derived values, discrepancies, citations, value paths, formatting."""
