"""The data model: reported values, the records built from them, validation, and one walker."""
