"""refresh.patch: which differences a block may have and still be refreshed in place."""

from __future__ import annotations

from docutils import nodes

from trialbook.sphinxext.refresh import patch
from trialbook.sphinxext.render import verbatim


def _cell(text: str, *, data: bool = True) -> nodes.paragraph:
    para = nodes.paragraph("", text)
    return verbatim(para) if data else para  # type: ignore[return-value]


def _table(*cells: nodes.paragraph, ids: tuple[str, ...] = ()) -> nodes.table:
    table = nodes.table(ids=list(ids))
    table += nodes.title("", "Results")
    for cell in cells:
        table += cell
    return table


def test_changed_data_text_is_patched() -> None:
    old = _table(_cell("180"), _cell("A"))
    edits = patch([old], [_table(_cell("181"), _cell("A"))])
    assert edits is not None and [(str(t), new) for t, new in edits] == [("180", "181")]


def test_identical_output_needs_no_edit() -> None:
    assert patch([_table(_cell("180"))], [_table(_cell("180"))]) == []


def test_a_new_row_is_a_new_shape() -> None:
    assert patch([_table(_cell("180"))], [_table(_cell("180"), _cell("B"))]) is None


def test_a_changed_attribute_is_a_new_shape() -> None:
    missing = _cell("1")
    missing["classes"].append("trialbook-missing")
    old, new = _table(_cell("1")), _table(missing)
    assert patch([old], [new]) is None


def test_moved_targets_are_the_same_labels_but_new_ones_are_not() -> None:
    """Transforms move ids (PropagateTargets) and add numbered ones (``id3``)."""
    old = _table(_cell("1"), ids=("results", "id3"))
    target = _cell("1")
    target["ids"].append("results")
    moved = _table(target)
    assert patch([old], [moved]) == []
    assert patch([old], [_table(_cell("1"), ids=("other",))]) is None


def test_author_text_changed_by_smartquotes_is_kept_but_other_changes_are_not() -> None:
    """A caption is not data: SmartQuotes curled its quotes when the page was read."""
    old = _table(_cell("the trials’ patients", data=False))
    assert patch([old], [_table(_cell("the trials' patients", data=False))]) == []
    assert patch([old], [_table(_cell("the trial's patients", data=False))]) is None
