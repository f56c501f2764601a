"""The data model: sources, interventions, trials and their parts, milestones.

These are the shapes of the files in ``data/`` (see ``data/schema/``). Validation of
each file's shape happens here; checks that need several records (ids that must
exist, arithmetic that must agree) live in :mod:`trialbook.check`.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from .values import Base, Fact, Flag, Id, PartialDate, Size, Sourced, Tally, Text, Value

SourceKind = Literal[
    "journal-article",
    "review",
    "conference-abstract",
    "press-release",
    "news",
    "registry-record",
    "regulator",
    "research-summary",
]


class Miscitation(Base):
    """A source citing another one wrongly: kept so the handbook can say so."""

    cites: Id = Field(description="the source that is cited wrongly")
    as_printed: Text
    correct: Text
    note: Text | None = None


class Source(Base):
    """A publication, release or record that values cite by ``id``."""

    id: Id
    kind: SourceKind
    citation: Text
    date: PartialDate | None = None
    doi: str | None = Field(default=None, pattern=r"^10\.[0-9]{4,9}/\S+$")
    pmid: str | None = Field(default=None, pattern=r"^[0-9]{1,9}$")
    pmcid: str | None = Field(default=None, pattern=r"^PMC[0-9]{1,9}$")
    nct: str | None = Field(default=None, pattern=r"^NCT[0-9]{8}$")
    url: str | None = Field(default=None, pattern=r"^https://\S+$")
    miscitations: tuple[Miscitation, ...] = ()
    note: Text | None = None


class SourcesFile(Base):
    """``data/sources.yaml``."""

    sources: tuple[Source, ...]


class Intervention(Sourced):
    """A treatment as given in the trials."""

    id: Id
    name: Text
    brand: Text | None = None
    route: Fact | None = None
    dose: Fact | None = None
    schedule: Fact | None = None


class InterventionsFile(Base):
    """``data/interventions.yaml``."""

    interventions: tuple[Intervention, ...]


class Registration(Sourced):
    """A trial's id in a registry."""

    registry: Literal["ClinicalTrials.gov", "EudraCT", "ISRCTN"]
    id: str = Field(pattern=r"^[A-Za-z0-9-]{4,40}$")


class Arm(Sourced):
    """A randomized arm."""

    id: Id
    label: Text
    intervention: Id
    randomized: Size | None = None
    analysed: Size | None = None
    safety: Size | None = Field(default=None, description="safety population")


class Group(Sourced):
    """Arms pooled for an analysis (e.g. both alemtuzumab doses)."""

    id: Id
    label: Text
    arms: tuple[Id, ...] = Field(min_length=2)
    safety: Size | None = Field(default=None, description="safety population")


Role = Literal["primary", "co-primary", "secondary", "tertiary", "unspecified"]
#: Every role, in order of importance; the roles a "primary endpoint" has.
ROLES: tuple[Role, ...] = typing.get_args(Role)
PRIMARY: tuple[Role, ...] = ("primary", "co-primary")
Measure = Literal[
    "annualized-relapse-rate",
    "proportion-of-patients",
    "mean-change",
]
Comparator = Literal["rate-ratio", "hazard-ratio", "risk-ratio", "difference", "mean-difference"]
RATIO_KINDS: frozenset[str] = frozenset({"rate-ratio", "hazard-ratio", "risk-ratio"})
Rating = Literal["high", "moderate", "low", "very low"]


class Comparison(Sourced):
    """Treatment against control: estimate with CI, p, relative reduction."""

    treatment: Id
    control: Id
    kind: Comparator | None = None
    estimate: Value | None = None
    p: Value | None = None
    reduction: Value | None = Field(
        default=None, description="relative reduction in percent, as the source reports it"
    )


class Certainty(Sourced):
    """A GRADE rating of the certainty of an outcome's evidence, as a source rated it.

    It names its own source (the review that rated it), never the outcome's: the
    handbook does not rate certainty itself, and a rating borrowed from the trial
    paper would be invented.
    """

    inherits_source: ClassVar[bool] = False

    source: Id = Field(description="the review or guideline that rated the evidence")
    rating: Rating = Field(description="GRADE: high, moderate, low or very low")
    reasons: tuple[Text, ...] = Field(
        default=(), description="why the rating was lowered, as the source gives them"
    )
    note: Text | None = None


