"""What readers can take away: the whole dataset as JSON, and each table as CSV.

* ``data/trialbook-dataset.json`` in the HTML output: every source, intervention,
  trial and milestone as the data files give them (values with their sources),
  the figures the handbook derives from them with their formulas, and the schema
  version, in a fixed key order (two builds give the same bytes).
* Each trialbook table gets a "Download this table (CSV)" link to its cells as
  the page prints them, citation numbers included.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from pydantic import BaseModel

from .. import __version__
from ..model.schema import SCHEMA_VERSION
from ..report import findings
from ..report.citations import evidence_date
from ..report.derive import Derived
from .citing import links_of, printed_text
from .dataset import state_of
from .packing import is_packed
from .render import Citing
from .rows import RowsTransform
from .tables import GROUP, TABLE, rows_of, text_with

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.application import Sphinx

    from ..model.records import Dataset

DATASET = "data/trialbook-dataset.json"
TABLES = "_tables"


def _derived(d: Derived | None) -> dict[str, Any] | None:
    return None if d is None else {"value": str(d.value), "formula": d.formula}


def dataset_json(dataset: Dataset) -> dict[str, Any]:
    """The dataset as plain JSON: the data as written, and what the handbook derives."""
    derived: dict[str, dict[str, Any]] = {}
    for trial_id, record in dataset.trials.items():
        for outcome in record.trial.outcomes:
            if outcome.comparison is None:
                continue
            row = findings.finding(record.trial, outcome)
            values = {name: _derived(findings.derived_at(row, name)) for name in findings.NAMES}
            if any(values.values()):
                derived.setdefault(trial_id, {})[outcome.id] = {
                    **{k: v for k, v in values.items() if v is not None},
                    "unit": row.unit,
                }

    def dump(record: BaseModel) -> Any:
        return record.model_dump(mode="json", exclude_none=True)

    return {
        "schema_version": SCHEMA_VERSION,
        "trialbook": __version__,
        "evidence_as_of": evidence_date(dataset),
        "sources": [dump(s) for s in dataset.sources.values()],
        "interventions": [dump(i) for i in dataset.interventions.values()],
        "trials": [dump(r.trial) for r in dataset.trials.values()],
        "milestones": [dump(m) for m in dataset.milestones],
        "derived": derived,
    }


def _write_dataset(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir) / DATASET
    # Made from the same data by the same version: written already (encoding it again
    # cost 1 s of every no-op build at 100 trials).
    made_from = state_of(app.env).digest_file("_dataset-json")
    stamp = f"{__version__} {state_of(app.env).data_digest} {path}\n"
    if path.is_file() and made_from.is_file() and made_from.read_text(encoding="utf-8") == stamp:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dataset_json(state_of(app.env).dataset), indent=1, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    made_from.write_text(stamp, encoding="utf-8")


def _cell_text(cell: nodes.Element, cite: Callable[[Citing], str]) -> str:
    """The cell's paragraphs, a line each. (Those :func:`~.tables.entry` made are its
    children: looked for deeper only under anything else.)"""
    paragraphs = [
        text_with(p, cite)
        for child in cell.children
        for p in (
            [child] if isinstance(child, nodes.paragraph) else child.findall(nodes.paragraph)
        )
    ]
    return "\n".join(paragraphs) if paragraphs else text_with(cell, cite)


def _relative(docname: str, target: str) -> str:
    """``target`` (a path in the output) as a link from the page ``docname``."""
    return posixpath.relpath(target, posixpath.dirname(docname) or ".")


#: Attribute of a resolved page: its tables whose CSV waits for their rows to be back.
_WAITING = "trialbook_csv_waiting"


class TableDownloads(RowsTransform):
    """Write each trialbook table as CSV and link it under the table (HTML only)."""

    default_priority = 250  # after references are resolved, before the column labels
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        """One CSV file per table, named by the page and the table's place on it (a
        packed table's once its rows are back, :meth:`run_on`)."""
        docname = self.env.docname
        waiting: list[tuple[nodes.table, Path]] = []
        for i, table in enumerate(list(self.document.findall(nodes.table)), 1):
            if TABLE not in table["classes"] or "trialbook-reference" in table["classes"]:
                continue  # (the field reference documents the files; it is no data)
            name = f"{docname.replace('/', '-')}-table-{i}.csv"
            path = state_of(self.env).outdir / TABLES / name
            if any(is_packed(body) for body in table.findall(nodes.tbody)):
                waiting.append((table, path))
            else:
                self._write(table, path)
            link = nodes.paragraph(classes=["trialbook-download"])
            uri = _relative(docname, f"{TABLES}/{name}")
            link += nodes.reference("", "Download this table (CSV)", refuri=uri)
            table.parent.insert(table.parent.index(table) + 1, link)
        setattr(self.document, _WAITING, waiting)
        for listing in self.document.findall(nodes.enumerated_list):
            if "trialbook-sources" in listing["classes"]:
                link = nodes.paragraph(classes=["trialbook-download"])
                text = "Download every source, trial and value (JSON)"
                link += nodes.reference("", text, refuri=_relative(docname, DATASET))
                # Before the first group's title, not between it and its list.
                section = listing.parent
                at = section.index(listing)
                if at and isinstance(section[at - 1], nodes.rubric):
                    at -= 1
                section.insert(at, link)
                break

    def run_on(self, roots: list[nodes.Element], docname: str) -> None:
        """Write the CSV of each waiting table whose rows are among ``roots``."""
        back = {id(root) for root in roots}
        for table, path in getattr(self.document, _WAITING, []):
            if any(id(body) in back for body in table.findall(nodes.tbody)):
                self._write(table, path)

    def _write(self, table: nodes.table, path: Path) -> None:
        """The table's rows as CSV at ``path`` (not rewritten when the same)."""
        links = links_of(self.document)

        def cite(node: Citing) -> str:
            return printed_text(node, links)

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in rows_of(table):
            cells = [_cell_text(c, cite) for c in row.children if isinstance(c, nodes.entry)]
            writer.writerow(cells if GROUP not in row["classes"] else cells[:1])
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != out.getvalue():
            path.write_text(out.getvalue(), encoding="utf-8")


def setup_downloads(app: Sphinx) -> None:
    """Write the dataset after HTML builds; link a CSV under every table."""
    app.connect("build-finished", _write_dataset)
    app.add_post_transform(TableDownloads)
