"""Markdown files with YAML (``---``) or TOML (``+++``) front matter, read safely
and with line numbers.

YAML is composed with ``yaml.BaseLoader`` semantics and turned into plain
Python by hand, so that:

* every scalar stays the string the author wrote (``no``, ``1.10``, ``10:00``
  and ``2026-02-30`` are not reinterpreted) and each field is converted and
  checked on its own by :func:`validate_meta`, with the key's line;
* tags never construct anything (``!!python/object`` is refused, not run);
* duplicate keys, alias bombs and self-referencing aliases are errors,
  not silent overwrites or hangs.

TOML (Hugo's ``+++`` front matter) is read with ``tomllib`` and brought to the
same shape: every scalar becomes the text it stands for (``true``,
``2024-01-15``), so the same validation applies, with the same line numbers.

One module: the safe loader and the field checks it feeds share the line of every
value, which each error message names.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from counterpoint.errors import ContentError, display_path

MAX_NODES = 10_000  # values constructed from one YAML document, aliases expanded
MAX_DEPTH = 64  # nesting of lists/maps; PyYAML's composer recurses per level

_FENCE_OPEN = re.compile(r"---[ \t]*")
_FENCE_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_YAML_HINTS = {
    "mapping values are not allowed here": 'quote values that contain ": ", e.g. title: "Part 1: Axes"',
    "found character '\\t' that cannot start any token": "indent with spaces, not tabs",
    "found unexpected end of stream": "close the quote or bracket that starts here",
    "found undefined alias": "define the anchor (&name) before using the alias (*name)",
    # the same problems as libyaml words them
    "mapping values are not allowed in this context": 'quote values that contain ": ", e.g. title: "Part 1: Axes"',
    "found character that cannot start any token": "indent with spaces, not tabs; quote values starting with @ or `",
}


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class Document:
    """A parsed content file: raw front matter (strings, lists, dicts) and body."""

    path: Path  # absolute
    rel: str  # display path (errors.display_path)
    meta: dict[str, Any]
    meta_lines: dict[str, int]  # top-level key -> 1-based file line
    body: str  # after the closing fence; BOM stripped, newlines normalized to LF
    body_line: int  # file line of the body's first line


def read_document(path: Path, root: Path, *, untrusted: bool = False, data: bytes | None = None) -> Document:
    """Read ``path`` (or use ``data``, already read) and parse it."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ContentError(display_path(path, root), 0, f"cannot read file: {exc.strerror or exc}") from None
    return parse_document(data, path, root, untrusted=untrusted)


def parse_document(raw: bytes, path: Path, root: Path, *, untrusted: bool = False) -> Document:
    """Split front matter from body and load the front matter; raises ContentError."""
    rel = display_path(path, root)
    text = decode_text(raw, rel)
    meta: dict[str, Any] = {}
    meta_lines: dict[str, int] = {}
    body, body_line = text, 1
    toml = split_toml_front_matter(text)
    if toml is not None:
        if toml[0] is None:
            raise ContentError(
                rel,
                1,
                "TOML front matter is not closed",
                hint="add a line '+++' after the last front matter line, before the text",
            )
        front, body, body_line = toml
        meta, meta_lines = load_toml(front, rel, 2)
    fence = None if toml is not None else split_front_matter(text)
    if fence is not None:
        if fence[0] is None:
            raise ContentError(
                rel,
                1,
                "front matter is not closed",
                hint="add a line '---' after the last front matter line, before the text",
            )
        front, body, body_line = fence
        meta, meta_lines = _load(front, rel, 2, untrusted, "front matter")
    # found with bytes.translate (~10 µs an essay; the regex over the text takes ~60 µs), then placed
    bad = CONTROL_CHARACTERS.search(body) if len(raw.translate(None, _CONTROL_BYTES)) != len(raw) else None
    if bad:
        raise ContentError(
            rel,
            body_line + body.count("\n", 0, bad.start()),
            f"invalid character U+{ord(bad.group()):04X} in the text: control characters are not allowed",
            CONTROL_HINT,
            bad.start() - body.rfind("\n", 0, bad.start()),
        )
    return Document(
        path=path if path.is_absolute() else path.absolute(),
        rel=rel,
        meta=meta,
        meta_lines=meta_lines,
        body=body,
        body_line=body_line,
    )


