"""Bounded reading of small structured files (YAML or JSON), such as what-if scenario files.

A scenario file is typed by a person or made by a script, and read by every command that takes
one. :func:`read_structured` reads it as data only, within :class:`ReadLimits`, so that no file,
however hostile, ends in a traceback, exhausts memory or runs for minutes:

- **safe**: YAML is read with PyYAML's safe constructors (``!!python/...`` tags are refused); JSON
  with the standard library;
- **file size** (``max_bytes``) checked before the file is read;
- **nesting depth** (``max_depth``) checked while the document is read, before any recursion
  could overflow the stack;
- **collection length** (``max_items``): entries of one list or mapping;
- **values in all** (``max_values``), each YAML alias counted as the values it repeats, so that an
  alias bomb ("billion laughs") is refused after a few thousand steps, not expanded;
- **duplicate keys** are refused, naming the key and both lines (PyYAML and ``json`` keep the last
  one silently);
- **aliases** (``*name``) may be refused altogether (``aliases=False``), for a kind of file that has
  no use for them;
- **text**: UTF-8 (a byte-order mark is accepted); a string holding a control character (an escape
  sequence, a NUL) is refused at its line.

Every refusal is a :class:`StructuredFileError` (a :class:`~wwc_analysis.errors.UserError`, exit 2,
and a ``ValueError``) whose message names the file, the line when there is one, and which limit to
raise if the file is genuine (``ReadLimits.options`` holds the command-line option that raises each
limit, when a command offers one).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from wwc_analysis.errors import CONTROL_CHARACTERS, UserError

__all__ = ["ReadLimits", "StructuredFileError", "parse_structured", "read_structured"]

#: The limits' names, in the order they are documented, with what each counts.
LIMIT_WORDS = {
    "max_bytes": "bytes in the file",
    "max_depth": "levels of nesting",
    "max_items": "entries in one list or mapping",
    "max_values": "values in all (each alias counted as the values it repeats)",
}


@dataclass(frozen=True)
class ReadLimits:
    """How much a structured file may hold. The defaults are far above any scenario file written
    by hand (a few kilobytes, four levels of nesting) and far below what would strain the machine.

    ``options`` maps a limit's name (``"max_bytes"``...) to the command-line option that raises it,
    for the messages; a limit without one is named as the ``ReadLimits`` field to set.
    """

    max_bytes: int = 1 << 20
    max_depth: int = 32
    max_items: int = 100_000
    max_values: int = 1_000_000
    options: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        for name in LIMIT_WORDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"ReadLimits.{name} must be a whole number >= 1, got {value!r}")

    def exceeded(self, name: str) -> str:
        """The end of a message about limit ``name``: its value and how to raise it (the option
        in ``options``; the field to set when ``options`` is empty; nothing when a command gives
        options but none for this limit)."""
        limit = f"the limit is {getattr(self, name):,} {LIMIT_WORDS[name]}"
        how = self.options.get(name) or ("" if self.options else f"ReadLimits({name}=...)")
        return f"{limit}; if the file is genuine, raise it with {how}" if how else limit


class StructuredFileError(UserError, ValueError):
    """A structured file that cannot be read within its limits, or is not valid YAML/JSON; the
    message names the file (and ``line``, 1-based, when the problem has one)."""

    def __init__(self, file: str, message: str, line: int | None = None):
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {message}", 2)
        self.file, self.line = file, line


def read_structured(
    path: str | Path,
    limits: ReadLimits | None = None,
    *,
    what: str = "file",
    aliases: bool = True,
) -> object:
    """The data of the YAML or JSON file ``path`` (JSON when its suffix is ``.json``), read within
    ``limits`` (default :class:`ReadLimits`). ``what`` names the file in messages ("scenario
    file"); ``aliases`` false refuses every YAML alias (``*name``). Raises
    :class:`StructuredFileError` for any file that cannot be read as data."""
    limits = limits or ReadLimits()
    p = Path(path)
    name = str(p)
    try:
        size = p.stat().st_size
        if size > limits.max_bytes:
            raise StructuredFileError(
                name, f"the {what} is {size:,} bytes; {limits.exceeded('max_bytes')}"
            )
        with p.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise StructuredFileError(name, f"cannot read {what}: {exc.strerror or exc}") from None
    if len(data) > limits.max_bytes:  # it grew while being read (or is not a regular file)
        raise StructuredFileError(name, f"the {what} is too large; {limits.exceeded('max_bytes')}")
    json_format = p.suffix.lower() == ".json"
    return parse_structured(data, name, limits, json_format=json_format, what=what, aliases=aliases)


def parse_structured(
    data: bytes | str,
    name: str,
    limits: ReadLimits | None = None,
    *,
    json_format: bool = False,
    what: str = "file",
    aliases: bool = True,
) -> object:
    """The data of YAML (or JSON) text, ``name`` naming it in messages; see
    :func:`read_structured`."""
    limits = limits or ReadLimits()
    text = _decode(data, name, what) if isinstance(data, bytes) else data
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        raise StructuredFileError(name, f"the {what} is too large; {limits.exceeded('max_bytes')}")
    if json_format:
        return _parse_json(text, name, limits, what)
    return _parse_yaml(text, name, limits, what, aliases)


def _decode(data: bytes, name: str, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise StructuredFileError(
            name,
            f"the {what} is not UTF-8 text: byte 0x{bad} (byte {column} of the line) is not "
            "valid UTF-8; save the file as UTF-8",
            line,
        ) from None


def _control(text: str) -> str | None:
    """The first control character of ``text``, escaped, or ``None``; tabs and line breaks are
    text."""
    for match in CONTROL_CHARACTERS.finditer(text):
        if match.group() not in "\t\r\n":
            return repr(match.group())[1:-1]
    return None


def _control_error(name: str, line: int, text: str, char: str, key: bool) -> StructuredFileError:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return StructuredFileError(
        name,
        f"the {'key' if key else 'string'} {shown!r} holds the control character {char}; "
        "control characters (escape sequences, NUL...) are not accepted in text",
        line,
    )


# --- YAML -------------------------------------------------------------------------------------


def _safe_loader_base() -> type:
    """PyYAML's safe loader with its composer in Python (so that it can be bounded) and, when
    PyYAML has libyaml, the C parser underneath (five times faster; it also stops at 1,000 levels
    of nesting)."""
    if not getattr(yaml, "__with_libyaml__", False):
        return yaml.SafeLoader
    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.cyaml import CParser
    from yaml.resolver import Resolver

    class CComposedSafeLoader(CParser, Composer, SafeConstructor, Resolver):
        def __init__(self, stream):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        check_node = Composer.check_node
        get_node = Composer.get_node
        get_single_node = Composer.get_single_node
        compose_document = Composer.compose_document
        compose_node = Composer.compose_node

    return CComposedSafeLoader


#: The deepest nesting libyaml reads (it stops there whatever the limits say).
_LIBYAML_DEPTH = 1000


class _BoundedLoader(_safe_loader_base()):
    """The safe loader, counting while it composes: depth, entries of each collection, values in
    all with aliases expanded; refusing duplicate keys and control characters as it
    constructs."""

    def __init__(
        self, text: str, name: str, limits: ReadLimits, what: str = "file", aliases: bool = True
    ):
        super().__init__(text)
        self.file, self.limits, self.what, self.aliases = name, limits, what, aliases
        self.depth = 0
        self.values = 0
        self.sizes: dict[int, int] = {}  # id(node) -> values it holds, aliases expanded

    def fail(self, message: str, mark) -> StructuredFileError:
        return StructuredFileError(self.file, message, None if mark is None else mark.line + 1)

    def compose_node(self, parent, index):
        mark = self.peek_event().start_mark
        entry = isinstance(parent, yaml.SequenceNode) or (index is None and parent is not None)
        if entry and len(parent.value) >= self.limits.max_items:
            what = "list" if isinstance(parent, yaml.SequenceNode) else "mapping"
            message = f"a {what} with too many entries; {self._limit('max_items')}"
            raise self.fail(message, mark)
        if self.check_event(yaml.AliasEvent):
            if not self.aliases:
                raise self.fail(f"aliases (*name) are not allowed in a {self.what}", mark)
            node = super().compose_node(parent, index)
            if id(node) not in self.sizes:
                raise self.fail("an alias inside the value it refers to (a loop)", mark)
            self._add(self.sizes[id(node)], mark, alias=True)
            return node
        if self.depth >= self.limits.max_depth:
            raise self.fail(f"nested too deeply; {self._limit('max_depth')}", mark)
        self.depth += 1
        self._add(1, mark)
        node = super().compose_node(parent, index)
        self.depth -= 1
        self.sizes[id(node)] = 1 + sum(self.sizes.get(id(child), 1) for child in _children(node))
        return node

    def _add(self, count: int, mark, alias: bool = False) -> None:
        self.values += count
        if self.values > self.limits.max_values:
            what = "its aliases expand to too many values" if alias else "too many values"
            raise self.fail(f"{what}; {self._limit('max_values')}", mark)

    def _limit(self, name: str) -> str:
        return self.limits.exceeded(name)

    def construct_mapping(self, node, deep=False):
        first: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                if key in first:
                    raise _duplicate_error(self.file, key, first[key], line)
                first[key] = line
            except TypeError:
                break  # an unhashable key: the constructor says so
        return super().construct_mapping(node, deep=deep)

    def construct_scalar(self, node):
        value = super().construct_scalar(node)
        char = _control(value) if isinstance(value, str) else None
        if char is not None:
            raise _control_error(self.file, node.start_mark.line + 1, value, char, False)
        return value


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _parse_yaml(
    text: str, name: str, limits: ReadLimits, what: str = "file", aliases: bool = True
) -> object:
    loader = _BoundedLoader(text, name, limits, what, aliases)
    try:
        return loader.get_single_data()
    except StructuredFileError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        if "maximum nesting depth" in problem and limits.max_depth < _LIBYAML_DEPTH:
            problem = f"nested too deeply; {limits.exceeded('max_depth')}"
        else:
            problem = f"the {what} is not valid YAML: {problem}"
        raise loader.fail(problem, mark) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = repr(chr(exc.character))[1:-1] if isinstance(exc.character, int) else "?"
        raise StructuredFileError(
            name, f"the {what} is not valid YAML: the character {char} is not allowed", line
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        raise StructuredFileError(name, f"the {what} is not valid YAML: {_plain(exc)}") from None
    finally:
        loader.dispose()


# --- JSON -------------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|([\[\]{}:,])|([^\s\[\]{}:,"]+))', re.S)


@dataclass
class _Frame:
    """One open JSON object or array while scanning."""

    kind: str  # "{" or "["
    items: int = 0
    keys: dict = field(default_factory=dict)
    want_key: bool = True


def _parse_json(text: str, name: str, limits: ReadLimits, what: str = "file") -> object:
    _scan_json(text, name, limits)  # limits, duplicate keys, control characters; no recursion
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StructuredFileError(
            name, f"the {what} is not valid JSON: {exc.msg}", exc.lineno
        ) from None
    except (ValueError, RecursionError) as exc:
        raise StructuredFileError(name, f"the {what} is not valid JSON: {_plain(exc)}") from None


def _plain(exc: BaseException) -> str:
    """The reason a value could not be built, without Python's advice to programmers."""
    if "integer string conversion" in str(exc):
        return "a number with more digits than can be read (over 4,300)"
    return str(exc)


def _scan_json(text: str, name: str, limits: ReadLimits) -> None:
    """Walk the tokens of ``text`` once, with an explicit stack, and refuse what exceeds
    ``limits``, a key given twice or a string with a control character. Stops quietly at the
    first token that is not JSON: :func:`json.loads` then says what is wrong."""
    stack: list[_Frame] = []
    values = pos = counted = 0
    line = 1
    while pos < len(text):
        match = _JSON_TOKEN.match(text, pos)
        if match is None or match.lastindex is None:
            return
        start = match.start(match.lastindex)
        line += text.count("\n", counted, start)
        counted, pos = start, match.end()
        string, sign = match.group(1), match.group(2)
        top = stack[-1] if stack else None
        if sign in ("}", "]", ":", ","):
            if sign in ("}", "]") and not stack:
                return
            _punctuation(sign, stack)
            continue
        is_key = top is not None and top.kind == "{" and top.want_key
        if string is not None:
            _check_json_string(string, name, line, top if is_key else None)
        if is_key:
            _count(top, name, line, limits)  # a key: its value is counted as a value
            continue
        values += 1
        if values > limits.max_values:
            raise StructuredFileError(
                name, f"too many values; {limits.exceeded('max_values')}", line
            )
        if top is not None and top.kind == "[":
            _count(top, name, line, limits)
        if sign in ("{", "["):
            if len(stack) >= limits.max_depth:
                raise StructuredFileError(
                    name, f"nested too deeply; {limits.exceeded('max_depth')}", line
                )
            stack.append(_Frame(sign))


def _punctuation(sign: str, stack: list[_Frame]) -> None:
    """Close a container, or note whether a key or a value comes next."""
    if sign in ("}", "]"):
        stack.pop()
    elif stack and sign == ":":
        stack[-1].want_key = False
    elif stack and sign == "," and stack[-1].kind == "{":
        stack[-1].want_key = True


def _count(frame: _Frame, name: str, line: int, limits: ReadLimits) -> None:
    frame.items += 1
    if frame.items > limits.max_items:
        what = "mapping" if frame.kind == "{" else "list"
        raise StructuredFileError(
            name, f"a {what} with too many entries; {limits.exceeded('max_items')}", line
        )


def _check_json_string(token: str, name: str, line: int, mapping: _Frame | None) -> None:
    """A string token: no control character; as a key of ``mapping``, not given before."""
    try:
        value = json.loads(token)
    except ValueError:
        return  # json.loads of the whole text reports it
    char = _control(value)
    if char is not None:
        raise _control_error(name, line, value, char, mapping is not None)
    if mapping is not None:
        if value in mapping.keys:
            raise _duplicate_error(name, value, mapping.keys[value], line)
        mapping.keys[value] = line


def _duplicate_error(name: str, key: object, first: int, line: int) -> StructuredFileError:
    return StructuredFileError(
        name,
        f"key {key!r} is given twice (lines {first} and {line}); a key may appear once in a "
        "mapping: keep the one you mean",
        line,
    )
