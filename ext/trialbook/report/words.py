"""Field paths in words: how the handbook names a quantity of a trial.

``("adverse_events", 2, "results", "alemtuzumab")`` is "Thyroid disorders,
Alemtuzumab, both doses" in the discrepancy list (:func:`label`), and the topic
"Thyroid disorders" in the source list's "cited for" line (:func:`topic`).
"""

from __future__ import annotations

from ..diagnostics import FieldPath
from ..model.records import Dataset, Trial

_PARTS = {"estimate": "estimate", "p": "p", "reduction": "relative reduction"}
#: Topics of records that are listed, not named: the source list says what they are.
_LISTED = {
    "arms": "arm sizes",
    "groups": "safety populations",
    "registrations": "registration",
    "notes": "notes",
}


def words(trial: Trial, path: FieldPath) -> list[str]:
    """One word or name per meaningful step of ``path``."""
    out: list[str] = []
    items = list(path)
    while items:
        head = items.pop(0)
        index = int(items.pop(0)) if items and isinstance(items[0], int) else None
        if index is not None and head == "outcomes":
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


def topic(trial: Trial, path: FieldPath) -> str:
    """What a value is about, at the level of its record: an outcome's name, "arm sizes"."""
    if not path:
        return ""  # the record's own default source
    head = str(path[0])
    if head in _LISTED:
        return _LISTED[head]
    if head in ("outcomes", "adverse_events") and len(path) > 1:
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
