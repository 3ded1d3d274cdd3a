"""Reading a policy file safely: YAML, JSON or TOML into plain data, refusing what is hostile.

A policy file is configuration, and configuration gets copied, generated and attacked. Reading
one here is bounded whatever it holds:

* nesting deeper than ``MAX_DEPTH`` levels is a ``PolicyError`` (the parsers would otherwise
  end in ``RecursionError``), in every format and for mappings passed to ``load_policy``;
* a document of more than ``MAX_NODES`` values *after YAML aliases are expanded* is a
  ``PolicyError``: a 1 KB tree of aliases ("billion laughs") expands to billions of values,
  and aliases that refer to themselves are refused;
* a key given twice in one mapping (YAML or JSON) is a problem naming the key and where it is:
  the last one silently winning could widen a purpose (TOML parsers refuse them already).

For YAML, every value's line is kept, so that each problem names its line beside its dotted
location. Helpers here also show names and values in messages: control characters escaped,
long text cut, containers described by their type, never printed whole.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gdprkit._errors import PolicyError, PolicyProblem

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_PROBLEMS",
    "Document",
    "check_tree",
    "did_you_mean",
    "location",
    "read_document",
    "refused",
    "segment",
    "shown",
    "source_name",
]

MAX_DEPTH: Final = 32
"""Nesting levels a policy may use; the deepest key of the format is 6 levels down."""

MAX_NODES: Final = 50_000
"""Values (mappings, lists, scalars, keys) a policy may hold once YAML aliases are expanded."""

MAX_PROBLEMS: Final = 200
"""Problems listed in one ``PolicyError``; the rest are counted."""

_SHOWN_MAX: Final = 60
_CLOSE: Final = 0.7  # difflib similarity for "did you mean": seen -> seen_at, not because -> basis
_TOML_AT: Final = re.compile(r"\(at line (\d+), column (\d+)\)")


def shown(value: object) -> str:
    """``value`` as a message may show it: short text quoted with control characters escaped,
    long text cut (with its length), anything else only its type (``a list of 3``).

    Policy values are not personal data, but a policy can be hostile: a value must never
    print a megabyte, nor move a terminal's cursor.
    """
    if isinstance(value, str):
        text = str.__str__(value)
        if len(text) <= _SHOWN_MAX:
            return repr(text)
        return f"{text[:_SHOWN_MAX]!r}... ({len(text)} characters)"
    if value is None or isinstance(value, bool | int | float):
        text = repr(value)
        return text if len(text) <= _SHOWN_MAX else f"a number of {len(text)} digits"
    if isinstance(value, Mapping):
        return f"a mapping of {len(value)}"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}"
    return f"a value of type {type(value).__name__[:40]}"


_SEGMENT_MAX: Final = 64


def did_you_mean(word: object, choices: Iterable[object]) -> str:
    """``"; did you mean 'retention'?"`` when ``word`` is close to one of ``choices``, else
    ``""``. Only a known choice is ever shown, never the word itself."""
    if not isinstance(word, str) or not word or len(word) > _SHOWN_MAX:
        return ""
    names = [c for c in choices if isinstance(c, str)]
    close = difflib.get_close_matches(word, names, n=1, cutoff=_CLOSE)
    if not close:
        folded = {name.casefold(): name for name in names}
        close = [folded[k] for k in difflib.get_close_matches(word.casefold(), folded, 1, _CLOSE)]
    if not close or close[0] == word:
        return ""
    return f"; did you mean {shown(close[0])}?"


def segment(name: object) -> str:
    """A name as one segment of a dotted location: as written when it is plain (letters and
    digits of any script, ``_ . -``), else quoted as :func:`shown` quotes it (control
    characters escaped)."""
    if isinstance(name, int) and not isinstance(name, bool):
        return str(name)
    if (
        isinstance(name, str)
        and 0 < len(name) <= _SEGMENT_MAX
        and all(ch.isalnum() or ch in "_.-" for ch in name)
    ):
        return name  # letters of any script (età, città), but no space, control or format
    return shown(name)


def location(parts: Iterable[object]) -> str:
    """A dotted location (``purposes.profiling.retention.0.period``) from its parts."""
    return ".".join(segment(part) for part in parts)


@dataclass
class Document:
    """A policy file read into plain data, with what reading it found."""

    data: object
    lines: dict[str, int] = field(default_factory=dict)
    """1-based line of each dotted location (YAML only)."""
    problems: list[PolicyProblem] = field(default_factory=list)
    """Keys given twice."""

    def line_of(self, where: str) -> int | None:
        """The line of ``where`` or of the nearest enclosing location that has one."""
        while True:
            line = self.lines.get(where)
            if line is not None or not where:
                return line
            where = where.rpartition(".")[0]


class _Refused(Exception):  # noqa: N818 - internal signal, always turned into a PolicyError
    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.problem = PolicyProblem(where, message)


_TOO_DEEP: Final = f"nested deeper than {MAX_DEPTH} levels: not a policy"
_TOO_BIG: Final = f"more than {MAX_NODES} values (YAML aliases counted as expanded): not a policy"
_SELF_ALIAS: Final = "an alias that refers to itself: not a policy"


# --------------------------------------------------------------------------------------------
# YAML


class PolicyYamlLoader(yaml.SafeLoader):
    """A SafeLoader with YAML 1.2 booleans only (``NO`` for Norway and ``on``/``off`` stay
    text) that refuses nesting deeper than ``MAX_DEPTH`` while it composes."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _Refused(f"line {mark.line + 1}", _TOO_DEEP)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


PolicyYamlLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
PolicyYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)

_MERGE_TAG: Final = "tag:yaml.org,2002:merge"


def _measure(root: Node) -> None:
    """Refuse a node graph too deep or too big once its aliases are expanded, or cyclic.

    Each node is measured once (its expanded size and height are remembered), so a bomb of a
    few dozen aliases costs a few dozen steps, not the billions of values it stands for.
    """
    measured: dict[int, tuple[int, int] | None] = {}

    def measure(node: Node, depth: int) -> tuple[int, int]:
        if depth > MAX_DEPTH:  # before going down: a chain of aliases is deep without nesting
            raise _Refused(f"line {node.start_mark.line + 1}", _TOO_DEEP)
        key = id(node)
        if key in measured:
            known = measured[key]
            if known is None:
                raise _Refused(f"line {node.start_mark.line + 1}", _SELF_ALIAS)
            size, height = known
        else:
            measured[key] = None
            size, height = 1, 0
            children: list[Node] = []
            if isinstance(node, SequenceNode):
                children = list(node.value)
            elif isinstance(node, MappingNode):
                children = [part for pair in node.value for part in pair]
            for child in children:
                child_size, child_height = measure(child, depth + 1)
                size += child_size
                height = max(height, child_height + 1)
                if size > MAX_NODES:
                    raise _Refused(f"line {node.start_mark.line + 1}", _TOO_BIG)
            measured[key] = (size, height)
        if depth + height > MAX_DEPTH:
            raise _Refused(f"line {node.start_mark.line + 1}", _TOO_DEEP)
        return size, height

    measure(root, 0)


def _key_text(node: Node) -> object:
    if isinstance(node, ScalarNode):
        return node.value
    return f"<{type(node).__name__}>"


