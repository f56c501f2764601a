"""``python -m trialbook new``: start a trial, a source or a page from a commented template.

A scaffold is valid once its ``<placeholders>`` are filled: until then ``check``
reports each one, located, as what it is (an unknown source, a missing number).
Nothing is ever overwritten: an existing trial or page is an error, and a new
source is appended to ``sources.yaml``, whose text is kept as it is.
"""

from __future__ import annotations

from pathlib import Path

TRIAL = """\
# yaml-language-server: $schema=../schema/trial.schema.json
# A trial. Every figure names its source: "source" below is the default for the whole
# file; give "source:" on a value (or a record) that comes from elsewhere. Replace each
# <placeholder>, then run: python -m trialbook check
id: {id}                        # = the file name: lowercase letters, digits, hyphens
name: <display name>            # how pages name the trial, e.g. CARE-MS I
phase: <phase>                  # I, II, II/III, III or IV
source: <source id>             # an id from sources.yaml (python -m trialbook new source)
design: <design in words>       # e.g. Randomized, rater-masked, 2 years
randomized: <number randomized> # a whole number, or: not reported
arms:
  - id: <treatment arm id>      # e.g. alemtuzumab-12
    label: <treatment arm label> # e.g. Alemtuzumab 12 mg
    intervention: <intervention id> # an id from interventions.yaml
    randomized: <number in the arm>
  - id: <control arm id>
    label: <control arm label>
    intervention: <control intervention id>
    randomized: <number in the control arm>
outcomes:
  - id: <outcome id>            # e.g. relapse-rate
    name: <outcome name>        # e.g. Annualized relapse rate
    role: <role>                # primary, co-primary, secondary, tertiary or unspecified
    measure: <measure>          # annualized-relapse-rate, proportion-of-patients or mean-change
    timepoint: <time point>     # e.g. 2 years
    results:                    # by arm id: a number, "22%", "82/376" as {{n: 82, N: 376}}
      <treatment arm id>: <treatment result>
      <control arm id>: <control result>
"""

SOURCE = """\
  - id: {id}
    kind: <kind>                # journal-article, review, conference-abstract, press-release,
                                # news, registry-record, regulator or research-summary
    citation: <citation>        # as the reference list prints it: authors, title, journal, year
    date: <date>                # 2012, 2012-11 or 2012-11-01
"""

PAGE = """\
# {title}

Write the page's prose here. Numbers come from the data, with their source:
{{val}}`<trial id>.randomized` patients were randomized in {{trial}}`<trial id>`.

```{{outcome-table}}
:trials: <trial id>
:caption: <caption>
```
"""


class ScaffoldError(Exception):
    """The scaffold would overwrite something, or has nowhere to go."""


def new_trial(data: Path, trial_id: str) -> Path:
    """Write ``data/trials/<id>.yaml`` from the template; never over an existing file."""
    path = data / "trials" / f"{trial_id}.yaml"
    if path.exists():
        raise ScaffoldError(f"{path} exists already; choose another id or edit it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TRIAL.format(id=trial_id), encoding="utf-8")
    return path


def new_source(data: Path, source_id: str) -> Path:
    """Append a source entry to ``data/sources.yaml`` (created if there is none)."""
    path = data / "sources.yaml"
    text = path.read_text(encoding="utf-8") if path.exists() else "sources:\n"
    if f"- id: {source_id}\n" in text:
        raise ScaffoldError(f"{path} has a source {source_id!r} already")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + SOURCE.format(id=source_id), encoding="utf-8")
    return path


def new_page(docs: Path, name: str) -> Path:
    """Write ``docs/<name>.md`` with an example of each kind of content."""
    path = docs / f"{name}.md"
    if path.exists():
        raise ScaffoldError(f"{path} exists already; choose another name or edit it")
    title = name.replace("-", " ").replace("_", " ").capitalize()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAGE.format(title=title), encoding="utf-8")
    return path
