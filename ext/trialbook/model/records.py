"""The data model: sources, interventions, trials and their parts, milestones.

These are the shapes of the files in ``data/`` (see ``data/schema/``). Validation of
each file's shape happens here; checks that need several records (ids that must
exist, arithmetic that must agree) live in :mod:`trialbook.check`.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from decimal import Decimal
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
    "label",
    "research-summary",
    "website",
    "blog",
]


class Miscitation(Base):
    """A source citing another one wrongly: kept so the handbook can say so."""

    cites: Id = Field(description="the source that is cited wrongly")
    as_printed: Text
    """The reference as the citing source prints it."""
    correct: Text
    """The correct reference."""
    note: Text | None = None
    """A comment shown with the miscitation."""


class Erratum(Base):
    """A slip in a source (a typo, garbled wording): kept so the handbook can say so."""

    locator: Text
    """Where in the source, e.g. Table 4."""
    as_printed: Text
    """What the source prints."""
    note: Text
    """What is wrong with it, and what the handbook does instead."""


class Source(Base):
    """A publication, release or record that values cite by ``id``."""

    id: Id
    """How values cite the source: lowercase letters, digits, hyphens."""
    kind: SourceKind
    """What the source is; the source list groups by it."""
    citation: Text
    """The reference as the source list prints it: authors, title, journal, year."""
    date: PartialDate | None = None
    """When the source was published."""
    doi: str | None = Field(default=None, pattern=r"^10\.[0-9]{4,9}/\S+$")
    """Its Digital Object Identifier, e.g. 10.1016/S0140-6736(12)61769-3."""
    pmid: str | None = Field(default=None, pattern=r"^[0-9]{1,9}$")
    """Its PubMed id."""
    pmcid: str | None = Field(default=None, pattern=r"^PMC[0-9]{1,9}$")
    """Its PubMed Central id, e.g. PMC3959804."""
    nct: str | None = Field(default=None, pattern=r"^NCT[0-9]{8}$")
    """The ClinicalTrials.gov record it is, e.g. NCT00530348."""
    url: str | None = Field(default=None, pattern=r"^https://\S+$")
    """Where to read it (https)."""
    miscitations: tuple[Miscitation, ...] = ()
    """References to other sources that this source prints wrongly."""
    errata: tuple[Erratum, ...] = ()
    """Slips in the source itself that a reader should know about."""
    note: Text | None = None
    """What a reader should know about the source."""


class SourcesFile(Base):
    """``data/sources.yaml``."""

    sources: tuple[Source, ...]
    """Every source values may cite."""


Statistic = Literal["mean", "median", "count", "proportion"]


class Measurement(Sourced):
    """One reported figure beyond the trial's randomized comparison.

    A baseline characteristic (mean age per arm), an eligibility limit, a result of
    an extension study (single-arm, with its time point and definition), or a figure
    pooled across a treatment's whole programme. ``all`` is the figure for everyone
    the measurement covers; ``results`` gives it by arm or group (in a trial) or by
    treatment (in interventions.yaml).
    """

    id: Id
    """How value paths and tables name the figure."""
    name: Text
    """What is measured, as tables print it, e.g. Age."""
    statistic: Statistic | None = None
    """What the figure is: mean, median, count or proportion."""
    unit: Text | None = None
    """The unit tables print with the name, e.g. years."""
    timepoint: Text | None = None
    """When, e.g. 5 years, or course 2."""
    population: Text | None = None
    """Whom the figure covers, when it is not the trial's arms, e.g. all 840 patients."""
    definition: Text | None = None
    """How the source defines it; kept with the figure when sources define it differently."""
    all: Value | None = None
    """The figure for everyone the measurement covers."""
    results: dict[Id, Value] = Field(
        default_factory=dict, description="the figure by arm or group (or by treatment)"
    )
    note: Fact | None = None
    """What a reader should know about the figure."""


InstructionTopic = Literal[
    "indication",
    "course",
    "premedication",
    "prophylaxis",
    "observation",
    "monitoring",
    "follow-up",
    "setting",
    "contraindication",
    "programme",
]


class Instruction(Fact):
    """A rule for giving or monitoring a treatment, with whose wording it is."""

    topic: InstructionTopic
    """Indication, course, premedication, prophylaxis, observation, monitoring,
    follow-up, setting, contraindication or programme."""
    authority: Literal["EU", "UK", "US", "Malaysia", "trials", "review"]
    """Whose wording: a regulator's product information or label (EU, UK, US,
    Malaysia), the trials' protocol, or a review describing the regimen."""
    since: PartialDate | None = None
    """When the wording took effect, if the source says."""


