"""The ``trial`` domain: trials, outcomes and sources as cross-reference targets.

Targets are registered by the directives that show them (``trial-summary`` for a
trial, ``outcome-table`` rows for outcomes, ``source-list`` entries for sources),
go to ``objects.inv`` (so other projects can link here with intersphinx), and are
filtered by document in ``clear_doc`` and ``merge_domaindata``, which keeps
incremental and parallel builds exact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.domains import Domain, ObjType
from sphinx.roles import XRefRole
from sphinx.util.nodes import make_refnode

from ..diagnostics import Code, unknown
from ..report import paths
from .dataset import state_of
from .render import CITES, LOCATOR, NUMBERED, Citing, show_number, verbatim
from .warnings import line_of, role_text, warn

if TYPE_CHECKING:
    from collections.abc import Iterable, Set

    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

    from .refresh import Block

#: (docname, anchor, display name)
Location = tuple[str, str, str]
#: How a page links a source: the reference's attributes, the citation, the number.
SourceLink = tuple[dict[str, Any], str | None, int | None]
KINDS = ("trial", "outcome", "source")


def anchor_of(kind: str, name: str) -> str:
    """The HTML id / LaTeX label of a target: ``trial-care-ms-ii``."""
    return f"{kind}-{name.replace('/', '-')}"


def object_anchor(kind: str, name: str) -> str:
    """The second id of a target, the one ``objects.inv`` and search point to.

    Sphinx's search index stores an anchor equal to ``<type>-<name>`` as ``-``,
    and searchtools.js rebuilds it from the *display* name ("trial-CARE-MS I"),
    which is no id. This form is never shortened, so search results land on the
    target; links within the handbook keep the readable :func:`anchor_of`.
    """
    return f"{kind}:{name}"


class TrialXRefRole(XRefRole):
    """A role whose default text is the target's display name, not its id.

    Registered both in the domain (``trial:trial``) and at top level (``trial``,
    ``outcome``, ``src``); either way the reference belongs to the domain. The
    link text is set like running text, not as code.
    """

    innernodeclass = nodes.inline

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        """Put a top-level role's reference into the ``trial`` domain."""
        written = role_text(self.name, self.text)  # to find its own line if it must warn
        if ":" not in self.name:
            self.name = f"trial:{self.name}"
        made, messages = super().run()
        for node in made:
            if isinstance(node, addnodes.pending_xref):
                node[WRITTEN] = written
                if not self.has_explicit_title:
                    verbatim(node)  # its text is a name from the data
        return made, messages

    def process_link(
        self,
        env: BuildEnvironment,
        refnode: nodes.Element,
        has_explicit_title: bool,
        title: str,
        target: str,
    ) -> tuple[str, str]:
        """Take the display text from the data (and depend on it)."""
        if not has_explicit_title:
            title = display_name(env, self.reftype, target) or title
            refnode[NUMBERED] = self.reftype in ("src", "source")
        return title, target


#: Attribute of a reference made by a role: the role as written (see :func:`_where`).
WRITTEN = "trialbook_written"


def _where(node: pending_xref) -> str | nodes.Node:
    """A reference's location: its role's own line where the role is known."""
    written = node.get(WRITTEN)
    if written and node.source and node.line:
        return line_of(node.source, node.line, written)
    return node


def display_name(env: BuildEnvironment, kind: str, target: str) -> str | None:
    """What a reference to ``target`` shows: the trial name, ``Trial: outcome``; the
    page is read again when that changes (see :func:`~trialbook.report.paths.shown`).

    A source shows its number, ``[n]``, which is filled in when the reference is
    resolved (the role marks it :data:`~.render.NUMBERED`).
    """
    kind = {"src": "source"}.get(kind, kind)
    if kind not in ("trial", "outcome"):
        return None
    state = state_of(env)
    state.depend_on_shown(env, f"name:{kind}:{target}")
    return paths.display_name(state.dataset, kind, target)


