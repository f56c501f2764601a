"""Sessions: build the handbook (HTML, PDF), run the tests, lint, benchmark.

Every session installs what it needs into its own virtualenv; the PDF sessions
(and the tests, which compile a PDF) also make sure LaTeX is there, installing it
with apt-get where that is possible (Debian/Ubuntu as root).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

nox.options.sessions = ["handbook", "tests", "lint"]
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = False

ROOT = Path(__file__).parent
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
    session.log(f"PDF: {ROOT / 'build/latex/trialbook-alemtuzumab.pdf'}")


@nox.session
def handbook(session: nox.Session) -> None:
    """Build the whole handbook: HTML in build/html, PDF in build/latex."""
    html(session)
    pdf(session)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (it builds HTML, LaTeX and a PDF)."""
    session.install("-e", ".[docs,test]")
    ensure_latex(session)
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff format check, ruff lint, mypy --strict on ext/."""
    session.install("-e", ".[lint,test]")
    session.run("ruff", "format", "--check", "ext", "tests", "noxfile.py", "bench")
    session.run("ruff", "check", "ext", "tests", "noxfile.py", "bench")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Time loading and checking synthetic data (1000 trials by default)."""
    session.install("-e", ".")
    session.run("python", "bench/load_bench.py", *session.posargs)


@nox.session
def schema(session: nox.Session) -> None:
    """Rewrite data/schema/*.json from the model."""
    session.install("-e", ".")
    session.run("python", "-m", "trialbook", "schema", "--write", "data/schema")


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run with nox: python3 -m pip install nox && nox -s handbook")