class Intervention(Sourced):
    """A treatment as given in the trials."""

    id: Id
    """How arms name the treatment."""
    name: Text
    """The treatment's name as pages print it."""
    brand: Text | None = None
    """Its brand name."""
    route: Fact | None = None
    """How it is given (intravenous, subcutaneous)."""
    dose: Fact | None = None
    """The dose as the source gives it."""
    schedule: Fact | None = None
    """When it is given."""
    regimen: tuple[Instruction, ...] = ()
    """How it is given and monitored, as the regulators and trials word it."""
    programme: tuple[Measurement, ...] = ()
    """Figures pooled across the treatment's trials, or from its label, keyed by treatment."""


class InterventionsFile(Base):
    """``data/interventions.yaml``."""

    interventions: tuple[Intervention, ...]
    """The treatments the trials' arms receive."""


class Registration(Sourced):
    """A trial's id in a registry."""

    registry: Literal["ClinicalTrials.gov", "EudraCT", "ISRCTN"]
    """The registry: ClinicalTrials.gov, EudraCT or ISRCTN."""
    id: str = Field(pattern=r"^[A-Za-z0-9-]{4,40}$")
    """The trial's id in that registry, e.g. NCT00530348."""


class Arm(Sourced):
    """A randomized arm."""

    id: Id
    """How results name the arm: lowercase letters, digits, hyphens."""
    label: Text
    """The arm as tables name it, e.g. Alemtuzumab 12 mg."""
    intervention: Id
    """The treatment given: an id from interventions.yaml."""
    randomized: Size | None = None
    """Patients randomized to the arm (a whole number)."""
    analysed: Size | None = None
    """Patients analysed for the primary endpoint."""
    safety: Size | None = Field(default=None, description="safety population")


class Group(Sourced):
    """Arms pooled for an analysis (e.g. both alemtuzumab doses)."""

    id: Id
    """How results name the pooled group."""
    label: Text
    """The group as tables name it, e.g. Alemtuzumab, both doses."""
    arms: tuple[Id, ...] = Field(min_length=2)
    """The ids of the arms it pools (at least two)."""
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
    """The arm or group compared: an id of the trial's arms or groups."""
    control: Id
    """The arm or group it is compared against."""
    kind: Comparator | None = None
    """What the estimate is: rate-ratio, hazard-ratio, risk-ratio, difference or
    mean-difference."""
    estimate: Value | None = None
    """The between-arm estimate with its 95% confidence interval."""
    p: Value | None = None
    """The p-value, as printed (e.g. '<0.0001')."""
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
    """A comment shown with the rating."""


class Outcome(Sourced):
    """An endpoint: per-arm results and the between-arm comparison."""

    id: Id
    """How value paths and tables name the outcome."""
    name: Text
    """The endpoint as tables print it."""
    role: Role
    """Primary, co-primary, secondary, tertiary or unspecified."""
    measure: Measure
    """Annualized-relapse-rate, proportion-of-patients or mean-change."""
    counts: Literal["event", "event-free"] = Field(
        default="event",
        description="what a proportion counts: patients with the event (a risk), or "
        "patients free of it (relapse-free, progression-free survival)",
    )
    better: Literal["lower", "higher"] = Field(
        default="lower",
        description="which way favours the treatment: lower (fewer relapses, less "
        "disability) or higher (more patients improving, a higher MSFC score)",
    )
    timepoint: Text | None = None
    """When it was measured, e.g. 2 years."""
    definition: Text | None = None
    """How the source defines the endpoint, e.g. 6-month confirmed."""
    results: dict[Id, Value] = Field(description="results by arm or group id")
    comparison: Comparison | None = None
    """Treatment against control: estimate, CI, p, relative reduction."""
    met: Flag | None = None
    """Whether the trial met the endpoint, as a source reports it."""
    participants: Size | None = Field(
        default=None, description="participants the comparison is based on, as reported"
    )
    baseline: Value | None = Field(
        default=None,
        description="an assumed comparator risk (or rate) with its own source, used for "
        "absolute effects instead of the control arm's result",
    )
    certainty: Certainty | None = None
    """A GRADE rating of the evidence, by the source that rated it."""
    note: Fact | None = None
    """What a reader should know about the outcome."""


class AdverseEvent(Sourced):
    """An adverse event by arm or group: n / N (%), serious, fatal."""

    id: Id
    """How value paths and tables name the event."""
    term: Text
    """The event as the source names it."""
    results: dict[Id, Tally]
    """By arm or group id: n / N (%), serious, fatal."""
    definition: Text | None = None
    """How the source counts the event, e.g. left the study with Adverse Event as reason."""
    note: Fact | None = None
    """What a reader should know about the event, e.g. the commonest kinds."""


class Extension(Sourced):
    """A study that followed a trial's patients on (an extension, with its results)."""

    id: Id
    """How value paths name the extension."""
    name: Text
    """The extension as tables name it, e.g. CAMMS03409 extension, 5 years."""
    design: Fact | None = None
    """Who entered it and how they were treated."""
    results: tuple[Measurement, ...] = Field(min_length=1)
    """Its figures, each with time point and definition."""