def refnode(
    builder: Builder,
    fromdocname: str,
    home: Location,
    contnode: nodes.Element,
    title: str | None = None,
) -> nodes.reference:
    """A reference to ``home`` that holds in every builder.

    The LaTeX builder resolves the whole book as its root document, so
    :func:`make_refnode` makes same-document ``refid`` links, which the writer then
    prefixes with the document each node came from: a link from a trial page to a
    source list on the root page pointed at an undefined label. Naming the target
    document (``%doc#id``) keeps the label right wherever the link stands.
    """
    node = make_refnode(builder, fromdocname, home[0], home[1], contnode, title)
    if builder.format == "latex" and "refid" in node:
        node["refuri"] = builder.get_relative_uri(fromdocname, home[0]) + "#" + node["refid"]
        del node["refid"]
    return node


class TrialDomain(Domain):
    """Trials, their outcomes, and the sources that report them."""

    name = "trial"
    label = "Clinical trial"
    object_types: ClassVar[dict[str, ObjType]] = {
        "trial": ObjType("trial", "trial"),
        "outcome": ObjType("outcome", "outcome"),
        "source": ObjType("source", "source", "src"),
    }
    roles: ClassVar[dict[str, Any]] = {
        "trial": TrialXRefRole(),
        "outcome": TrialXRefRole(),
        "source": TrialXRefRole(),  # the object type's name, as objects.inv lists it
        "src": TrialXRefRole(),  # the short name, kept
    }
    initial_data: ClassVar[dict[str, Any]] = {
        **{kind: {} for kind in KINDS},
        "citing": {},  # docname → the sources it cites with a numbered [n]
        "source_lists": {},  # docname → line of its source-list directive
        "numbering": {},  # source id → (number, citation) as last resolved
        "blocks": {},  # docname → its generated blocks (see .refresh)
    }
    data_version = 4

    def get_type_name(self, type: ObjType, primary: bool = False) -> str:
        """``trial``, ``outcome``, ``source``: Sphinx would prefix the domain's label,
        and search results would read "Clinical trial trial"."""
        return str(type.lname)

    def objects(self, kind: str) -> dict[str, list[Location]]:
        """Name → where it is defined (first place first)."""
        table: dict[str, list[Location]] = self.data.setdefault(kind, {})
        return table

    def note_object(self, kind: str, name: str, display: str, anchor: str) -> None:
        """Record that the current document defines ``name`` at ``anchor``."""
        places = self.objects(kind).setdefault(name, [])
        entry = (self.env.docname, anchor, display)
        if entry not in places:
            places.append(entry)

    def citing(self) -> dict[str, list[str]]:
        """Docname → the sources its ``[n]`` markers cite."""
        table: dict[str, list[str]] = self.data.setdefault("citing", {})
        return table

    def process_doc(self, env: BuildEnvironment, docname: str, document: nodes.document) -> None:
        """Note which sources the page cites, to rewrite it if their numbers move."""
        cited = set()
        for node in document.findall(lambda n: isinstance(n, Citing | addnodes.pending_xref)):
            if isinstance(node, Citing):
                if CITES in node:
                    cited.add(str(node[CITES]))
            elif (
                isinstance(node, addnodes.pending_xref)
                and node.get(NUMBERED)
                and node.get("refdomain") == "trial"
            ):
                cited.add(str(node["reftarget"]))
        if cited:
            self.citing()[docname] = sorted(cited)

    def blocks(self) -> dict[str, list[Block]]:
        """Docname → the blocks of generated content on it, in order."""
        table: dict[str, list[Block]] = self.data.setdefault("blocks", {})
        return table

    def source_lists(self) -> dict[str, int]:
        """Docname → the line of its ``source-list`` (one is the rule)."""
        table: dict[str, int] = self.data.setdefault("source_lists", {})
        return table

    def check_consistency(self) -> None:
        """One bibliography per project: warn at every ``source-list`` but the first."""
        lists = sorted(self.source_lists().items())
        for docname, line in lists[1:]:
            warn(
                f"a second source-list; a handbook has one, and every [n] marker links to "
                f"the one in {lists[0][0]!r}: remove this one",
                (docname, line),
            )

    def clear_doc(self, docname: str) -> None:
        """Forget what ``docname`` defined and cited."""
        self.citing().pop(docname, None)
        self.source_lists().pop(docname, None)
        self.blocks().pop(docname, None)
        for kind in KINDS:
            table = self.objects(kind)
            for name in list(table):
                table[name] = [loc for loc in table[name] if loc[0] != docname]
                if not table[name]:
                    del table[name]

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        """Take over what a parallel reader found in ``docnames``."""
        for docname, cited in otherdata.get("citing", {}).items():
            if docname in docnames:
                self.citing()[docname] = cited
        for docname, line in otherdata.get("source_lists", {}).items():
            if docname in docnames:
                self.source_lists()[docname] = line
        for docname, blocks in otherdata.get("blocks", {}).items():
            if docname in docnames:
                self.blocks()[docname] = blocks
        for kind in KINDS:
            table = self.objects(kind)
            for name, places in otherdata.get(kind, {}).items():
                new = [loc for loc in places if loc[0] in docnames]
                if new:
                    mine = table.setdefault(name, [])
                    mine += [loc for loc in new if loc not in mine]

    def _home(self, kind: str, name: str) -> Location | None:
        places = self.objects(kind).get(name)
        if not places:
            return None
        if kind == "outcome":
            trial_home = self._home("trial", name.split("/")[0])
            for place in places:
                if trial_home and place[0] == trial_home[0]:
                    return place
        return sorted(places)[0]

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> nodes.reference | None:
        """Resolve ``trial``, ``outcome`` and ``src`` references; warn on unknown ids."""
        kind = {"src": "source"}.get(typ, typ)
        if kind == "source":
            numbered = bool(node.get(NUMBERED))
            locator = node.get(LOCATOR)
            return self.source_reference(  # type: ignore[return-value]
                builder, fromdocname, target, locator, contnode, _where(node), numbered
            )
        home = self._home(kind, target)
        if home is None and kind in ("trial", "outcome"):
            failed = state_of(env).dataset.failed
            trial_id = target.split("/")[0]
            if trial_id in failed:
                message = state_of(env).failed_trial(trial_id)
                if message is not None:
                    warn(message, _where(node), Code.REFERENCE)
                contnode["classes"].append("trialbook-missing")
                return contnode  # type: ignore[return-value]
        if home is None:
            warn(unknown(kind, target, self.objects(kind)), _where(node), Code.REFERENCE)
            contnode["classes"].append("trialbook-missing")
            return contnode  # type: ignore[return-value]  # shown as plain text, warned once
        return refnode(builder, fromdocname, home, contnode)

    def source_reference(
        self,
        builder: Builder,
        fromdocname: str,
        source_id: str,
        locator: str | None,
        contnode: nodes.Element,
        where: str | nodes.Node,
        numbered: bool = True,
    ) -> nodes.Element:
        """A link to the source's entry in the source list, with the citation on hover;
        ``numbered``: ``contnode`` shows ``[n]``. An unknown source (or no source list)
        is warned about at ``where`` and shown as plain text."""
        link = self.source_link(builder, fromdocname, source_id, where)
        return link_node(link, contnode, locator, numbered)

    def source_link(
        self, builder: Builder, fromdocname: str, source_id: str, where: str | nodes.Node
    ) -> SourceLink | None:
        """Where a source's link points, its citation and its number; None (warned
        about) when it cannot link."""
        home = self._home("source", source_id)
        if home is None and not self.objects("source"):
            if not getattr(self, "_told_no_source_list", False):
                self._told_no_source_list = True
                warn(
                    "values cite sources, but no page has a source-list directive; "
                    "add ```{source-list}``` to a page so [n] markers can link to it",
                    where,
                    Code.REFERENCE,
                )
            return None
        if home is None:
            warn(unknown("source", source_id, self.objects("source")), where, Code.REFERENCE)
            return None
        state = state_of(self.env)
        source = state.dataset.sources.get(source_id)
        made = refnode(builder, fromdocname, home, nodes.inline())
        attributes = {
            k: v for k, v in made.attributes.items() if k in ("internal", "refid", "refuri")
        }
        return attributes, source.citation if source else None, state.source_numbers.get(source_id)

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        """``any`` role: whichever kind has ``target``."""
        out = []
        for kind in KINDS:
            home = self._home(kind, target)
            if home is not None:
                ref = refnode(builder, fromdocname, home, contnode)
                out.append((f"trial:{kind}", ref))
        return out

    def get_objects(self) -> Iterable[tuple[str, str, str, str, str, int]]:
        """Everything for ``objects.inv`` and search."""
        for kind in KINDS:
            for name in sorted(self.objects(kind)):
                home = self._home(kind, name)
                if home is not None:
                    yield name, home[2], kind, home[0], object_anchor(kind, name), 1


