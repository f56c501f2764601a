"""Sessions: build the handbook (HTML, PDF), run the tests, lint, benchmark.

Every session installs what it needs into its own virtualenv; the PDF sessions
(and the tests, which compile a PDF) also make sure LaTeX is there, installing it
with apt-get where that is possible (Debian/Ubuntu as root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

nox.options.sessions = ["handbook", "tests", "lint"]
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = False

ROOT = Path(__file__).parent
TOOLS = ROOT / ".cache" / "tools"  # npm packages for the real-client checks
SPHINX_VERSIONS = ["8.2", "9"]  # oldest supported, newest
PYTHON_VERSIONS = ["3.11", "3.13"]
NEWEST_SPHINX = SPHINX_VERSIONS[-1]


def interpreter(version: str) -> str:
    """A working interpreter for ``version``: on PATH, or in pyenv's versions folder.

    A pyenv shim for a version that is not selected exists but fails to run; nox
    would then error instead of skipping. Returning the bare version when nothing
    works lets nox report the interpreter as missing and skip the session.
    """
    candidates = [shutil.which(f"python{version}")]
    pyenv = Path("~/.pyenv/versions").expanduser()
    candidates += sorted(str(p) for p in pyenv.glob(f"{version}*/bin/python{version}"))
    for candidate in candidates:
        if (
            candidate
            and subprocess.run([candidate, "--version"], capture_output=True).returncode == 0
        ):
            return candidate
    return version


SPHINX_FLAGS = ["-W", "-n", "--keep-going"]
TEX_PACKAGES = [
    "latexmk",
    "texlive-latex-recommended",
    "texlive-latex-extra",
    "texlive-fonts-recommended",
    "tex-gyre",
]


def ensure_latex(session: nox.Session) -> None:
    """Make sure latexmk and pdflatex exist; install them on Debian as root."""
    if shutil.which("latexmk") and shutil.which("pdflatex"):
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *TEX_PACKAGES]
    can_apt = shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0
    if not can_apt:
        session.error(
            "latexmk is missing. Install TeX Live, e.g. on Debian/Ubuntu:\n  sudo "
            + " ".join(command)
            + "\n(on macOS: MacTeX; on Windows: MiKTeX or TeX Live), then run again."
        )
    session.log("latexmk is missing: installing TeX Live with apt-get (about a minute)")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-qq", external=True, env=env)
    session.run(*command, "-qq", external=True, env=env)


def apt_install(session: nox.Session, packages: list[str], why: str) -> None:
    """Install Debian packages as root, or stop with the command to run."""
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    can_apt = shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0
    if not can_apt:
        session.error(f"{why} is missing. On Debian/Ubuntu: sudo " + " ".join(command))
    session.log(f"{why} is missing: installing {' '.join(packages)} with apt-get")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-qq", external=True, env=env)
    session.run(*command, "-qq", external=True, env=env)


def ensure_client_tools(session: nox.Session) -> None:
    """Chromium, Java and the npm packages axe-core and vnu-jar, for real-client tests."""
    missing = [
        pkg
        for exe, pkg in (
            ("chromium", "chromium"),
            ("java", "default-jre-headless"),
            ("npm", "npm"),
            ("pdffonts", "poppler-utils"),
        )
        if not shutil.which(exe)
    ]
    if missing:
        apt_install(session, missing, "a browser, Java or Node")
    if (
        not (TOOLS / "node_modules" / "axe-core").is_dir()
        or not (TOOLS / "node_modules" / "vnu-jar").is_dir()
    ):
        TOOLS.mkdir(parents=True, exist_ok=True)
        session.run(
            "npm",
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(TOOLS),
            "axe-core@4",
            "vnu-jar",
            external=True,
        )
    session.env["TRIALBOOK_TOOLS"] = str(TOOLS)


def install_handbook(session: nox.Session) -> None:
    """The extension and the handbook's theme."""
    session.install("-e", ".[docs]")


@nox.session
def html(session: nox.Session) -> None:
    """Build the HTML site into build/html."""
    install_handbook(session)
    session.run(
        "sphinx-build", *SPHINX_FLAGS, "-b", "html", "docs", "build/html", *session.posargs
    )


@nox.session
def pdf(session: nox.Session) -> None:
    """Build the PDF handbook into build/latex/ (LaTeX, then latexmk)."""
    install_handbook(session)
    ensure_latex(session)
    session.run("sphinx-build", "-M", "latexpdf", "docs", "build", *SPHINX_FLAGS, *session.posargs)
    # LaTeX warns about undefined references and still writes the PDF: fail on them.
    session.run("python", "-m", "trialbook.sphinxext.latexlog", "build/latex")
    session.log(f"PDF: {ROOT / 'build/latex/trialbook-alemtuzumab.pdf'}")


@nox.session
def serve(session: nox.Session) -> None:
    """Live preview on http://127.0.0.1:8000: rebuilds when a page or a data file changes."""
    install_handbook(session)
    session.install("sphinx-autobuild>=2024.4")
    session.run(
        "sphinx-autobuild",
        "docs",
        "build/serve",
        "--watch",
        "data",
        # Generated trial pages change only when the data does, which is watched.
        "--ignore",
        str(ROOT / "docs" / "trials"),
        *session.posargs,
    )


@nox.session
def handbook(session: nox.Session) -> None:
    """Build the whole handbook: HTML in build/html, PDF in build/latex (and a copy of
    it beside the site, which every page links to)."""
    html(session)
    pdf(session)
    pdf_file = ROOT / "build" / "latex" / "trialbook-alemtuzumab.pdf"
    shutil.copyfile(pdf_file, ROOT / "build" / "html" / pdf_file.name)


def run_tests(session: nox.Session, sphinx: str) -> None:
    """Install the extension with ``sphinx`` and the real-client tools, then run pytest."""
    session.install("-e", ".[docs,test]", f"sphinx=={sphinx}.*")
    ensure_latex(session)
    ensure_client_tools(session)
    session.run("pytest", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite on this Python with the newest Sphinx (HTML, LaTeX, PDF, browser)."""
    run_tests(session, NEWEST_SPHINX)


@nox.session
@nox.parametrize(
    "python,sphinx",
    [
        (interpreter(python), sphinx)
        for python in PYTHON_VERSIONS
        for sphinx in SPHINX_VERSIONS
        if (python, sphinx) != (PYTHON_VERSIONS[0], NEWEST_SPHINX)  # what `tests` runs in CI
    ],
)
def matrix(session: nox.Session, sphinx: str) -> None:
    """The suite on each supported Python and Sphinx (CI runs it after `tests`)."""
    run_tests(session, sphinx)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff format check, ruff lint, mypy --strict on the package, the tests and the tools."""
    session.install("-e", ".[lint,test,docs]")
    session.run("ruff", "format", "--check", "ext", "tests", "noxfile.py", "bench")
    session.run("ruff", "check", "ext", "tests", "noxfile.py", "bench")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Time the whole build as the trials grow (3, 100, 1000; ``-- --quick``: 3 and 100),
    against the issue's targets; results in build/bench/. ``-- --report-only`` never
    fails. (``python bench/load_bench.py`` times loading and checking alone.)"""
    session.install("-e", ".[docs]")
    ensure_latex(session)
    session.run("python", "bench/build_bench.py", *session.posargs)


@nox.session
def schema(session: nox.Session) -> None:
    """Rewrite data/schema/*.json from the model."""
    session.install("-e", ".")
    session.run("python", "-m", "trialbook", "schema", "--write", "data/schema")


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run with nox: python3 -m pip install nox && nox -s handbook")
