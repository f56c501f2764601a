"""Post-transforms with work in the rows of trialbook's tables.

The rows of a table body are packed once a page is read and come back only when the
page is resolved (see :mod:`.packing`): such a transform runs on the page as every
post-transform does, and again on the rows once they are back.
"""

from __future__ import annotations

from typing import Any, TypeVar

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

N = TypeVar("N", bound=nodes.Node)


class RowsTransform(SphinxPostTransform):
    """A post-transform with work in table rows: :meth:`run_on` does it in the parts
    of a page given. It runs on the page as every post-transform does (on the rows
    of bodies not packed), then on the rows of the packed ones once they are back."""

    def run(self, **kwargs: Any) -> None:
        """Do the work on the whole page."""
        self.run_on([self.document], self.env.docname)

    def run_on(self, roots: list[nodes.Element], docname: str) -> None:
        """Do the work in ``roots`` (the page, or table bodies) of page ``docname``."""
        raise NotImplementedError

    @staticmethod
    def found(roots: list[nodes.Element], kind: type[N]) -> list[N]:
        """Every node of ``kind`` in ``roots``, in order (a list: the caller may replace
        them as it goes)."""
        return [node for root in roots for node in root.findall(kind)]
