"""What the Jinja environment gets from counterpoint: compiled templates kept on
disk, and cheaper ways to call plain functions and to make a template's context.

Imported only when a template is rendered: a build with nothing to do never
loads Jinja.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from types import BuiltinFunctionType, BuiltinMethodType, FunctionType, MethodType
from typing import Any

import jinja2
import markupsafe
from jinja2 import FileSystemBytecodeCache, FileSystemLoader, TemplateSyntaxError
from jinja2.runtime import Context
from markupsafe import Markup

from counterpoint.source.i18n import Translator
from counterpoint.versions import code_fingerprint


class BytecodeCache(FileSystemBytecodeCache):
    """Compiled templates on disk: a site's own in its build cache, and the built-in
    theme's (``theme.shipped_file``) in the user's cache folder (``shipped``), where
    every build of every site finds them, as Python keeps a package's compiled modules.
    A cold build (no build cache: a fresh clone, ``rm -rf .counterpoint``) then loads
    them instead of compiling ~20 templates (~0.13 s of CPU in each process of the build)."""

    def __init__(self, directory: str, shipped: str | None, shipped_file: Callable[[str | None], bool]):
        super().__init__(directory)
        self._shipped = shipped
        self._shipped_file = shipped_file
        self._shipped_keys: set[str] = set()

    def get_bucket(self, environment: Any, name: str, filename: str | None, source: str) -> Any:
        if self._shipped is not None and self._shipped_file(filename):
            self._shipped_keys.add(self.get_cache_key(name, filename))
        return super().get_bucket(environment, name, filename, source)

    def _get_cache_filename(self, bucket: Any) -> str:
        if self._shipped is not None and bucket.key in self._shipped_keys:
            return os.path.join(self._shipped, self.pattern % (bucket.key,))
        return super()._get_cache_filename(bucket)

    def dump_bytecode(self, bucket: Any) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a read-only or full disk: the next process compiles again
            pass


def bytecode_cache(folder: Path, shipped_file: Callable[[str | None], bool]) -> BytecodeCache | None:
    """Jinja's compiled templates on disk, so that each process of a build (and
    the next build) loads them instead of compiling every template again; those of
    the built-in theme (the files ``shipped_file`` says are) in the user's cache folder
    (``shared_folder``).

    Jinja keys each entry by the template's name, file and source; the folders are
    named after the Jinja version and this package's code, which decide what
    the compiled code looks like.
    """
    version = f"{jinja2.__version__}-{code_fingerprint()}"
    current = _current(folder, version, keep=0)
    if current is None:
        return None
    user = shared_folder()
    shared = _current(user / "templates", version, keep=SHARED_VERSIONS) if user else None
    return BytecodeCache(str(current), str(shared) if shared else None, shipped_file)


SHARED_VERSIONS = 8  # compiled by other versions of the code (other installs), kept in the user's cache


def shared_folder() -> Path | None:
    """The user's cache folder for counterpoint: ``$XDG_CACHE_HOME/counterpoint``,
    else ``~/.cache/counterpoint``; None when there is no home folder to find."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")  # "~" unchanged: no home
    return Path(base) / "counterpoint" if os.path.isabs(base) else None


def _current(folder: Path, version: str, *, keep: int) -> Path | None:
    """``folder/version``, made when missing; compiled code of other versions is never
    read again: all of it goes (``keep=0``, a site's cache), or all but the ``keep``
    newest (the user's cache, which other installs of counterpoint share)."""
    current = folder / version
    if current.is_dir():
        return current
    try:
        if folder.is_dir():
            others = sorted((p for p in folder.iterdir() if p.is_dir()), key=_mtime, reverse=True)
            for old in others[keep:]:
                shutil.rmtree(old, ignore_errors=True)
        current.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return current


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


_BUILTIN = (BuiltinFunctionType, BuiltinMethodType)


_CACHED = type(lru_cache()(len))  # what lru_cache makes: it keeps the marks of what it wraps
_PLAIN_CLASSES: dict[type, bool] = {}


def plain_callable(obj: Any) -> bool:
    """A callable that cannot ask for the template's context: a built-in, a class
    (``Markup(…)``), or a function, method, cached function or ``Translator`` without
    Jinja's ``pass_context`` mark."""
    kind = type(obj)
    if kind is Translator or kind in _BUILTIN:
        return True
    if kind is MethodType:
        obj = obj.__func__
        kind = type(obj)
    if kind is FunctionType or kind is _CACHED:
        return "jinja_pass_arg" not in obj.__dict__
    if kind is type:  # marked itself, or its instances' __call__, as Jinja looks
        plain = _PLAIN_CLASSES.get(obj)
        if plain is None:
            plain = _PLAIN_CLASSES[obj] = not (
                hasattr(obj, "jinja_pass_arg") or hasattr(getattr(obj, "__call__", None), "jinja_pass_arg")  # noqa: B004 - Jinja's own test
            )
        return plain
    return False


class TextLoader(FileSystemLoader):
    """Jinja's file loader, with a file that is not UTF-8 a template error at its line
    (Jinja lets the UnicodeDecodeError through, which names no file)."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            filename = next(
                (str(Path(d) / template) for d in self.searchpath if (Path(d) / template).is_file()), template
            )
            raise TemplateSyntaxError("the file is not UTF-8 text", line, template, filename) from None


class PlainCallContext(Context):
    """Jinja's context, calling plain callables directly.

    Jinja looks for a ``pass_context`` mark on everything a template calls,
    by two attribute lookups that fail (and raise) for a plain function: a
    third of the cost of ``{{ t('key') }}``, and a page makes a few hundred
    such calls.  Anything else goes through Jinja's own ``call``.
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        if type(__obj) is not Translator and not plain_callable(__obj):  # t('key'): most calls
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja does
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


