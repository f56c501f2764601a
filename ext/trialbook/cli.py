"""``python -m trialbook``: check data without building, print the schemas."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .diagnostics import Severity
from .load.dataset import load_dataset
from .model.schema import SCHEMAS, render, write_all


def _check(args: argparse.Namespace) -> int:
    cache = Path(args.cache) if args.cache else None
    result = load_dataset(Path(args.data_dir), cache_dir=cache)
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
        ds = result.dataset
        counts = ", ".join(
            f"{tid}: {len(r.trial.arms)} arms, {len(r.trial.outcomes)} outcomes, "
            f"{len(r.trial.adverse_events)} adverse events"
            for tid, r in ds.trials.items()
        )
        errors = sum(d.severity is Severity.ERROR for d in result.diagnostics)
        print(
            f"{len(ds.trials)} trials ({counts or 'none'}); {len(ds.sources)} sources; "
            f"{len(ds.milestones)} milestones; {errors} error(s)",
            file=sys.stderr,
        )
    return 0 if result.ok else 1


def _schema(args: argparse.Namespace) -> int:
    if args.write:
        for path in write_all(Path(args.write)):
            print(f"wrote {path}", file=sys.stderr)
        return 0
    sys.stdout.write(render(SCHEMAS[f"{args.kind}.schema.json"]))
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
    schema.add_argument(
        "kind", nargs="?", default="trial", choices=[n.split(".")[0] for n in SCHEMAS]
    )
    schema.add_argument("--write", metavar="DIR", help="write all schemas into DIR")
    schema.set_defaults(func=_schema)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code
