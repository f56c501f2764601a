"""Field paths in words: how the handbook names a quantity of a trial.

``("adverse_events", 2, "results", "alemtuzumab")`` is "Thyroid disorders,
Alemtuzumab, both doses" in the discrepancy list (:func:`label`), and the topic
"Thyroid disorders" in the source list's "cited for" line (:func:`topic`).
"""

from __future__ import annotations

from ..diagnostics import FieldPath
from ..model.records import Dataset, Intervention, Measurement, Trial

_PARTS = {"estimate": "estimate", "p": "p", "reduction": "relative reduction"}
#: Topics of records that are listed, not named: the source list says what they are.
_LISTED = {
    "arms": "arm sizes",
    "groups": "safety populations",
    "registrations": "registration",
    "notes": "notes",
    "baseline": "baseline characteristics",
    "eligibility": "eligibility",
}


def measurement_name(m: Measurement) -> str:
    """``Disease duration (median)``, ``Free of confirmed disability worsening, year 8``."""
    name = m.name + (f" ({m.statistic})" if m.statistic == "median" else "")
    return f"{name}, {m.timepoint}" if m.timepoint else name


def words(trial: Trial, path: FieldPath) -> list[str]:
    """One word or name per meaningful step of ``path``."""
    out: list[str] = []
    items = list(path)
    extension = None
    while items:
        head = items.pop(0)
        index = int(items.pop(0)) if items and isinstance(items[0], int) else None
        if index is not None and head in ("baseline", "eligibility"):
            out.append(measurement_name(getattr(trial, head)[index]))
        elif index is not None and head == "extensions":
            extension = trial.extensions[index]
            out.append(extension.name)
        elif index is not None and head == "results" and extension is not None:
            out.append(measurement_name(extension.results[index]))
        elif head == "all":
            out.append("all patients")
        elif index is not None and head == "outcomes":
            out.append(trial.outcomes[index].name)
        elif index is not None and head == "adverse_events":
            out.append(trial.adverse_events[index].term)
        elif index is not None and head == "arms":
            out.append(trial.arms[index].label)
        elif index is not None and head == "groups":
            out.append(trial.groups[index].label)
        elif head == "results" and items:
            key = str(items.pop(0))
            arm = trial.arm_or_group(key)
            out.append(arm.label if arm is not None else key)
        elif head == "comparison":
            continue
        elif isinstance(head, str):
            out.append(_PARTS.get(head, head.replace("_", " ")))
    return out


def label(trial: Trial, path: FieldPath) -> str:
    """A quantity's name in words: ``Thyroid disorders, Alemtuzumab, both doses``."""
    return ", ".join(words(trial, path)) or "trial"


def programme_label(dataset: Dataset, iv: Intervention, path: FieldPath) -> str:
    """A programme figure in words: ``Thyroid disorders, Alemtuzumab``.

    ``path`` starts at the intervention: ``("programme", 3, "results", "alemtuzumab")``.
    """
    m = iv.programme[int(path[1])]
    out = [measurement_name(m)]
    if len(path) > 3 and path[2] == "results":
        key = str(path[3])
        out.append(dataset.interventions[key].name if key in dataset.interventions else key)
    return ", ".join(out)


def topic(trial: Trial, path: FieldPath) -> str:
    """What a value is about, at the level of its record: an outcome's name, "arm sizes"."""
    if not path:
        return ""  # the record's own default source
    head = str(path[0])
    if head in _LISTED:
        return _LISTED[head]
    if head in ("outcomes", "adverse_events", "extensions") and len(path) > 1:
        return words(trial, path[:2])[0]
    return head


def treatment_name(dataset: Dataset, trial: Trial, key: str) -> str:
    """The name of the treatment an arm (or a group of arms) received."""
    item = trial.arm_or_group(key)
    arms = [item] if item is not None and hasattr(item, "intervention") else []
    if item is not None and not arms:
        arms = [a for a in trial.arms if a.id in getattr(item, "arms", ())]
    names = [
        dataset.interventions[a.intervention].name
        for a in arms
        if getattr(a, "intervention", None) in dataset.interventions
    ]
    return " and ".join(dict.fromkeys(names)) if names else key