# C0 control characters but tab and line ends: invisible on a page, and XML 1.0 (the
# feeds) cannot hold them at all.  YAML's reader refuses them typed; these come through
# an escape ("\x1b" in double quotes, TOML's "\u001b") or in the text.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BYTES = bytes(c for c in range(0x20) if c not in b"\t\n\r")  # the same, in UTF-8 (one byte each)
CONTROL_HINT = "remove the control character: it does not show on the page, and the feeds' XML cannot hold it"


def split_front_matter(text: str) -> tuple[str, str, int] | tuple[None, None, None] | None:
    """``(front matter, body, body's first line)`` of a text that opens with a
    ``---`` line; ``(None, None, None)`` when that fence is never closed; None
    when there is no front matter.  Scans only the front matter's lines: the
    body is one slice, not the whole file split into lines and joined again."""
    end = text.find("\n")
    if not _FENCE_OPEN.fullmatch(text if end < 0 else text[:end]):
        return None
    number = 1  # 0-based number of the line that starts at ``end + 1``
    while end >= 0:
        start = end + 1
        end = text.find("\n", start)
        if _FENCE_CLOSE.fullmatch(text, start, len(text) if end < 0 else end):
            front_start = text.find("\n") + 1
            front = text[front_start : start - 1] if start > front_start else ""
            return front, "" if end < 0 else text[end + 1 :], number + 2
        number += 1
    return None, None, None


_TOML_FENCE = re.compile(r"\+\+\+[ \t]*")


def split_toml_front_matter(text: str) -> tuple[str, str, int] | tuple[None, None, None] | None:
    """As ``split_front_matter``, for TOML between ``+++`` lines."""
    end = text.find("\n")
    if not _TOML_FENCE.fullmatch(text if end < 0 else text[:end]):
        return None
    lines = text.split("\n")
    for number in range(1, len(lines)):
        if _TOML_FENCE.fullmatch(lines[number]):
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1 :]), number + 2
    return None, None, None


_TOML_ERROR_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_TOML_KEY = re.compile(r"""\s*(?:\[\[?\s*)?([A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')\s*([.=\]])""")