def link_node(
    link: SourceLink | None, contnode: nodes.Element, locator: str | None, numbered: bool = True
) -> nodes.Element:
    """``contnode`` linked to a source's entry (see :meth:`TrialDomain.source_link`),
    showing ``[n]`` if ``numbered``; marked missing, unlinked, if there is no link."""
    if link is None:
        contnode["classes"].append("trialbook-missing")
        return contnode
    attributes, citation, number = link
    if numbered and number is not None:
        show_number(contnode, number, locator)
    node = nodes.reference("", "", contnode, **attributes)
    if citation:
        node["reftitle"] = f"{citation.rstrip('.')}. {locator}." if locator else citation
    return node


def renumbered_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages to write again because a source they cite changed its number or citation.

    Their doctrees are unchanged (``[n]`` is filled in at resolve time), so they
    are written, not re-read (the ``env-updated`` contract).
    """
    domain = domain_of(env)
    dataset = state_of(env).dataset
    numbers = state_of(env).source_numbers
    now = {s: (numbers[s], dataset.sources[s].citation) for s in numbers}
    before = {s: tuple(v) for s, v in domain.data.get("numbering", {}).items()}
    domain.data["numbering"] = now
    moved = {s for s in now.keys() | before.keys() if now.get(s) != before.get(s)}
    if not moved or not before:
        return []
    return sorted(doc for doc, cited in domain.citing().items() if moved.intersection(cited))


def setup_domain(app: Sphinx) -> None:
    """Register the ``trial`` domain (roles ``trial``, ``outcome``, ``src``)."""
    app.add_domain(TrialDomain)
    app.connect("env-updated", renumbered_pages)
    for name in ("trial", "outcome", "src", "source"):
        app.add_role(name, TrialXRefRole())


def domain_of(env: BuildEnvironment) -> TrialDomain:
    """The build's trial domain."""
    domain = env.get_domain("trial")
    assert isinstance(domain, TrialDomain)
    return domain


def target_node(kind: str, name: str, display: str, env: BuildEnvironment) -> nodes.target:
    """A target for ``name`` here, registered with the domain."""
    anchor = anchor_of(kind, name)
    domain_of(env).note_object(kind, name, display, anchor)
    return anchor_target(anchor, object_anchor(kind, name))


def anchor_target(*ids: str) -> nodes.target:
    """A target other pages, the index or ``objects.inv`` link to.

    Marked referenced: else docutils notes "Hyperlink target … is not referenced"
    for each one a page holds (at INFO, never shown, but kept with the stored page;
    4,646 of them at 100 trials).
    """
    target = nodes.target("", "", ids=list(ids))
    target.referenced = True
    return target
