"""Benchmark: load and check N synthetic trials (default 1000).

Usage: ``nox -s bench`` or ``python bench/load_bench.py [N] [--repeat R]``.
The synthetic trials copy the shape of ``data/trials/care-ms-ii.yaml`` under new
ids, so they exercise every loader and check the real data does. Four cases
are timed: without a
cache; a first build that fills an empty cache; a warm build with nothing
changed; and a build after one trial was edited. The script prints the best and
worst of R runs, and exits 1 if the data did not load cleanly or the cached load
differs from the uncached one.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from trialbook.diagnostics import Diagnostic, Severity
from trialbook.load.dataset import LoadResult, load_dataset

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


def _best(repeat: int, run: Callable[[], LoadResult]) -> tuple[float, float, LoadResult]:
    times = []
    result = None
    for _ in range(repeat):
        result = None  # free the previous data set outside the timed region
        gc.collect()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    assert result is not None
    return min(times), max(times), result


def main() -> int:
    """Run the benchmark; print the timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        cache = Path(tmp) / "cache"
        make_data(folder, args.count)
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        print(f"{args.count} trials, {size / 1e6:.1f} MB; best and worst of {args.repeat} runs")

        def cold() -> LoadResult:
            return load_dataset(folder)

        def first() -> LoadResult:
            shutil.rmtree(cache, ignore_errors=True)
            return load_dataset(folder, cache_dir=cache)

        def warm() -> LoadResult:
            return load_dataset(folder, cache_dir=cache)

        edited = folder / "trials" / "synthetic-00000.yaml"
        original = edited.read_text(encoding="utf-8")
        flip = [0]

        def one_edit() -> LoadResult:
            flip[0] += 1  # a different edit each run, so it is never in the cache
            edited.write_text(original.replace("centres: 180", f"centres: {180 + flip[0]}"))
            return load_dataset(folder, cache_dir=cache)

        diagnostics: list[list[Diagnostic]] = []
        for label, run in [
            ("cold: no cache", cold),
            ("first build: empty cache, filled", first),
            ("warm: nothing changed", warm),
            ("one trial edited", one_edit),
        ]:
            best, worst, result = _best(args.repeat, run)
            print(
                f"  {label:34s} best {best:.3f} s, worst {worst:.3f} s "
                f"({result.cache_hits} from cache, {len(result.dataset.trials)} loaded)"
            )
            diagnostics.append(result.diagnostics)
            del result  # hold one data set at a time, as a build does
        edited.write_text(original, encoding="utf-8")
        errors = [d for ds in diagnostics for d in ds if d.severity is Severity.ERROR]
        same = diagnostics[0] == diagnostics[2]
        print(f"  cold and warm diagnostics identical: {same}; errors: {len(errors)}")
        for d in errors[:5]:
            print(d)
        return 1 if errors or not same else 0


if __name__ == "__main__":
    sys.exit(main())
