"""Reading data files: text, YAML and CSV, with the position of every value kept."""