def load_toml(text: str, rel: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    """TOML front matter (whose first line is file line ``first_line``) as
    (values in the YAML shape, top-level key -> file line)."""
    try:
        data = {key: _toml_value(value, 0) for key, value in tomllib.loads(text).items()}
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = _TOML_ERROR_AT.search(message)
        line, col = (int(where.group(1)), int(where.group(2))) if where and where.group(1) else (1, 1)
        if where and not where.group(1):  # at the end: the last line that says something
            written = text.rstrip().split("\n")
            line, col = len(written), len(written[-1]) + 1
        problem = _TOML_ERROR_AT.sub("", message)
        raise ContentError(
            rel,
            first_line + line - 1,
            f"invalid TOML in front matter: {problem[:1].lower()}{problem[1:]}",
            'write one key = value per line; quote text: title = "Part 1: Axes"',
            col,
        ) from None
    except RecursionError:
        raise ContentError(
            rel, first_line, f"TOML in front matter is nested more than {MAX_DEPTH} levels deep"
        ) from None
    lines: dict[str, int] = {}
    in_table = False  # after the first [table] header only headers name top-level keys
    for number, text_line in enumerate(text.split("\n")):
        header = text_line.lstrip().startswith("[")
        in_table = in_table or header
        match = _TOML_KEY.match(text_line) if header or not in_table else None
        if match:
            key = match.group(1)
            if key[0] in "\"'":
                key = tomllib.loads(f"k = {key}")["k"] if key[0] == '"' else key[1:-1]
            lines.setdefault(key, first_line + number)
    for key, value in data.items():
        bad = next(filter(None, map(CONTROL_CHARACTERS.search, _texts(value))), None)
        if bad:
            raise ContentError(
                rel,
                lines.get(key, first_line),
                f"invalid character U+{ord(bad.group()):04X} in front matter: control characters are not allowed",
                CONTROL_HINT,
            )
    return data, lines


def _texts(value: Any) -> Iterator[str]:
    """Every text in a front matter value, however nested."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


def _toml_value(value: Any, depth: int) -> Any:
    """A TOML value in the shape YAML front matter has: text, lists and mappings."""
    if depth > MAX_DEPTH:
        raise RecursionError
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return [_toml_value(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {str(key): _toml_value(item, depth + 1) for key, item in value.items()}
    return str(value)


def load_yaml(raw: bytes, path: Path, root: Path, untrusted: bool = False) -> tuple[dict[str, Any], dict[str, int]]:
    """Load a whole YAML file (site.yml) as a mapping: (data, top-level key lines)."""
    rel = display_path(path, root)
    return _load(decode_text(raw, rel), rel, 1, untrusted, rel)


def decode_text(raw: bytes, rel: str) -> str:
    """UTF-8 (BOM optional) to text with LF newlines; binary and other encodings are errors."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContentError(rel, 1, "file is UTF-16, not UTF-8", hint="save the file as UTF-8")
    nul = raw.find(b"\0")  # anywhere: Markdown would turn a late one into U+FFFD without a word
    if nul >= 0:
        raise ContentError(
            rel,
            _line_at(raw, nul),
            f"file looks binary (NUL byte at offset {nul}), not text",
            hint="content files must be UTF-8 text; save it as UTF-8 or move it out of content/",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_at(raw, exc.start)
        raise ContentError(
            rel,
            line,
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}, line {line})",
            hint="save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _line_at(raw: bytes, offset: int) -> int:
    head = raw[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return head.count(b"\n") + 1


# --------------------------------------------------------------------------- YAML


class _Refused(Exception):
    def __init__(self, mark: Any, message: str, hint: str = ""):  # a yaml.Mark (libyaml's or Python's)
        super().__init__(message)
        self.mark, self.message, self.hint = mark, message, hint


try:  # libyaml scans and parses about ten times faster; composing stays in Python
    from yaml._yaml import CParser as _CParser

    class _Base(yaml.composer.Composer, yaml.resolver.BaseResolver, _CParser):  # type: ignore[misc]
        def __init__(self, text: str):
            _CParser.__init__(self, text)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.BaseResolver.__init__(self)

except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.BaseLoader  # type: ignore[misc,assignment]


class _Composer(_Base):
    """BaseLoader's composer, refusing tags (and, untrusted, anchors) before any node exists."""

    def __init__(self, text: str, untrusted: bool):
        super().__init__(text)
        self.untrusted = untrusted
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        assert event is not None  # the composer asks for a node only when an event is ahead
        if self.untrusted and (isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None):
            raise _Refused(
                event.start_mark,
                "YAML anchors and aliases are not allowed in critiques",
                "write the value out instead of using &name / *name",
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag
            raise _Refused(
                event.start_mark,
                f"YAML tags are not allowed (found '{shown}')",
                "remove the tag; quote the value if it should start with '!'",
            )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(event.start_mark, f"YAML is nested more than {MAX_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


try:  # the whole of composing in libyaml, for front matter that cannot need the checks above
    _FastComposer: Any = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _FastComposer = None

_INDICATORS = "[{-:?"  # each level of nesting opens with one of these


def plain_yaml(text: str) -> bool:
    """No tag, anchor or alias can be in ``text``, and it cannot nest deeper than
    ``MAX_DEPTH``: every collection starts with an indicator of its own."""
    return (
        _FastComposer is not None
        and "!" not in text
        and "&" not in text
        and "*" not in text
        and sum(text.count(c) for c in _INDICATORS) < MAX_DEPTH - 1
    )


def _load(  # noqa: C901 - each of YAML's failures mapped to its own message
    text: str, rel: str, first_line: int, untrusted: bool, label: str
) -> tuple[dict[str, Any], dict[str, int]]:
    # Long: each of YAML's failures mapped to its own message.
    """Compose ``text`` (whose first line is file line ``first_line``) into a mapping."""

    def error(mark: yaml.Mark | None, message: str, hint: str = "") -> ContentError:
        line, col = (first_line + mark.line, mark.column + 1) if mark else (first_line, 1)
        return ContentError(rel, line, message, hint, col)

    loader: Any = None
    try:
        # the reader rejects control characters here
        loader = _FastComposer(text) if plain_yaml(text) else _Composer(text, untrusted)
        node = loader.get_single_node()
    except _Refused as exc:
        raise error(exc.mark, exc.message, exc.hint) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        # found only at the end of the text (a line past the last one): an unclosed quote or
        # bracket, said where it opened
        unclosed = mark is None or "end of stream" in (exc.problem or "") or mark.index >= len(text.rstrip())
        if exc.context_mark is not None and unclosed:
            mark = exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        if exc.context and exc.problem:
            problem = f"{problem} ({exc.context})"
        hint = _YAML_HINTS.get(
            exc.problem or "", "check the YAML here: one 'key: value' per line; quote values with ':', '#', '[' or '{'"
        )
        if unclosed and mark is exc.context_mark:
            hint = _YAML_HINTS["found unexpected end of stream"]
        raise error(mark, f"invalid YAML in {label}: {problem}", hint) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n")
        raise ContentError(
            rel,
            first_line + line,
            f"invalid character U+{exc.character:04X} in {label}: {exc.reason}"
            if isinstance(exc.character, int)
            else f"invalid character in {label}: {exc.reason}",
            hint="remove the control character",
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - any other PyYAML complaint
        raise ContentError(rel, first_line, f"invalid YAML in {label}: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return {}, {}
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else f"the text {node.value[:40]!r}"
        raise error(
            node.start_mark, f"{label} must be 'key: value' lines, not {kind}", "write one 'key: value' pair per line"
        )
    budget = [MAX_NODES]

    def build(node: yaml.Node, path: tuple[int, ...]) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise error(
                node.start_mark,
                f"YAML in {label} expands to more than {MAX_NODES} values",
                "remove the anchors and aliases (&name, *name) that repeat data",
            )
        if isinstance(node, yaml.ScalarNode):
            if node.style == '"' and (bad := CONTROL_CHARACTERS.search(node.value)):  # only double quotes have escapes
                raise error(
                    node.start_mark,
                    f"invalid character U+{ord(bad.group()):04X} in {label}: control characters are not allowed",
                    CONTROL_HINT,
                )
            return node.value
        if id(node) in path:
            raise error(
                node.start_mark,
                f"YAML alias in {label} refers to itself",
                "remove the alias (*name) inside its own anchor",
            )
        path = (*path, id(node))
        if isinstance(node, yaml.SequenceNode):
            return [build(item, path) for item in node.value]
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _key(key_node)
            if key in out:
                raise error(
                    key_node.start_mark,
                    f"duplicate key '{key}' in {label}",
                    "remove one of the two lines with this key",
                )
            out[key] = build(value_node, path)
        return out

    def _key(node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise error(node.start_mark, f"keys in {label} must be plain names, not lists or maps")
        return node.value

    data = build(node, ())
    lines = {_key(k): first_line + k.start_mark.line for k, _ in node.value}
    return data, lines


# --------------------------------------------------------------------------- dates


_STAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?[ ]?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?"
)


@dataclass(frozen=True)
class Stamp:
    """A date as the author wrote it, with optional time and UTC offset.

    ``date`` is what readers see: it is never shifted to another time zone.
    Zones only matter for ordering (``sort_key``) and feeds (``iso``).
    """

    date: dt.date
    time: dt.time | None  # naive
    tzinfo: dt.timezone | None  # the offset written (Z, +03:00), else None
    text: str

    def local(self, default_tz: str = "UTC") -> dt.datetime:
        """The moment as an aware datetime in its own offset, or ``default_tz``."""
        naive = dt.datetime.combine(self.date, self.time or dt.time())
        return naive.replace(tzinfo=self.tzinfo or ZoneInfo(default_tz))

    def sort_key(self, default_tz: str = "UTC") -> dt.datetime:
        """Aware UTC datetime; a stamp without offset is read in ``default_tz``."""
        return _utc(self, default_tz)

    def iso(self, default_tz: str = "UTC") -> str:
        """RFC 3339 (``2026-01-16T10:30:00+03:00``), for Atom feeds and sitemaps."""
        return _iso(self, default_tz)

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=65536)
def _utc(stamp: Stamp, default_tz: str) -> dt.datetime:
    # every rebuild orders all the site's UPDs and essays by these: made once per stamp
    return stamp.local(default_tz).astimezone(dt.timezone.utc)


@lru_cache(maxsize=1024)
def _iso(stamp: Stamp, default_tz: str) -> str:
    # a critique's stamp is written on its remarks, its article and annotations.json (~40
    # times a page): made once per page; a page's stamps are few, so the cache is small
    return stamp.local(default_tz).isoformat(timespec="seconds")


def parse_stamp(text: str, default_tz: str = "UTC") -> Stamp:
    """Parse ``YYYY-MM-DD`` or an ISO 8601 date-time; ValueError says what is wrong.

    The moment must lie within the years 1-9999 once converted to UTC (a stamp
    without a zone is read in ``default_tz``, the site's): dates are ordered in
    UTC, and Python's datetime has no year 0 or 10000."""
    text = text.strip()
    m = _STAMP.fullmatch(text)
    if not m:
        raise ValueError("expected YYYY-MM-DD or a date-time such as 2026-01-16T10:30")
    y, mo, d, h, mi, s, frac, off = m.groups()
    date = dt.date(int(y), int(mo), int(d))  # ValueError: "day is out of range for month"
    time = None
    if h is not None:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        time = dt.time(int(h), int(mi), int(s or 0), micro)
    tz = None
    if off is not None:
        if off in "Zz":
            tz = dt.timezone.utc
        else:
            digits = off[1:].replace(":", "")
            oh, om = int(digits[:2]), int(digits[2:] or 0)
            if oh > 23 or om > 59:
                raise ValueError(f"time zone offset {off} is out of range")
            delta = dt.timedelta(hours=oh, minutes=om)
            tz = dt.timezone(-delta if off[0] == "-" else delta)
    stamp = Stamp(date, time, tz, text)
    try:
        _utc(stamp, default_tz)
    except OverflowError:
        zone = f"in the site's time zone {default_tz}, " if tz is None else ""
        raise ValueError(f"{zone}it lies outside the years 1-9999 once converted to UTC") from None
    return stamp


def date_hint(problem: ValueError) -> str:
    """The hint for a date ``parse_stamp`` refused."""
    if "years 1-9999" in str(problem):
        return "write a date from 0001-01-01 to 9999-12-31 (with its time zone, if any)"
    return "write the date as YYYY-MM-DD"


# --------------------------------------------------------------------------- fields


@dataclass(frozen=True)
class Field:
    """One allowed front matter key and how to convert it.

    kind: "str" (one line) | "text" (may be multi-line) | "date" | "bool" | "int" |
    "choice" | "list" (of str) | "url" (http/https) | "map" (str -> str) |
    "mapping" (anything nested, as written: ``extra:`` for themes).
    """

    name: str
    kind: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}


def validate_meta(
    doc: Document, fields: Sequence[Field], what: str, timezone: str = "UTC"
) -> tuple[dict[str, Any], list[ContentError]]:
    """Convert ``doc.meta`` per ``fields``: (values with defaults, every error). Never raises.
    ``timezone`` is the site's, in which dates without a zone are read."""
    return validate_fields(
        doc.meta,
        doc.meta_lines,
        doc.rel,
        fields,
        subject=f"{what} front matter",
        container="the front matter",
        timezone=timezone,
    )


def validate_fields(
    data: Mapping[str, Any],
    lines: Mapping[str, int],
    rel: str,
    fields: Sequence[Field],
    *,
    subject: str,
    container: str,
    timezone: str = "UTC",
) -> tuple[dict[str, Any], list[ContentError]]:
    """The validator behind ``validate_meta``, for any (data, lines) pair such as site.yml.

    ``subject`` names the whole ("essay front matter", "site.yml"); ``container`` is
    where a missing line goes ("the front matter", "site.yml").
    """
    by_name = {f.name: f for f in fields}
    values: dict[str, Any] = {}
    errors: list[ContentError] = []
    for key in data:
        if key not in by_name:
            errors.append(
                ContentError(
                    rel,
                    lines.get(key, 1),
                    f"unknown key '{key}' in {subject}",
                    did_you_mean(key, list(by_name)) or f"allowed keys: {', '.join(by_name)}",
                )
            )
    for f in fields:
        line = lines.get(f.name, 1)
        raw = data.get(f.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if f.required:
                if raw is None:
                    errors.append(
                        ContentError(
                            rel, line, f"{subject} is missing '{f.name}'", f'add a line "{f.name}: ..." to {container}'
                        )
                    )
                else:
                    errors.append(
                        ContentError(rel, line, f"'{f.name}' is empty in {subject}", f'write a value after "{f.name}:"')
                    )
            values[f.name] = [] if f.kind == "list" and f.default is None else _copy(f.default)
            continue
        try:
            values[f.name] = _convert(f, raw, timezone)
        except _Invalid as exc:
            errors.append(ContentError(rel, line, exc.message, exc.hint))
            values[f.name] = _copy(f.default)
    return values, errors


class _Invalid(Exception):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


def _convert(f: Field, raw: Any, timezone: str = "UTC") -> Any:  # noqa: C901 - a branch per field kind
    # Long: a branch per kind of field, each with its own message.
    name = f.name
    if f.kind == "list":
        if name == "tags" and isinstance(raw, str) and "," in raw:  # meant as a list, read as one tag
            parts = ", ".join(part.strip() for part in raw.split(",") if part.strip())
            raise _Invalid(f"'{name}: {raw}' is one tag with a comma in it", f"write a list: {name}: [{parts}]")
        items = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(i, str) for i in items):
            raise _Invalid(f"'{name}' must be a list of plain values", f"write {name}: [one, two]")
        return [i.strip() for i in items if i.strip()]
    if f.kind == "mapping":
        if not isinstance(raw, dict):
            raise _Invalid(
                f"'{name}' must be 'key: value' lines indented under '{name}:'", f"write {name}:\n  some_key: value"
            )
        return raw
    if f.kind == "map":
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise _Invalid(f"'{name}' must be 'key: text' lines indented under '{name}:'")
        return {k: v.strip() for k, v in raw.items()}
    if not isinstance(raw, str):
        kind = "list" if isinstance(raw, list) else "mapping"
        raise _Invalid(
            f"'{name}' must be a single value, not a {kind}",
            f'write it on one line: {name}: ... (quote it if it contains ": ")',
        )
    value = raw.strip()
    if f.kind == "str":
        return re.sub(r"\s*\n\s*", " ", value)
    if f.kind == "text":
        return value
    if f.kind == "bool":
        if value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise _Invalid(f"'{name}' must be true or false, not '{value}'", f"write {name}: true or {name}: false")
    if f.kind == "int":
        if not re.fullmatch(r"[+-]?[0-9]+", value):
            raise _Invalid(
                f"'{name}' must be a whole number, not '{_shorten(value)}'", f"write e.g. {name}: {f.default or 10}"
            )
        digits = value.lstrip("+-").lstrip("0")
        if f.maximum is not None and (len(digits) > len(str(f.maximum)) or int(value) > f.maximum):
            # the length first: int() of thousands of digits is refused (and slow)
            raise _Invalid(
                f"'{name}' must be at most {f.maximum}, not {_shorten(value)}", f"write e.g. {name}: {f.default or 10}"
            )
        number = int(value)
        if f.minimum is not None and number < f.minimum:
            raise _Invalid(f"'{name}' must be at least {f.minimum}, not {number}")
        return number
    if f.kind == "choice":
        if value in f.choices:
            return value
        raise _Invalid(
            f"'{name}' must be one of {', '.join(f.choices)}, not '{value}'",
            did_you_mean(value, list(f.choices)) or f"write {name}: {f.choices[0]}",
        )
    if f.kind == "date":
        try:
            return parse_stamp(value, timezone)
        except ValueError as exc:
            raise _Invalid(f"invalid date '{value}': {exc}", date_hint(exc)) from None
    if f.kind == "url":
        if _is_http_url(value):
            return value
        raise _Invalid(
            f"'{name}' must be an http(s) URL, not '{value}'", "write the full address, starting with https://"
        )
    raise ValueError(f"unknown field kind {f.kind!r}")  # a programming error, not user input


def _shorten(value: str, limit: int = 40) -> str:
    """A value for a message: at most ``limit`` characters, and how long it was."""
    return value if len(value) <= limit else f"{value[:limit]}… ({len(value)} characters)"


def _is_http_url(value: str) -> bool:
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def did_you_mean(word: str, options: list[str]) -> str:
    """'did you mean 'x'?' for a near miss (case-insensitive first), else ''."""
    for option in options:
        if option.lower() == word.lower():
            return f"did you mean '{option}'?"
    # a typo is an edit or two, not a word that shares some letters: 'math' is not 'author'
    allowed = 1 if len(word) < 8 else 2
    lowered = word.lower()
    scored = sorted((edit_distance(lowered, option.lower(), allowed), n) for n, option in enumerate(options))
    if scored and scored[0][0] <= allowed:
        return f"did you mean '{options[scored[0][1]]}'?"
    return ""


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from ``a`` to ``b``;
    anything above ``limit`` is reported as ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
        if min(row) > limit:
            return limit + 1
    return min(row[-1], limit + 1)


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value
