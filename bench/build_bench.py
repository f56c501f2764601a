"""Benchmark: the whole handbook build as the evidence grows.

Usage: ``nox -s bench`` or ``python bench/build_bench.py [--quick] [--report-only]``.

For each size N (3, 100 and 1000 trials; ``--quick``: 3 and 100) the script writes
the handbook with N trials (the three real ones and N − 3 copies of CARE-MS II under
new ids) into a temporary folder and measures, with Sphinx run as a child process:

* a full HTML build at ``-j 1`` and ``-j 2`` (median of 3 when a run is under a
  minute), with its peak memory, the size of the environment pickle and of the
  HTML output; the two outputs must be the same;
* a no-op rebuild, a rebuild after touching a data file without changing it, after
  editing one value of one trial, and after adding and after removing a trial: each
  with the pages re-read and written and the figures drawn; after each, the HTML
  must equal a clean build of the same data (byte for byte, with a fixed
  ``SOURCE_DATE_EPOCH``), or the benchmark fails;
* the LaTeX writer, and latexmk cold and no-op (at N ≤ 100: latexmk at 1000 trials
  takes longer than the whole run may);
* loading and checking the data alone, without and with the trial cache.

Results go to ``build/bench/results.json`` and ``results.md``. Targets the
issue sets (see the table printed at the end) make the script exit 1 when one
fails, unless ``--report-only``. The static twin (the same pages with every table
frozen into a MyST list-table, see :mod:`twin`) is built beside it: full builds,
no-op, the edit and the LaTeX writer run on both, in turn (A B A B).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from twin import make_twin

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "1700000000"  # a fixed SOURCE_DATE_EPOCH: two clean builds are identical
SYNTHETIC = "synthetic-{:05d}"
#: The latest published results, which the authors' guide includes.
PUBLISHED = ROOT / "docs" / "_includes" / "bench-results.md"


# --------------------------------------------------------------------------- the project


def make_project(folder: Path, trials: int) -> Path:
    """The handbook (docs/ and data/) with ``trials`` trials in all, in ``folder``."""
    shutil.copytree(
        ROOT / "docs", folder / "docs", ignore=shutil.ignore_patterns("trials", "_build")
    )
    shutil.copytree(ROOT / "data", folder / "data")
    template = (ROOT / "data/trials/care-ms-ii.yaml").read_text(encoding="utf-8")
    for i in range(max(0, trials - 3)):
        add_trial(folder, i, template)
    return folder


def add_trial(folder: Path, i: int, template: str | None = None) -> Path:
    """Write synthetic trial ``i`` (a copy of CARE-MS II under a new id and name)."""
    text = template or (ROOT / "data/trials/care-ms-ii.yaml").read_text(encoding="utf-8")
    trial_id = SYNTHETIC.format(i)
    text = text.replace("id: care-ms-ii", f"id: {trial_id}", 1)
    text = text.replace("name: CARE-MS II", f"name: SYN-{i:05d}", 1)
    path = folder / "data" / "trials" / f"{trial_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- running


@dataclass
class Run:
    """One child process: wall time, peak memory, and what the build did."""

    seconds: float
    peak_mb: float
    reread: int | None = None
    refreshed: int | None = None  # rendered again in place, not re-read (refresh.py)
    written: int | None = None
    figures: int | None = None
    error: str | None = None  # the end of the output of a command that failed


def run(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, peak resident memory (MB) and output of ``command``."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": "0"}
    # Python caches compiled modules, as it does by default: a machine whose environment
    # turns that off (this one's does) would compile trialbook's modules on every build
    # (0.14 s of a 1.6 s no-op at 3 trials) but not Sphinx's, which pip compiled.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if child.returncode != 0:
        raise SystemExit(f"failed ({child.returncode}): {' '.join(command)}\n{text[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def _mtimes(folder: Path, suffixes: tuple[str, ...]) -> dict[Path, int]:
    if not folder.is_dir():
        return {}
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.suffix in suffixes}


def sphinx(project: Path, builder: str, out: str, jobs: int = 1) -> Run:
    """Build ``docs`` with ``builder`` into ``project/out``; count what it did."""
    outdir = project / out
    pages_before = _mtimes(outdir / builder, (".html", ".tex"))
    figures_before = _mtimes(outdir, (".svg", ".pdf"))
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-j", str(jobs)]
    command += ["-d", str(outdir / "doctrees"), "docs", str(outdir / builder)]
    seconds, peak, text = run(command, project)
    pages_after = _mtimes(outdir / builder, (".html", ".tex"))
    figures_after = _mtimes(outdir, (".svg", ".pdf"))
    written = sum(1 for p, t in pages_after.items() if pages_before.get(p) != t)
    figures = sum(1 for p, t in figures_after.items() if figures_before.get(p) != t)
    # "updating environment: [new config] 18 added, 0 changed, 0 removed"
    found = re.search(r"(\d+) added, (\d+) changed, (\d+) removed", text)
    reread = int(found[1]) + int(found[2]) if found else 0
    # "trialbook: 2 page(s) refreshed without re-reading them (…); 8 unchanged"
    fresh = re.search(r"trialbook: (\d+) page\(s\) refreshed.*?; (\d+) unchanged", text)
    refreshed = int(fresh[1]) + int(fresh[2]) if fresh else 0
    return Run(seconds, peak, reread, refreshed, written, figures)


def median_of(runs: list[Run]) -> Run:
    """The run with the median wall time (its counts and memory with it)."""
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def repeat(times: int, one: Any) -> Run:
    """``one()`` ``times`` times; the median run."""
    return median_of([one() for _ in range(times)])


def same_html(a: Path, b: Path) -> list[str]:
    """HTML files that differ between two output folders (both ways)."""
    names = {p.relative_to(a) for p in a.rglob("*.html")} | {
        p.relative_to(b) for p in b.rglob("*.html")
    }
    return sorted(
        str(n)
        for n in names
        if not ((a / n).is_file() and (b / n).is_file() and filecmp.cmp(a / n, b / n, False))
    )


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else list(path.rglob("*"))
    return sum(p.stat().st_size for p in files if p.is_file()) / 1e6


# --------------------------------------------------------------------------- scenarios


@dataclass
class Size:
    """Everything measured for one number of trials."""

    trials: int
    pages: int = 0
    runs: dict[str, Run] = field(default_factory=dict)
    env_pickle_mb: float = 0.0
    html_mb: float = 0.0
    mismatches: dict[str, list[str]] = field(default_factory=dict)
    #: pages whose prose shows the edited value (they are read again, in both builds)
    prose: list[str] = field(default_factory=list)
    #: how long measuring this size took, twin and reference builds included
    minutes: float = 0.0


def incremental(project: Path, size: Size, name: str, reference: Path | None = None) -> None:
    """An incremental HTML build, then the same data built clean: the HTML must match.
    ``reference``: a clean build of the same data there is already (not built again)."""
    size.runs[name] = sphinx(project, "html", "build")
    clean = project / "clean"
    if reference is None:
        shutil.rmtree(clean, ignore_errors=True)
        sphinx(project, "html", "clean", jobs=2)  # its output equals -j 1's (checked)
        differ = same_html(project / "build/html", clean / "html")
        shutil.rmtree(clean)
    else:
        differ = same_html(project / "build/html", reference)
    if differ:
        size.mismatches[name] = differ[:20]


def interleaved(times: int, a: Any, b: Any) -> tuple[Run, Run]:
    """``a()`` and ``b()`` in turn (A B A B …), ``times`` each; the median of each.

    Once only when the first run of ``a`` takes a minute or more."""
    runs_a, runs_b = [a()], [b()]
    if runs_a[0].seconds < 60:
        for _ in range(times - 1):
            runs_a.append(a())
            runs_b.append(b())
    return median_of(runs_a), median_of(runs_b)


TWIN = " (static twin)"


def measure(trials: int, times: int, latex: bool) -> Size:
    """Every scenario for ``trials`` trials, trialbook and its static twin."""
    size = Size(trials)
    with tempfile.TemporaryDirectory(prefix=f"bench-{trials}-") as tmp:
        project = make_project(Path(tmp), trials)
        twin = make_twin(project).parent  # builds once with the recorder: not timed
        build = project / "build"

        def cold(where: Path, jobs: int = 1, out: str = "build") -> Run:
            shutil.rmtree(where / out, ignore_errors=True)
            return sphinx(where, "html", out, jobs)

        runs = size.runs
        runs["full HTML -j1"], runs["full HTML -j1" + TWIN] = interleaved(
            times, lambda: cold(project), lambda: cold(twin)
        )
        once = runs["full HTML -j1"].seconds >= 60
        # -j 2 into its own folder: its output must equal -j 1's, and it stays as the
        # clean build of the unchanged data that removing a trial must come back to.
        runs["full HTML -j2"] = (
            cold(project, 2, "parallel")
            if once
            else repeat(times, lambda: cold(project, 2, "parallel"))
        )
        reference = project / "parallel" / "html"
        differ = same_html(build / "html", reference)
        if differ:
            size.mismatches["full HTML -j2"] = differ[:20]
        sphinx(project, "html", "build")  # settle: the pages a first build generates
        sphinx(twin, "html", "build")
        size.env_pickle_mb = size_mb(build / "doctrees" / "environment.pickle")
        size.html_mb = size_mb(build / "html")
        size.pages = len(list((build / "html").rglob("*.html")))
        runs["no-op"], runs["no-op" + TWIN] = interleaved(
            times, lambda: sphinx(project, "html", "build"), lambda: sphinx(twin, "html", "build")
        )

        # A trial no prose names (a synthetic one where there is one): its edit must
        # reach only its own page and the tables that list every trial.
        name = SYNTHETIC.format(0) if trials > 3 else "care-ms-ii"
        data_file = project / "data" / "trials" / f"{name}.yaml"

        def touch() -> Run:
            os.utime(data_file)
            return sphinx(project, "html", "build")

        runs["touch a data file"] = repeat(times, touch)

        edited = data_file
        original = edited.read_text(encoding="utf-8")
        edited.write_text(original.replace("centres: 180", "centres: 181", 1), encoding="utf-8")
        incremental(project, size, "edit one value of one trial")
        edited.write_text(original, encoding="utf-8")
        sphinx(project, "html", "build")
        # The twin's edit: the same number, in its trial page and wherever prose shows
        # it (at 3 trials the edited trial is one the prose cites: its pages are read
        # again in both builds; the twin's prose keeps each role's line).
        role = f"{{val}}`{name}.centres`"
        lines: dict[Path, list[int]] = {Path("trials") / f"{name}.md": []}
        for source in sorted((project / "docs").rglob("*.md")):
            text = source.read_text(encoding="utf-8").splitlines()
            found = [i for i, line in enumerate(text) if role in line]
            if found:
                lines.setdefault(source.relative_to(project / "docs"), []).extend(found)
                size.prose.append(source.relative_to(project / "docs").with_suffix("").as_posix())
        for relative, at in lines.items():
            page = twin / "docs" / relative
            frozen = page.read_text(encoding="utf-8").splitlines(keepends=True)
            shown = [i for i, line in enumerate(frozen) if "180 \\[" in line]
            for i in at or shown[:1] or [0]:
                if "180 \\[" not in frozen[i]:
                    raise SystemExit(f"the twin's {relative}:{i + 1} does not show the centres")
                frozen[i] = frozen[i].replace("180 \\[", "181 \\[", 1)
            page.write_text("".join(frozen), encoding="utf-8")
        runs["edit one value of one trial" + TWIN] = sphinx(twin, "html", "build")

        added = add_trial(project, 99999)
        incremental(project, size, "add a trial")
        added.unlink()
        incremental(project, size, "remove a trial", reference)
        shutil.rmtree(project / "parallel")

        if latex:
            runs["LaTeX writer"], runs["LaTeX writer" + TWIN] = interleaved(
                1,
                lambda: sphinx(project, "latex", "build"),
                lambda: sphinx(twin, "latex", "build"),
            )
            tex = build / "latex"
            mk = ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error"]
            mk.append("trialbook-alemtuzumab.tex")
            start = time.perf_counter()
            try:
                seconds, peak, _ = run(mk, tex)
                runs["latexmk cold"] = Run(seconds, peak)
                seconds, peak, _ = run(mk, tex)
                runs["latexmk no-op"] = Run(seconds, peak)
            except SystemExit as failed:  # a PDF that does not compile is a result
                message = str(failed)[-400:]
                runs["latexmk cold"] = Run(time.perf_counter() - start, 0, error=message)

        check = [sys.executable, "-m", "trialbook", "check", "data"]
        seconds, peak, _ = run(check, project)
        runs["load + check, no cache"] = Run(seconds, peak)
        cache = [*check, "--cache", str(project / "check-cache")]
        run(cache, project)
        seconds, peak, _ = run(cache, project)
        runs["load + check, warm cache"] = Run(seconds, peak)
    return size


# --------------------------------------------------------------------------- targets


@dataclass
class Target:
    what: str
    target: str
    found: str
    ok: bool | None  # None: not measured


def _ratio(size: Size, name: str) -> float | None:
    """trialbook's time for scenario ``name`` over its static twin's (None: not run)."""
    ours, twin = size.runs.get(name), size.runs.get(name + TWIN)
    if ours is None or twin is None or twin.seconds == 0:
        return None
    return ours.seconds / twin.seconds


def targets(sizes: list[Size], minutes: float = 0.0, limit: float | None = None) -> list[Target]:
    """The issue's targets, for what this run measured; ``minutes`` the whole run took,
    against ``limit`` (the full run's 40, ``--quick``'s 5; None for other sizes)."""
    small, large = sizes[1] if len(sizes) > 1 else sizes[0], sizes[-1]
    out: list[Target] = []
    for s in sizes:
        ratio = _ratio(s, "full HTML -j1")
        if s.trials >= 100 and ratio is not None:
            out.append(
                Target(
                    f"full HTML, trialbook / static twin, {s.trials} trials",
                    "≤ 1.00",
                    f"{ratio:.2f}",
                    ratio <= 1.00,
                )
            )
    if large is not small:
        ratio = large.trials / small.trials
        for suffix, who in (("", "trialbook"), (TWIN, "static twin")):
            growth = (
                large.runs["full HTML -j1" + suffix].seconds
                / small.runs["full HTML -j1" + suffix].seconds
            )
            out.append(
                Target(
                    f"growth t({large.trials}) / t({small.trials}), {who}",
                    f"≤ {ratio * 1.1:.0f}",
                    f"{growth:.1f}",
                    growth <= ratio * 1.1,
                )
            )
    memory = large.runs["full HTML -j1"].peak_mb / large.runs["full HTML -j1" + TWIN].peak_mb
    out.append(
        Target(
            f"peak memory, trialbook / static twin, {large.trials} trials",
            "≤ 1.5",
            f"{memory:.2f}",
            memory <= 1.5,
        )
    )
    for s in sizes:
        noop, twin_noop = s.runs["no-op"], s.runs["no-op" + TWIN]
        more = noop.seconds - twin_noop.seconds
        out.append(
            Target(
                f"no-op rebuild, {s.trials} trials",
                "0 pages re-read, 0 figures, ≤ static twin + 0.3 s",
                f"{noop.reread} re-read, {noop.figures} figures, {noop.seconds:.2f} s "
                f"(twin {twin_noop.seconds:.2f} s)",
                noop.reread == 0 and noop.figures == 0 and more <= 0.3,
            )
        )
        touch = s.runs["touch a data file"]
        out.append(
            Target(
                f"touch without change, {s.trials} trials",
                "0 pages re-read",
                f"{touch.reread} re-read",
                touch.reread == 0,
            )
        )
        edit = s.runs["edit one value of one trial"]
        ratio = _ratio(s, "edit one value of one trial") or 0.0
        prose = f" and the {len(s.prose)} whose prose shows the value" if s.prose else ""
        out.append(
            Target(
                f"edit one value, {s.trials} trials",
                f"re-reads at most that trial's page{prose}, ≤ 1.5× the twin's edit",
                f"{edit.reread} re-read, {edit.refreshed} refreshed in place, "
                f"{edit.seconds:.1f} s ({ratio:.1f}× the twin)",
                (edit.reread or 0) <= 1 + len(s.prose) and ratio <= 1.5,
            )
        )
    j1, j2 = large.runs["full HTML -j1"].seconds, large.runs["full HTML -j2"].seconds
    out.append(
        Target(
            f"-j 2 speed-up, {large.trials} trials",
            "≥ 1.3×",
            f"{j1 / j2:.2f}×",
            j1 / j2 >= 1.3,
        )
    )
    for s in sizes:
        ratio = _ratio(s, "LaTeX writer")
        if ratio is not None:
            out.append(
                Target(
                    f"LaTeX writer, trialbook / static twin, {s.trials} trials",
                    "≤ 1.10",
                    f"{ratio:.2f}",
                    ratio <= 1.10,
                )
            )
        cold = s.runs.get("latexmk cold")
        if cold is not None and cold.error is not None:
            out.append(Target(f"PDF compiles, {s.trials} trials", "yes", "no", False))
        if "latexmk no-op" in s.runs:
            t = s.runs["latexmk no-op"].seconds
            out.append(
                Target(f"latexmk no-op, {s.trials} trials", "< 0.5 s", f"{t:.2f} s", t < 0.5)
            )
    load = large.runs["load + check, no cache"].seconds
    share = load / large.runs["full HTML -j1"].seconds
    out.append(
        Target(
            f"load + check / full build, {large.trials} trials",
            "≤ 5%",
            f"{share:.1%}",
            share <= 0.05,
        )
    )
    warm = large.runs["load + check, warm cache"].seconds
    out.append(Target("load + check, warm", "< 0.5 s", f"{warm:.2f} s", warm < 0.5))
    if limit is not None:
        out.append(
            Target("the whole run", f"< {limit:.0f} min", f"{minutes:.0f} min", minutes < limit)
        )
    for s in sizes:
        for name, files in s.mismatches.items():
            out.append(
                Target(
                    f"{name}, {s.trials} trials: output equals a clean -j 1 build",
                    "identical",
                    f"{len(files)} pages differ",
                    False,
                )
            )
    return out


def _columns(*weights: int) -> str:
    """A ``tabularcolumns`` spec: ragged-right columns of these relative widths. (A
    justified narrow column of long phrases leaves underfull lines in the PDF.)"""
    total = sum(weights)
    spec = "".join(rf">{{\raggedright\arraybackslash}}\X{{{w}}}{{{total}}}" for w in weights)
    return f"```{{tabularcolumns}} {spec}\n```\n"


def _seconds(t: float) -> str:
    """About three significant figures (0.72 s, 26.8 s, 414 s), a no-break space: a
    narrow column on a phone keeps a figure on one line."""
    decimals = 2 if t < 10 else 1 if t < 100 else 0
    return f"{t:.{decimals}f}\u00a0s"


def _memory(mb: float) -> str:
    """``136 MB``, ``1.31 GB``: as short as the column a phone has."""
    return f"{mb:.0f}\u00a0MB" if mb < 1000 else f"{mb / 1000:.2f}\u00a0GB"


def _size(s: Size) -> str:
    """A size's caption: what was built, and how long measuring it took."""
    took = f"; {s.minutes:.1f} minutes to measure" if s.minutes else ""
    return (
        f"Builds of {s.trials} trials ({s.pages} pages, a {s.env_pickle_mb:.1f} MB "
        f"environment, {s.html_mb:.1f} MB of HTML{took})"
    )


