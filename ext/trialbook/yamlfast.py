"""A fast reader for the plain subset of YAML that hand-written data files use.

libyaml's composer builds a Python node object with two mark objects for every
scalar; for a 6 KB trial file that alone costs about a millisecond, the whole
budget of loading and checking a trial. Data files use a small, regular part of
YAML: block mappings and sequences, one-line flow collections, plain and quoted
one-line scalars, ``>``/``|`` block scalars, and comments. This module reads that
part directly, line by line, and gives the same data and the same positions as
:func:`trialbook.yamlread.compose_read`.

It is a *fast path*, never the judge: on anything outside the subset, and on
anything the full reader would report as an error, it gives up (returns
``None``) and the full reader takes over, so every error message, and every
unusual but valid construct, still comes from libyaml. A differential test feeds
both readers the data files and thousands of mutations of them and requires equal
results wherever the fast path answers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .diagnostics import FieldPath
from .scalars import INVALID, MAX_DEPTH, plain_key_ok, plain_value
from .sourcemap import Position, SourceMap

# Characters that libyaml treats specially or refuses (control characters, tabs,
# carriage returns, the Unicode line separators, a byte order mark) send the whole
# file to the full reader.
_UNSUPPORTED_CHARS = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-]*):(?: +|$)")
_ENTRY = re.compile(r"-(?: +|$)")
# "key: value" where the value is plain text without any character that could
# make it something else (a comment, a nested key, a flow collection, a quote...).
_SIMPLE = re.compile(
    r"([A-Za-z0-9_][A-Za-z0-9_.\-]*): +([^\s\-?:,\[\]{}#&*!|>'\"%@`][^#:\[\]{},]*)$"
)
# A plain scalar may not begin with an indicator. YAML lets "-", "?" and ":" begin
# one when a non-space follows; libyaml's rules for "?" and ":" differ in flow
# context, so only "-" (as in -1.5) is taken here.
_PLAIN_START_BAD = frozenset("#,[]{}&*!|>'\"%@`?:")
_BLOCK_HEADER = re.compile(r"([|>])(-?)(?: +#.*)?$")
_FLOW_END = re.compile(r"[,\]}]")


#: libyaml refuses an implicit key longer than 1024 characters; stay well below.
MAX_KEY = 1000
# In flow context libyaml refuses ":" before ",?[]{}" inside plain scalars; the
# fast path takes no ":" there at all.


class _GiveUp(Exception):
    """The text is outside the fast subset: let the full reader decide."""


class _Line:
    __slots__ = ("content", "indent", "number")

    def __init__(self, number: int, indent: int, content: str) -> None:
        self.number = number  # 1-based
        self.indent = indent
        self.content = content  # the line without its indentation


def _comment_or_end(rest: str) -> None:
    """What follows a value on its line must be nothing or a comment."""
    if rest and not (rest[0] == " " and rest.lstrip(" ")[0] == "#"):
        raise _GiveUp


class _Reader:
    def __init__(self, text: str, file: Path) -> None:
        self.file = file
        self.raw = text.split("\n")
        self.lines: list[_Line] = []
        #: 0-based indices and indentation of indented comment lines (see deeper_comment).
        self.comments: dict[int, int] = {}
        for number, raw in enumerate(self.raw, 1):
            content = raw.lstrip(" ")
            if not content:
                continue
            if content[0] == "#":
                if len(content) != len(raw):  # only indented comments can matter
                    self.comments[number - 1] = len(raw) - len(content)
            else:
                self.lines.append(_Line(number, len(raw) - len(content), content.rstrip(" ")))
        self.i = 0  # index of the next unread line in self.lines
        self.values: dict[FieldPath, Position] = {}
        self.keys: dict[FieldPath, Position] = {}

    # -- structure -------------------------------------------------------------------

    def document(self) -> Any:
        if not self.lines or self.lines[0].indent != 0:
            raise _GiveUp
        first = self.lines[0].content
        if first.startswith(("---", "...", "%")):
            raise _GiveUp
        data = self.block(0, ())
        if self.i != len(self.lines):
            raise _GiveUp  # something after the top-level node
        return data

    def block(self, indent: int, path: FieldPath) -> Any:
        """The block node whose first line is the next line, at ``indent``."""
        line = self.lines[self.i]
        if _ENTRY.match(line.content):
            return self.sequence(indent, path)
        return self.mapping(indent, 0, path)

    def mapping(self, indent: int, offset: int, path: FieldPath) -> dict[str, Any]:
        """A block mapping whose keys stand at column ``indent``.

        ``offset`` is where the first key starts within the next line's content
        (non-zero for a mapping that begins after a sequence entry's ``- ``).
        """
        if len(path) > MAX_DEPTH:
            raise _GiveUp
        lines = self.lines
        out: dict[str, Any] = {}
        line = lines[self.i]
        self.values[path] = (self.file, line.number, indent + 1)
        file = self.file
        while True:
            text = line.content[offset:] if offset else line.content
            simple = _SIMPLE.match(text)
            m = simple or _KEY.match(text)
            if m is None:
                raise _GiveUp
            key = m.group(1)
            if key in out or len(key) > MAX_KEY or not plain_key_ok(key):
                raise _GiveUp  # a duplicate, a key libyaml finds too long, or not a name
            child = (*path, key)
            self.keys[child] = (file, line.number, indent + 1)
            self.i += 1
            if simple is not None:
                # The common line, "key: plain words", without the general machinery.
                value = plain_value(simple.group(2))
                if value is INVALID or len(child) > MAX_DEPTH:
                    raise _GiveUp
                self.values[child] = (file, line.number, indent + 1 + simple.start(2))
                out[key] = value
                if self.comments:
                    self.deeper_comment(line.number, indent)
            else:
                rest = text[m.end() :]
                if rest and rest[0] != "#":
                    out[key] = self.inline(rest, line, indent + 1 + m.end(), child, indent)
                else:
                    out[key] = self.nested(indent, child)
            following = self.sibling(indent)
            if following is None:
                return out
            line, offset = following, 0

    def sibling(self, indent: int) -> _Line | None:
        """The next line if it continues the collection at ``indent``; None if it ends it."""
        if self.i == len(self.lines):
            return None
        line = self.lines[self.i]
        if line.indent < indent:
            return None
        if line.indent > indent:
            raise _GiveUp  # deeper than its collection: not in the subset
        return line

    def nested(self, indent: int, path: FieldPath) -> Any:
        """The value of a key whose line ends at the colon: a block below it."""
        if self.i == len(self.lines):
            raise _GiveUp  # an empty value (null): rare; the full reader knows its mark
        line = self.lines[self.i]
        if line.indent > indent:
            return self.block(line.indent, path)
        if line.indent == indent and _ENTRY.match(line.content):
            return self.sequence(indent, path)  # a sequence at its key's indentation
        raise _GiveUp

    def sequence(self, indent: int, path: FieldPath) -> list[Any]:
        if len(path) > MAX_DEPTH:
            raise _GiveUp
        lines = self.lines
        out: list[Any] = []
        line = lines[self.i]
        self.values[path] = (self.file, line.number, indent + 1)
        while True:
            m = _ENTRY.match(line.content)
            if m is None:
                return out  # a key at the same indentation: the enclosing mapping's
            child = (*path, len(out))
            rest = line.content[m.end() :]
            column = indent + m.end()  # 0-based column where the entry's value starts
            if not rest or rest[0] == "#":
                self.i += 1
                if self.i == len(lines) or lines[self.i].indent <= indent:
                    raise _GiveUp  # an empty entry (null)
                out.append(self.block(lines[self.i].indent, child))
            elif _KEY.match(rest):
                out.append(self.mapping(column, m.end(), child))
            elif _ENTRY.match(rest):
                raise _GiveUp  # "- - x": nested compact sequences
            else:
                self.i += 1
                out.append(self.inline(rest, line, column + 1, child, indent))
            following = self.sibling(indent)
            if following is None:
                return out
            line = following

    # -- values on one line ------------------------------------------------------------

    def inline(self, text: str, line: _Line, column: int, path: FieldPath, parent: int) -> Any:
        """A value that starts on ``line`` at 1-based ``column`` and ends on it.

        ``parent`` is the indentation of the collection holding the value: a
        following line indented deeper would continue the value, which the fast
        path does not follow.
        """
        if len(path) > MAX_DEPTH:
            raise _GiveUp
        head = text[0]
        if head in "|>":
            return self.block_scalar(text, line, column, path, parent)
        if head in "[{":
            value, end = self.flow(text, 0, line.number, column, path)
            _comment_or_end(text[end:])
        else:
            self.values[path] = (self.file, line.number, column)
            value, end = self.scalar(text, 0, flow=False)
            _comment_or_end(text[end:])
        if self.i < len(self.lines) and self.lines[self.i].indent > parent:
            raise _GiveUp
        if self.comments:
            self.deeper_comment(line.number, parent)
        return value

    def deeper_comment(self, after: int, parent: int) -> None:
        """Give up on a comment line indented deeper than its collection, after a value.

        libyaml's reading of it depends on the value before it; the subset stays simple.
        """
        for number in range(after, self.next_number()):
            if self.comments.get(number, -1) > parent:
                raise _GiveUp

    def next_number(self) -> int:
        """0-based raw index of the next significant line (or the end)."""
        return self.lines[self.i].number - 1 if self.i < len(self.lines) else len(self.raw)

    def scalar(self, text: str, start: int, *, flow: bool) -> tuple[Any, int]:
        """A quoted or plain scalar at ``text[start]``: its value and where it ends."""
        head = text[start]
        if head == '"':
            end = text.find('"', start + 1)
            if end < 0:
                raise _GiveUp  # runs over lines
            body = text[start + 1 : end]
            if "\\" in body:
                raise _GiveUp  # escapes: the full reader decodes them
            return body, end + 1
        if head == "'":
            pos = start + 1
            parts = []
            while True:
                end = text.find("'", pos)
                if end < 0:
                    raise _GiveUp
                parts.append(text[pos:end])
                if text.startswith("'", end + 1):
                    parts.append("'")
                    pos = end + 2
                    continue
                return "".join(parts), end + 1
        if head in _PLAIN_START_BAD or (
            head == "-" and (start + 1 == len(text) or text[start + 1] == " ")
        ):
            raise _GiveUp
        if flow:
            m = _FLOW_END.search(text, start)
            end = m.start() if m else len(text)
        else:
            end = len(text)
        body = text[start:end]
        hash_at = body.find(" #")
        if hash_at >= 0:
            body = body[:hash_at]
            end = start + hash_at
        body = body.rstrip(" ")
        if (
            ": " in body
            or body.endswith(":")
            or (flow and (":" in body or "[" in body or "{" in body))
        ):
            raise _GiveUp
        value = plain_value(body)
        if value is INVALID:
            raise _GiveUp
        return value, start + len(body)

    def flow(
        self, text: str, start: int, number: int, column: int, path: FieldPath
    ) -> tuple[Any, int]:
        """A flow collection at ``text[start]`` that closes on the same line."""
        if len(path) > MAX_DEPTH:
            raise _GiveUp
        self.values[path] = (self.file, number, column + start)
        mapping = text[start] == "{"
        close = "}" if mapping else "]"
        out_map: dict[str, Any] = {}
        out_list: list[Any] = []
        pos = _skip(text, start + 1)
        if text.startswith(close, pos):
            return (out_map if mapping else out_list), pos + 1
        while True:
            if mapping:
                m = _KEY.match(text, pos)
                if m is None or m.end() == len(text):
                    raise _GiveUp
                key = m.group(1)
                if key in out_map or len(key) > MAX_KEY or not plain_key_ok(key):
                    raise _GiveUp
                child: FieldPath = (*path, key)
                self.keys[child] = (self.file, number, column + pos)
                pos = m.end()
            else:
                child = (*path, len(out_list))
            if pos >= len(text):
                raise _GiveUp
            if text[pos] in "[{":
                value, pos = self.flow(text, pos, number, column, child)
            else:
                if len(child) > MAX_DEPTH:
                    raise _GiveUp
                self.values[child] = (self.file, number, column + pos)
                value, pos = self.scalar(text, pos, flow=True)
            if mapping:
                out_map[key] = value
            else:
                out_list.append(value)
            pos = _skip(text, pos)
            if pos >= len(text):
                raise _GiveUp
            if text[pos] == close:
                return (out_map if mapping else out_list), pos + 1
            if text[pos] != ",":
                raise _GiveUp
            pos = _skip(text, pos + 1)
            if pos >= len(text) or text[pos] in ",]}":
                raise _GiveUp  # an empty entry or a trailing comma

    def block_scalar(
        self, text: str, line: _Line, column: int, path: FieldPath, parent: int
    ) -> str:
        """A ``>`` (folded) or ``|`` (literal) scalar, clipped or stripped (``-``)."""
        m = _BLOCK_HEADER.match(text)
        if m is None:
            raise _GiveUp  # indentation indicators, "+" chomping
        self.values[path] = (self.file, line.number, column)
        folded, strip = m.group(1) == ">", m.group(2) == "-"
        raw = self.raw
        index = line.number  # 0-based index of the line after the header
        body: list[str] = []
        indent = -1
        while index < len(raw):
            text_line = raw[index]
            content = text_line.lstrip(" ")
            depth = len(text_line) - len(content)
            if not content:
                if indent >= 0 and len(text_line) > indent:
                    raise _GiveUp  # spaces beyond the indentation are content
                if indent < 0 and text_line:
                    raise _GiveUp
                body.append("")
                index += 1
                continue
            if indent < 0:
                if depth <= parent or body:
                    raise _GiveUp  # empty block scalar, or leading blank lines
                indent = depth
            elif depth < indent:
                break
            elif depth > indent:
                raise _GiveUp  # more-indented lines keep their breaks in folding
            body.append(content)
            index += 1
        if indent < 0 or (index == len(raw) and raw[-1]):
            raise _GiveUp  # no content, or the file ends without a line break
        if index < len(raw):
            nxt = raw[index].lstrip(" ")
            if nxt.startswith("#") and len(raw[index]) - len(nxt) > parent:
                raise _GiveUp
        while body and body[-1] == "":
            body.pop()
        # Skip the lines the scalar used.
        while self.i < len(self.lines) and self.lines[self.i].number <= index:
            self.i += 1
        value = _fold(body) if folded else "\n".join(body)
        return value if strip else value + "\n"


def _fold(lines: list[str]) -> str:
    out: list[str] = []
    blank = 0
    for i, text in enumerate(lines):
        if not text:
            blank += 1
            continue
        if i:
            out.append("\n" * blank if blank else " ")
        blank = 0
        out.append(text)
    return "".join(out)


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


def fast_read(text: str, file: Path) -> tuple[Any, SourceMap] | None:
    """The data and positions of ``text``, or ``None`` when the full reader must decide."""
    if _UNSUPPORTED_CHARS.search(text):
        return None
    reader = _Reader(text, file)
    try:
        data = reader.document()
    except (_GiveUp, IndexError):
        return None
    smap = SourceMap(file)
    smap.values = reader.values
    smap.keys = reader.keys
    return data, smap
