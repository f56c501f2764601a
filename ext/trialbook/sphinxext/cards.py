"""Cards: a generic node in the doctree, specialised per builder after reading.

Directives emit a ``container`` with class ``trialbook-card`` (a title paragraph,
then the body). For HTML a post-transform gives it sphinx-design's card classes;
for every other builder it becomes a ``topic`` (a framed box in LaTeX), so no
writer ever meets a node it does not know.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

if TYPE_CHECKING:
    from sphinx.application import Sphinx

CARD = "trialbook-card"
GENERIC = "trialbook-card-generic"  # not yet specialised for a builder


def summary_card(title: str, body: nodes.Element) -> nodes.container:
    """The generic card: a title and a body."""
    card = nodes.container(classes=[CARD, GENERIC])
    card += nodes.paragraph(title, title, classes=["trialbook-card-title"])
    card += body
    return card


GRID = "trialbook-card-grid"


def card_grid(cards: list[nodes.Element]) -> nodes.container:
    """Cards side by side where there is room (HTML); one after another elsewhere."""
    grid = nodes.container(classes=[GRID])
    grid += cards
    return grid


def _generic_cards(document: nodes.document) -> list[nodes.container]:
    return [c for c in document.findall(nodes.container) if GENERIC in c["classes"]]


class HtmlCards(SphinxPostTransform):
    """sphinx-design's card markup, for HTML builders."""

    default_priority = 200
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        """Give every generic card a header and a body; lay grids out in columns."""
        for grid in list(self.document.findall(nodes.container)):
            if GRID not in grid["classes"]:
                continue
            row = nodes.container(
                classes=["sd-row", "sd-row-cols-1", "sd-row-cols-md-3", "sd-g-3"]
            )
            for card in list(grid.children):
                assert isinstance(card, nodes.Element)
                card["classes"].append("sd-w-100")
                row += nodes.container("", card, classes=["sd-col", "sd-d-flex-row"])
            grid.children = []
            grid += row
            grid["classes"] += ["sd-container-fluid", "sd-sphinx-override", "sd-mb-4"]
        for card in _generic_cards(self.document):
            title, *body = card.children
            assert isinstance(title, nodes.Element)
            card["classes"].remove(GENERIC)
            card["classes"] += ["sd-card", "sd-sphinx-override", "sd-mb-3", "sd-shadow-sm"]
            title["classes"] += ["sd-card-text", "sd-font-weight-bold"]
            header = nodes.container("", title, classes=["sd-card-header"])
            content = nodes.container("", *body, classes=["sd-card-body"])
            card.children = []
            card += [header, content]


class FramedCards(SphinxPostTransform):
    """Every other builder: the card becomes a ``topic`` (a framed box in LaTeX)."""

    default_priority = 210

    def run(self, **kwargs: Any) -> None:
        """Replace each card that HTML did not take by a titled topic."""
        for card in _generic_cards(self.document):
            title, *body = card.children
            topic = nodes.topic("", nodes.title(title.astext(), title.astext()), *body)
            topic["classes"] = [CARD]
            topic.source, topic.line = card.source, card.line
            card.replace_self(topic)


def setup_cards(app: Sphinx) -> None:
    """Register the card post-transforms."""
    app.add_post_transform(HtmlCards)
    app.add_post_transform(FramedCards)