def markdown(sizes: list[Size], checks: list[Target]) -> str:
    """The results as MyST: a table for each size (three short columns, which a phone
    shows whole), and one of the targets."""
    lines: list[str] = []
    for s in sizes:
        lines += [
            _columns(5, 4, 4),
            f"```{{table}} {_size(s)}",
            "| scenario | time, peak memory | pages re-read, refreshed, written; figures |",
            "|---|---|---|",
        ]
        for name, r in s.runs.items():
            cells = [f"{_seconds(r.seconds)}, {_memory(r.peak_mb)}", "–"]
            if r.error is not None:
                cells = [f"**failed** after {_seconds(r.seconds)}", "–"]
            elif r.reread is not None:
                cells[1] = f"{r.reread}, {r.refreshed}, {r.written}; {r.figures}"
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += ["```", ""]
    lines += [_columns(3, 3, 3, 1)]
    lines += ["```{table} The targets", "| target | wanted | found | met |", "|---|---|---|---|"]
    verdict = {True: "yes", False: "**no**", None: "not measured"}
    lines += [f"| {t.what} | {t.target} | {t.found} | {verdict[t.ok]} |" for t in checks]
    lines.append("```")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 and 100 trials only")
    parser.add_argument("--sizes", type=int, nargs="+", help="numbers of trials to build")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each short scenario")
    parser.add_argument("--report-only", action="store_true", help="measure; never fail")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument(
        "--publish",
        action="store_true",
        help=f"also write the table to {PUBLISHED.relative_to(ROOT)}, which the handbook shows",
    )
    args = parser.parse_args(argv)
    counts = args.sizes or ([3, 100] if args.quick else [3, 100, 1000])
    limit = {(3, 100): 5.0, (3, 100, 1000): 40.0}.get(tuple(counts))
    started = time.perf_counter()
    sizes = []
    for n in counts:
        print(f"measuring {n} trials…", flush=True)
        start = time.perf_counter()
        sizes.append(measure(n, args.repeat, latex=n <= 100))
        sizes[-1].minutes = (time.perf_counter() - start) / 60
    checks = targets(sizes, (time.perf_counter() - started) / 60, limit)
    args.out.mkdir(parents=True, exist_ok=True)
    report = markdown(sizes, checks)
    (args.out / "results.md").write_text(report, encoding="utf-8")
    results = {"sizes": [asdict(s) for s in sizes], "targets": [asdict(t) for t in checks]}
    (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(report)
    if args.publish:
        when = time.strftime("%Y-%m-%d", time.gmtime())
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        head = (
            f"Measured on {when}{f' at commit {commit}' if commit else ''} with "
            f"`python bench/build_bench.py {' '.join(argv if argv is not None else sys.argv[1:])}`"
            f", on a machine with {os.cpu_count()} cores. Times are medians of three runs "
            "where a run is under a minute, else one run; peak memory is the build "
            "process's.\n\n"
        )
        PUBLISHED.write_text(head + report, encoding="utf-8")
    failed = [t for t in checks if t.ok is False]
    if failed and not args.report_only:
        print(f"{len(failed)} target(s) not met", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
