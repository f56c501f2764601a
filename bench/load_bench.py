"""Benchmark: load and check N synthetic trials (default 1000).

Usage: ``nox -s bench`` or ``python bench/load_bench.py [N] [--repeat R]``.
The synthetic trials copy the shape of ``data/trials/care-ms-ii.yaml`` under new
ids, so they exercise every loader and check the real data does. The target is
under 1 s for 1000 trials on a 2-core machine; the script prints the best of R runs
and exits 1 if the data did not load cleanly.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from trialbook.diagnostics import Severity
from trialbook.load import load_dataset

ROOT = Path(__file__).resolve().parent.parent


def make_data(folder: Path, count: int) -> None:
    """Write ``count`` trials (and the shared files) into ``folder``."""
    for name in ("sources.yaml", "interventions.yaml", "milestones.yaml"):
        shutil.copy(ROOT / "data" / name, folder / name)
    trials = folder / "trials"
    trials.mkdir()
    template = (ROOT / "data/trials/care-ms-ii.yaml").read_text(encoding="utf-8")
    csv = (ROOT / "data/trials/care-ms-i.adverse-events.csv").read_text(encoding="utf-8")
    for i in range(count):
        trial_id = f"synthetic-{i:05d}"
        text = template.replace("id: care-ms-ii", f"id: {trial_id}", 1)
        (trials / f"{trial_id}.yaml").write_text(text, encoding="utf-8")
        if i % 2:  # half of them with a CSV of adverse events too
            (trials / f"{trial_id}.adverse-events.csv").write_text(
                csv.replace("alemtuzumab-12", "alemtuzumab")
                .replace("\n", "\ncsv-")
                .rstrip("csv-"),
                encoding="utf-8",
            )


def main() -> int:
    """Run the benchmark; print the timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_data(folder, args.count)
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = load_dataset(folder)
            times.append(time.perf_counter() - start)
        errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
        print(
            f"{args.count} trials, {size / 1e6:.1f} MB: load+check best {min(times):.3f} s, "
            f"worst {max(times):.3f} s over {args.repeat} runs; "
            f"{len(result.dataset.trials)} loaded, {len(errors)} errors"
        )
        for d in errors[:5]:
            print(d)
        return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