Phase = Literal["I", "II", "II/III", "III", "IV"]


class Trial(Sourced):
    """One trial: ``data/trials/<id>.yaml`` (and ``<id>.adverse-events.csv``)."""

    id: Id
    """The file name without .yaml: lowercase letters, digits, hyphens."""
    name: Text = Field(description="display name")
    aliases: tuple[Text, ...] = ()
    """Other names of the trial."""
    registrations: tuple[Registration, ...] = ()
    """Its records in trial registries."""
    phase: Phase
    """I, II, II/III, III or IV."""
    design: Fact
    """The design in words, e.g. randomized, rater-masked, 2 years."""
    population: Fact | None = None
    """Who was enrolled."""
    duration: Fact | None = None
    """How long patients were followed."""
    allocation: Fact | None = Field(default=None, description="randomization ratio")
    randomized: Size
    """Patients randomized in all (a whole number)."""
    centres: Size | None = None
    """The number of centres."""
    countries: Size | None = None
    """The number of countries."""
    arms: tuple[Arm, ...] = Field(min_length=1)
    """The randomized arms (at least one)."""
    groups: tuple[Group, ...] = ()
    """Arms pooled for an analysis, e.g. both doses."""
    eligibility: tuple[Measurement, ...] = ()
    """Entry limits given as figures (age, years since onset, EDSS)."""
    baseline: tuple[Measurement, ...] = ()
    """Baseline characteristics by arm (and for all patients)."""
    outcomes: tuple[Outcome, ...] = ()
    """The endpoints and their results."""
    adverse_events: tuple[AdverseEvent, ...] = ()
    """Adverse events by arm (also from <id>.adverse-events.csv)."""
    extensions: tuple[Extension, ...] = ()
    """Studies that followed the trial's patients on."""
    notes: tuple[Fact, ...] = ()
    """Facts about the trial a reader should know."""

    def compared(self) -> list[Outcome]:
        """The outcomes with a between-arm comparison, in the data's order."""
        return [o for o in self.outcomes if o.comparison is not None]

    def control_key(self) -> str | None:
        """The arm most comparisons use as control (the comparator), if any."""
        controls = [o.comparison.control for o in self.outcomes if o.comparison is not None]
        # Ties go to the control named first, so the answer never depends on hashing.
        return max(dict.fromkeys(controls), key=controls.count) if controls else None

    def size(
        self, key: str, prefer: tuple[str, ...] = ("analysed", "safety", "randomized")
    ) -> Decimal | None:
        """The number of people in an arm or group: the first of ``prefer`` it reports."""
        item = self.arm_or_group(key)
        for name in prefer:
            value = getattr(item, name, None) if item is not None else None
            if value is not None and value.value is not None:
                return Decimal(value.value)
        return None

    def arm_or_group(self, key: str) -> Arm | Group | None:
        """The arm or pooled group called ``key``."""
        items: tuple[Arm | Group, ...] = (*self.arms, *self.groups)
        for item in items:
            if item.id == key:
                return item
        return None


MilestoneKind = Literal[
    "designation", "submission", "approval", "refusal", "label", "review", "restriction", "other"
]


def comparisons(trials: list[Trial], outcome_ids: list[str]) -> list[tuple[Trial, Outcome]]:
    """The outcomes named (in the order named), of each trial that compares them."""
    return [
        (trial, outcome)
        for outcome_id in outcome_ids
        for trial in trials
        for outcome in trial.compared()
        if outcome.id == outcome_id
    ]


class Milestone(Sourced):
    """A dated regulatory or programme event."""

    id: Id
    """How the milestone is named in the data."""
    date: PartialDate
    """When it happened, as precisely as the source gives it."""
    qualifier: Literal["on", "before", "after"] = "on"
    """On, before or after the date."""
    announced: PartialDate | None = None
    """When it was announced, if that differs."""
    kind: MilestoneKind
    """Designation, submission, approval, refusal, label, review, restriction or other."""
    agency: Text | None = None
    """The regulator, e.g. FDA or European Commission."""
    event: Fact
    """What happened, in words, with its source."""
    details: tuple[Fact, ...] = ()
    """Further facts, each with its source."""
    trials: tuple[Id, ...] = ()
    """Ids of the trials it concerns."""


class MilestonesFile(Base):
    """``data/milestones.yaml``."""

    milestones: tuple[Milestone, ...]
    """Regulatory and programme milestones."""


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
    """Regulatory and programme milestones."""
    #: trial id (or file stem) → the files of a trial whose data has errors
    failed: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    #: files that are not trials but every page may depend on
    shared_files: tuple[Path, ...] = ()

    def trial(self, trial_id: str) -> Trial:
        """The trial called ``trial_id`` (KeyError if there is none)."""
        return self.trials[trial_id].trial
