"""Checks: what must agree across records, each a located diagnostic.

``references`` (ids that must exist or be unique), ``arithmetic`` (figures that
must agree), ``provenance`` (every value names a known source), and ``trial``,
which runs all of them on one trial.
"""