# markupsafe's escaping of a plain str, without the Markup it wraps the result in
_escape_str = getattr(markupsafe, "_escape_inner", None) or (lambda text: str(markupsafe.escape(text)))


def output_escape(value: Any) -> str:
    """What a compiled template calls on every ``{{ … }}``: markupsafe's ``escape``,
    returning the escaped text as a plain ``str`` (a ``Markup`` as it is).

    Jinja only ever joins what it calls ``escape`` on for output into the page, so
    the ``Markup`` that ``escape`` makes for each value (a Python-level ``__new__``)
    is work thrown away: an essay page outputs about 760 values, and this is half
    the cost of each.  The characters escaped, and how, are markupsafe's.
    """
    kind = type(value)
    if kind is str:
        return _escape_str(value)
    if kind is Markup:
        return value
    if kind is Placed:
        return value.mark
    return markupsafe.escape(value)


class Placed(str):
    """Text (a feed entry's whole essay) that a template writes, escaped, as a short
    placeholder (``mark``), for its caller to put the escaped UTF-8 in its place
    (``place``): the text is ~1.3 MB a feed, read as bytes from the pages, which
    would otherwise be decoded, escaped and encoded again for every feed.

    Anything a template does with it (``|length``, ``|truncate``, ``|safe``, ``in``)
    sees the text itself and makes a plain ``str`` or a ``Markup`` of it, written as
    any other: only where the template writes the text as it is, escaped, is there a
    placeholder.  But output a template captures and then changes (``{% filter upper
    %}``, ``{% set %}…{% endset %}`` measured) holds the placeholder, not the text:
    given only to a template known not to (``theme.shipped``)."""

    mark: str


def placed(raw: bytes, number: int) -> Placed:
    """``raw`` (UTF-8) as text whose placeholder is numbered ``number``."""
    text = Placed(raw.decode())
    text.mark = f"{_TOKEN}{number};"
    return text


# placeholders are made of this: text no essay, title or template holds by chance
_TOKEN = "\x00" + secrets.token_hex(12) + ":"
_PLACEHOLDER = re.compile(re.escape(_TOKEN.encode()) + rb"(\d+);")


def place(page: bytes, raws: list[bytes]) -> bytes:
    """``page`` with each placeholder replaced by the bytes it stands for, escaped.
    markupsafe's escaping replaces five ASCII characters, which in UTF-8 are single
    bytes that no other character's bytes contain: escaping the bytes is escaping
    the text."""
    escaped: dict[int, bytes] = {}

    def bytes_of(found: re.Match[bytes]) -> bytes:
        number = int(found[1])
        if number not in escaped:
            escaped[number] = escape_bytes(raws[number])
        return escaped[number]

    return _PLACEHOLDER.sub(bytes_of, page)


def escape_bytes(text: bytes) -> bytes:
    """markupsafe's ``escape``, on UTF-8."""
    return (
        text.replace(b"&", b"&amp;")
        .replace(b">", b"&gt;")
        .replace(b"<", b"&lt;")
        .replace(b"'", b"&#39;")
        .replace(b'"', b"&#34;")
    )


class ThemeTemplate(jinja2.Template):
    """A compiled template whose output escaping is ``output_escape``."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):  # type: ignore[no-untyped-def]
        template = super().from_code(environment, code, globals, uptodate)
        # the template module's globals: its own ``from jinja2.runtime import escape`` ran in them
        template.root_render_func.__globals__["escape"] = output_escape
        return template


class PrintedUndefined(jinja2.Undefined):
    """What a template gets for a name or attribute that does not exist: false in an
    ``{% if %}``, taken by ``|default``, but an error where it is written into the page
    (``{{ titel }}``, ``{{ essay.titel }}``), for a misspelt name printed nothing without
    a word.  A key a mapping lacks (``{{ meta.extra.hero }}``: ``extra`` is the author's
    free mapping, ``site.config.strings``) still prints nothing, as a Hugo ``.Params``."""

    __slots__ = ()

    def __str__(self) -> str:
        if self._undefined_name is None or isinstance(self._undefined_obj, Mapping):
            return ""  # a mapping's missing key, or a call's empty result (StopIteration, as Jinja)
        self._fail_with_undefined_error()
        return ""  # never reached: the call above raises


class ThemeEnvironment(jinja2.Environment):
    """The theme's environment: ``PlainCallContext``, ``ThemeTemplate``, and each
    template's globals copied into one dict when it is loaded.

    Jinja keeps them as a ``ChainMap`` over the environment's globals and copies
    that into every context it makes: iterating a ``ChainMap`` costs more than
    a small template's own rendering, and an essay page renders a dozen
    templates (page, remarks, card, feed entries).  The environment's globals are
    complete before the first template loads (``theme.jinja_for``), as Jinja asks.
    """

    context_class = PlainCallContext
    template_class = ThemeTemplate

    def make_globals(self, d: dict[str, Any] | None) -> dict[str, Any]:  # type: ignore[override]
        return {**self.globals, **(d or {})}
