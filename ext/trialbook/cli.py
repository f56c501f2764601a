"""``python -m trialbook``: check data without building, print the schemas."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from .diagnostics import Severity
from .load.summary import Summary, load_summary
from .scaffold import ScaffoldError, new_page, new_source, new_trial

#: The schemas ``schema`` prints (the models are imported only for that command:
#: they cost ``check`` 0.2 s when its answer is stored).
SCHEMA_KINDS = ("sources", "interventions", "milestones", "trial")


def _check(args: argparse.Namespace) -> int:
    cache = Path(args.cache) if args.cache else None
    result = load_summary(Path(args.data_dir), cache_dir=cache)
    shown = [d for d in result.diagnostics if args.notes or d.severity is not Severity.NOTE]
    if args.format == "json":
        json.dump(
            {"ok": result.ok, "diagnostics": [d.as_json() for d in shown]},
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        sys.stdout.write("\n")
    else:
        for diagnostic in shown:
            print(diagnostic)
        errors = sum(d.severity is Severity.ERROR for d in result.diagnostics)
        print(
            f"{len(result.trials)} trials ({_counts(result) or 'none'}); "
            f"{result.sources} sources; {result.milestones} milestones; {errors} error(s)",
            file=sys.stderr,
        )
    return 0 if result.ok else 1


#: Up to this many trials the summary names each; beyond, it gives the totals.
LISTED = 10


def _counts(summary: Summary) -> str:
    """Arms, outcomes and adverse events: per trial for a few, in total for many."""

    def counts(arms: int, outcomes: int, events: int) -> str:
        return f"{arms} arms, {outcomes} outcomes, {events} adverse events"

    trials = summary.trials
    if len(trials) > LISTED:
        return "in all " + counts(*(sum(column) for column in zip(*trials.values(), strict=True)))
    return ", ".join(f"{trial_id}: " + counts(*n) for trial_id, n in trials.items())


def _schema(args: argparse.Namespace) -> int:
    from .model.schema import SCHEMAS, render, write_all

    if args.write:
        for path in write_all(Path(args.write)):
            print(f"wrote {path}", file=sys.stderr)
        return 0
    sys.stdout.write(render(SCHEMAS[f"{args.kind}.schema.json"]))
    return 0


def _new(args: argparse.Namespace) -> int:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", args.name) and args.kind != "page":
        print(
            f"error: {args.name!r} is not an id (lowercase letters, digits, hyphens)",
            file=sys.stderr,
        )
        return 2
    try:
        if args.kind == "trial":
            path = new_trial(Path(args.data), args.name)
        elif args.kind == "source":
            path = new_source(Path(args.data), args.name)
        else:
            path = new_page(Path(args.docs), args.name)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {path}: replace each <placeholder>, then run python -m trialbook check",
        file=sys.stderr,
    )
    if args.kind == "page":
        print("add the page to a toctree (docs/index.md) so readers find it", file=sys.stderr)
    return 0


def _affected(args: argparse.Namespace) -> int:
    from .sphinxext.affected import affected_pages  # imports Sphinx: only for this command

    try:
        pages = affected_pages(Path(args.doctrees), Path(args.file))
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for page in pages:
        print(page)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (0 clean, 1 data errors, 2 usage)."""
    parser = argparse.ArgumentParser(prog="trialbook", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="load and check a data directory")
    check.add_argument("data_dir", nargs="?", default="data")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--notes", action="store_true", help="also list acknowledged notes")
    check.add_argument(
        "--cache",
        metavar="DIR",
        help="keep checked trials in DIR and re-check only the changed ones next time",
    )
    check.set_defaults(func=_check)
    schema = sub.add_parser("schema", help="print (or --write) the JSON Schemas")
    schema.add_argument("kind", nargs="?", default="trial", choices=SCHEMA_KINDS)
    schema.add_argument("--write", metavar="DIR", help="write all schemas into DIR")
    schema.set_defaults(func=_schema)
    new = sub.add_parser("new", help="start a trial, a source or a page from a template")
    new.add_argument("kind", choices=("trial", "source", "page"))
    new.add_argument("name", help="the trial's or source's id, or the page's file name")
    new.add_argument("--data", default="data", help="the data directory (default: data)")
    new.add_argument("--docs", default="docs", help="the pages' directory (default: docs)")
    new.set_defaults(func=_new)
    affected = sub.add_parser(
        "affected", help="list the pages a change to a data file touches (after a build)"
    )
    affected.add_argument("file", help="a data file: data/trials/<id>.yaml, data/sources.yaml…")
    affected.add_argument(
        "--doctrees",
        default="build/doctrees",
        help="the build's doctrees (default: build/doctrees)",
    )
    affected.set_defaults(func=_affected)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code