class Outcome(Sourced):
    """An endpoint: per-arm results and the between-arm comparison."""

    id: Id
    name: Text
    role: Role
    measure: Measure
    counts: Literal["event", "event-free"] = Field(
        default="event",
        description="what a proportion counts: patients with the event (a risk), or "
        "patients free of it (relapse-free, progression-free survival)",
    )
    timepoint: Text | None = None
    definition: Text | None = None
    results: dict[Id, Value] = Field(description="results by arm or group id")
    comparison: Comparison | None = None
    met: Flag | None = None
    participants: Size | None = Field(
        default=None, description="participants the comparison is based on, as reported"
    )
    baseline: Value | None = Field(
        default=None,
        description="an assumed comparator risk (or rate) with its own source, used for "
        "absolute effects instead of the control arm's result",
    )
    certainty: Certainty | None = None
    note: Fact | None = None


class AdverseEvent(Sourced):
    """An adverse event by arm or group: n / N (%), serious, fatal."""

    id: Id
    term: Text
    results: dict[Id, Tally]
    note: Fact | None = None


Phase = Literal["I", "II", "II/III", "III", "IV"]


class Trial(Sourced):
    """One trial: ``data/trials/<id>.yaml`` (and ``<id>.adverse-events.csv``)."""

    id: Id
    name: Text = Field(description="display name")
    aliases: tuple[Text, ...] = ()
    registrations: tuple[Registration, ...] = ()
    phase: Phase
    design: Fact
    population: Fact | None = None
    duration: Fact | None = None
    allocation: Fact | None = Field(default=None, description="randomization ratio")
    randomized: Size
    centres: Size | None = None
    countries: Size | None = None
    arms: tuple[Arm, ...] = Field(min_length=1)
    groups: tuple[Group, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    adverse_events: tuple[AdverseEvent, ...] = ()
    notes: tuple[Fact, ...] = ()

    def control_key(self) -> str | None:
        """The arm most comparisons use as control (the comparator), if any."""
        controls = [o.comparison.control for o in self.outcomes if o.comparison is not None]
        # Ties go to the control named first, so the answer never depends on hashing.
        return max(dict.fromkeys(controls), key=controls.count) if controls else None

    def arm_or_group(self, key: str) -> Arm | Group | None:
        """The arm or pooled group called ``key``."""
        items: tuple[Arm | Group, ...] = (*self.arms, *self.groups)
        for item in items:
            if item.id == key:
                return item
        return None


MilestoneKind = Literal["designation", "submission", "approval", "refusal", "label", "other"]


class Milestone(Sourced):
    """A dated regulatory or programme event."""

    id: Id
    date: PartialDate
    qualifier: Literal["on", "before", "after"] = "on"
    announced: PartialDate | None = None
    kind: MilestoneKind
    agency: Text | None = None
    event: Fact
    details: tuple[Fact, ...] = ()
    trials: tuple[Id, ...] = ()


class MilestonesFile(Base):
    """``data/milestones.yaml``."""

    milestones: tuple[Milestone, ...]


# --------------------------------------------------------------------------- dataset


@dataclass(frozen=True)
class TrialRecord:
    """A trial and the files it was read from (its YAML, and a CSV if any)."""

    trial: Trial
    files: tuple[Path, ...]


@dataclass(frozen=True)
class Dataset:
    """Everything in ``data/`` that loaded; what did not is listed in ``failed``."""

    root: Path
    sources: dict[str, Source] = field(default_factory=dict)
    interventions: dict[str, Intervention] = field(default_factory=dict)
    trials: dict[str, TrialRecord] = field(default_factory=dict)
    milestones: tuple[Milestone, ...] = ()
    #: trial id (or file stem) → the files of a trial whose data has errors
    failed: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    #: files that are not trials but every page may depend on
    shared_files: tuple[Path, ...] = ()

    def trial(self, trial_id: str) -> Trial:
        """The trial called ``trial_id`` (KeyError if there is none)."""
        return self.trials[trial_id].trial