def _index(node: Node, path: str, document: Document) -> None:
    """Record the line of every location below ``node``, and the keys given twice."""
    stack: list[tuple[Node, str]] = [(node, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, MappingNode):
            seen: dict[tuple[str, object], int] = {}
            for key, value in current.value:
                line = key.start_mark.line + 1
                if key.tag == _MERGE_TAG:
                    stack.append((value, where))
                    continue
                name = _key_text(key)
                inner = f"{where}.{segment(name)}" if where else segment(name)
                identity = (key.tag, name)
                if identity in seen:
                    document.problems.append(
                        PolicyProblem(
                            inner,
                            f"line {line}: key {shown(name)} given twice in one mapping (first"
                            f" at line {seen[identity]}): the last one would silently win",
                        )
                    )
                else:
                    seen[identity] = line
                    document.lines.setdefault(inner, line)
                stack.append((value, inner))
        elif isinstance(current, SequenceNode):
            for i, item in enumerate(current.value):
                inner = f"{where}.{i}" if where else str(i)
                document.lines.setdefault(inner, item.start_mark.line + 1)
                stack.append((item, inner))


def _read_yaml(text: str) -> Document:
    loader = PolicyYamlLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:  # an empty file: its problem stands on line 1
            return Document(None, lines={"": 1})
        _measure(root)
        document = Document(None)
        document.lines[""] = root.start_mark.line + 1  # what is missing at the top level
        _index(root, "", document)
        document.data = loader.construct_document(root)
        return document
    finally:
        loader.dispose()


# --------------------------------------------------------------------------------------------
# JSON and TOML, and mappings passed in


class _Pairs(dict[str, Any]):
    """A JSON object that had a key twice (the keys are remembered, in order)."""

    twice: list[str]


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    twice: list[str] = []
    for key, value in pairs:
        if key in result:
            twice.append(key)
        result[key] = value
    if not twice:
        return result
    marked = _Pairs(result)
    marked.twice = twice
    return marked


def check_tree(data: object, document: Document | None = None) -> Document:
    """Refuse ``data`` nested deeper than ``MAX_DEPTH`` or holding more than ``MAX_NODES``
    values (a mapping that contains itself is infinitely deep); collect JSON keys given twice.
    Iterative: a hostile depth cannot exhaust the stack here."""
    document = document if document is not None else Document(data)
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    count = 0
    while stack:
        value, where, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise _Refused(where, _TOO_BIG)
        if depth > MAX_DEPTH:
            raise _Refused(where, _TOO_DEEP)
        if isinstance(value, Mapping):
            if isinstance(value, _Pairs):
                for key in value.twice:
                    inner = f"{where}.{segment(key)}" if where else segment(key)
                    document.problems.append(
                        PolicyProblem(
                            inner,
                            f"key {shown(key)} given twice in one mapping: the last one would"
                            " silently win",
                        )
                    )
            for key, item in value.items():
                stack.append(
                    (item, f"{where}.{segment(key)}" if where else segment(key), depth + 1)
                )
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                stack.append((item, f"{where}.{i}" if where else str(i), depth + 1))
    return document


def refused(data: object, source: str | None) -> PolicyError | None:
    """The ``PolicyError`` for a mapping passed to ``load_policy`` too deep or too big."""
    try:
        check_tree(data)
    except _Refused as exc:
        return PolicyError([exc.problem], source)
    return None


# --------------------------------------------------------------------------------------------
# Files


def source_name(path: Path) -> str:
    """How a message names the policy file: its path, escaped when not printable."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def _syntax_error(path: Path, exc: Exception) -> PolicyError:
    mark = getattr(exc, "problem_mark", None)
    at = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    lineno = getattr(exc, "lineno", None)
    if lineno is not None:
        at = f"line {lineno}"
    if isinstance(exc, tomllib.TOMLDecodeError) and lineno is None:
        found = _TOML_AT.search(str(exc))
        at = f"line {found.group(1)}" if found else ""
    message = f"not a valid {path.suffix.lstrip('.')} document"
    if isinstance(exc, tomllib.TOMLDecodeError) and "overwrite" in str(exc):
        message += ": a key given twice (the last one would silently win)"
    return PolicyError([PolicyProblem(at, message)], source=source_name(path))


def read_document(path: Path) -> Document:
    """Read the policy file at ``path`` (by suffix) into a :class:`Document`.

    Raises ``PolicyError`` for an unknown suffix, a missing or unreadable file, a syntax error
    (with its line), and a document too deep or too big.
    """
    where = source_name(path)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json", ".toml"):
        raise PolicyError(
            [
                PolicyProblem(
                    "", f"unknown policy file type {shown(suffix)} (use .yaml, .json or .toml)"
                )
            ],
            source=where,
        )
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise PolicyError([PolicyProblem("", "file not found")], source=where) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(
            [PolicyProblem("", f"cannot read the file ({type(exc).__name__})")], source=where
        ) from None
    try:
        if suffix in (".yaml", ".yml"):
            return _read_yaml(text)
        if suffix == ".json":
            data: object = json.loads(text, object_pairs_hook=_json_object)
        else:
            data = tomllib.loads(text)
        return check_tree(data)
    except _Refused as exc:
        raise PolicyError([exc.problem], source=where) from None
    except RecursionError:  # the JSON and TOML parsers recurse per level
        raise PolicyError([PolicyProblem("", _TOO_DEEP)], source=where) from None
    except (yaml.YAMLError, json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _syntax_error(path, exc) from None
