"""What every trialbook directive shares: the dataset, selections, dependencies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from ..diagnostics import Code, suggest, unknown
from . import memory
from .dataset import INTERVENTIONS, TRIAL_SET, BuildState, state_of
from .refresh import record
from .render import paragraph
from .warnings import DIRECTIVE, warn

if TYPE_CHECKING:
    from ..model.records import Intervention, Trial


class _Named(Protocol):
    @property
    def id(self) -> str: ...


_Item = TypeVar("_Item", bound=_Named)


def id_list(text: str | None) -> list[str]:
    """Option converter: ``"a, b c"`` → ``["a", "b", "c"]``; an id given twice is an
    error (a row shown twice, or once where twice was asked, would be silently wrong)."""
    ids = [part for part in (text or "").replace(",", " ").split() if part]
    twice = [i for i, n in Counter(ids).items() if n > 1]
    if twice:
        raise ValueError(f"{', '.join(repr(i) for i in twice)} given more than once")
    return ids


#: Options of every table that selects trials: which trials, its title, its label.
TABLE_OPTIONS: dict[str, Callable[[str], Any]] = {
    "trials": id_list,
    "caption": directives.unchanged,
    "name": directives.unchanged,
}


class Unavailable(Exception):
    """Raised while rendering: show ``shown`` (a marker, an error box) instead."""

    def __init__(self, shown: list[nodes.Node]) -> None:
        super().__init__()
        self.shown = shown


def failed_box(trial_id: str) -> nodes.error:
    """What a page shows where a trial whose data failed would be."""
    box = nodes.error(classes=["trialbook-failed"])
    box += paragraph(
        f"The data of trial {trial_id} failed validation, so none of it is shown. "
        "The build log lists each problem with its file and line."
    )
    return box


class TrialbookDirective(SphinxDirective):
    """Base directive: access to the build's data and located warnings.

    Subclasses implement :meth:`render`; :meth:`run` first warns about options
    given without a value, and shows what :class:`Unavailable` carries if
    rendering cannot go on.

    ``reads`` names the fields of a trial (of :class:`~trialbook.model.records.Trial`)
    the output shows, or None for all of them: a block of generated content is
    rendered again only when one of those changes (see :mod:`.refresh`). A test
    renders every directive of the handbook with the other fields made unreadable.
    The stored blocks keep the declaration they were made with: changing one needs
    a new ``ENV_VERSION``, so that pages are read again.
    """

    reads: ClassVar[frozenset[str] | None] = None

    def run(self) -> list[nodes.Node]:
        """Warn about empty options, then render (or show why not)."""
        for name, value in self.options.items():
            if self.option_spec and self.option_spec.get(name) is directives.flag:
                continue  # a flag has no value
            if value in ("", None, [], ()):
                self.warn(f"option :{name}: is given without a value; give one or remove it")
        self._shown: set[str] = set()  # the trials the output shows (see depend_on)
        self._figures: list[str] = []  # the figures it drew (see .figures)
        options = dict(self.options)  # add_name() takes :name: out
        held = memory.hold_full_collections()  # what it makes is new: nothing to collect
        try:
            made = self.render()
        except Unavailable as exc:
            made = exc.shown
        finally:
            if held and len(self._shown) < memory.LARGE_SHOWN:  # else: until it is packed
                memory.release_full_collections()
        if self._shown and not record(self, options, made, self._shown, self._figures, self.reads):
            for trial_id in sorted(self._shown):  # not refreshable: re-read on a change
                path = self.data.digest_file(trial_id)
                if path.is_file():
                    self.env.note_dependency(str(path))
        return made

    def render(self) -> list[nodes.Node]:
        """The directive's nodes."""
        raise NotImplementedError

    @property
    def data(self) -> BuildState:
        """The build's data state."""
        return state_of(self.env)

    def warn(self, message: str, code: Code | str = DIRECTIVE) -> None:
        """A warning located at this directive's line in its page."""
        warn(f"{self.name}: {message}", self.get_location(), code)

    def depend_on(
        self, trial_ids: list[str], *, all_trials: bool = False, shared: tuple[str, ...] = ()
    ) -> None:
        """Record that this output must change when these trials change (see
        :mod:`.refresh`), and that the page must be re-read when the set of trials or
        the ``shared`` files it shows (``SOURCES``, ``INTERVENTIONS``, ``MILESTONES``) do."""
        for name in shared:
            self.env.note_dependency(str(self.data.digest_file(name)))
        if all_trials:
            self.env.note_dependency(str(self.data.digest_file(TRIAL_SET)))
        self._shown.update(trial_ids)

    def select_trials(self, wanted: list[str]) -> list[Trial]:
        """The trials ``wanted`` (all if empty); :class:`Unavailable` if one is not."""
        dataset = self.data.dataset
        self.depend_on(wanted or [*dataset.trials, *dataset.failed], all_trials=not wanted)
        if not wanted:
            return [record.trial for record in dataset.trials.values()]
        selected = []
        for trial_id in wanted:
            if trial_id in dataset.trials:
                selected.append(dataset.trial(trial_id))
            elif trial_id in dataset.failed:
                message = self.data.failed_trial(trial_id)
                if message is not None:
                    self.warn(message, Code.REFERENCE)
                raise Unavailable([failed_box(trial_id)])
            else:
                self.depend_on([], all_trials=True)  # until the trial exists
                failed = [t for t in dataset.failed if t not in dataset.trials]
                raise Unavailable(
                    self.problem(
                        unknown("trial", trial_id, [*dataset.trials, *failed], where="in trials/"),
                        Code.REFERENCE,
                    )
                )
        return selected

    def select_intervention(self, iv_id: str) -> Intervention:
        """The treatment ``iv_id`` of interventions.yaml; :class:`Unavailable` if none."""
        interventions = self.data.dataset.interventions
        self.depend_on([], shared=(INTERVENTIONS,))
        if iv_id not in interventions:
            where = "in interventions.yaml"
            raise Unavailable(
                self.problem(unknown("intervention", iv_id, interventions, where=where))
            )
        return interventions[iv_id]

    def pick(
        self,
        what: str,
        trials: list[Trial],
        items: Callable[[Trial], Iterable[_Item]],
        wanted: list[str],
    ) -> list[tuple[Trial, _Item]]:
        """``(trial, item)`` for the items of the selected trials whose id is
        ``wanted`` (all if none is), in the trials' order; :class:`Unavailable` if a
        wanted id is in none of them (see :meth:`require_ids`)."""
        pairs = [(trial, item) for trial in trials for item in items(trial)]
        self.require_ids(what, wanted, (item.id for _, item in pairs))
        return [(trial, item) for trial, item in pairs if not wanted or item.id in wanted]

    def require_ids(self, what: str, wanted: Iterable[str], known: Iterable[str]) -> None:
        """:class:`Unavailable` if an id of ``wanted`` is not in ``known`` (what the
        selected trials hold): one located warning naming each missing id, with the
        nearest known one, as an unknown trial gets."""
        names = set(known)
        missing = [key for key in dict.fromkeys(wanted) if key not in names]
        if missing:
            where = "in the selected trials"
            message = "; ".join(
                f"no {what} {key!r} in the selection ({suggest(key, names, where=where)})"
                for key in missing
            )
            raise Unavailable(self.problem(message, Code.REFERENCE))

    def problem(self, message: str, code: Code | str = DIRECTIVE) -> list[nodes.Node]:
        """Warn, and leave a visible marker in the page instead of the content."""
        self.warn(message, code)
        marker = paragraph(f"[{self.name}: {message}]")
        marker["classes"].append("trialbook-problem")
        return [marker]
