"""Themes: one ordered template search path and one Jinja environment.

Order: the site's ``templates/`` (overrides of single templates), the site's
``themes/<name>/``, the built-in theme of that name, then the built-in
default (so a partial theme only needs the templates it changes).
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import traceback
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from hashlib import blake2b
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from counterpoint.errors import BuildFailed, ContentError, display_path
from counterpoint.source.walk import link_problem, link_warning

if TYPE_CHECKING:
    from jinja2 import Environment, Template


@lru_cache(maxsize=1)
def builtin_themes_dir() -> Path:
    """Where the shipped themes are: inside the wheel, or in a source checkout.  Looked
    up once per process (an ``importlib`` search, ~0.1 ms): ``shipped`` asks per feed."""
    spec = importlib.util.find_spec("counterpoint.themes")
    if spec and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parents[3] / "themes"


@dataclass(frozen=True)
class Theme:
    name: str
    template_dirs: tuple[Path, ...]
    static_dirs: tuple[Path, ...]  # later ones win
    bytecode_dir: Path | None = None  # compiled templates kept here between processes (the build cache)

    @cached_property
    def digest(self) -> str:
        """Changes whenever a template changes.  Static files are not part of it:
        they never change a page, and a CSS edit must not re-render the site."""
        h = blake2b(digest_size=16)
        for folder in self.template_dirs:
            if not folder.is_dir():
                continue
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                h.update(path.relative_to(folder).as_posix().encode())
                h.update(path.read_bytes())
        return h.hexdigest()

    def static_files(self) -> dict[str, Path]:
        """Output path (``static/…``) -> file, site theme over built-in."""
        return self.static_scan()[0]

    def static_scan(self, root: Path | None = None) -> tuple[dict[str, Path], list[str]]:
        """``static_files``, and a warning per symlink not followed: one is followed
        only to a file inside its own static folder (``walk.link_problem``).
        Hidden files and folders are left out."""
        files: dict[str, Path] = {}
        warnings: list[str] = []
        for folder in self.static_dirs:
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*")):
                rel = path.relative_to(folder)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if path.is_symlink():
                    problem = link_problem(str(path), str(folder), root or folder)
                    if problem:
                        warnings.append(link_warning(str(path), problem, root or folder))
                        continue
                if path.is_file():
                    files["static/" + rel.as_posix()] = path
        return files, warnings

    def environment(self) -> Environment:
        # lazily: Jinja, only when a template is rendered
        from jinja2 import ChoiceLoader, select_autoescape

        from counterpoint.theme.jinja_runtime import PrintedUndefined, TextLoader, ThemeEnvironment, bytecode_cache

        env = ThemeEnvironment(
            loader=ChoiceLoader([TextLoader(str(d)) for d in self.template_dirs if d.is_dir()]),
            autoescape=select_autoescape(["html", "xml", "j2"], default_for_string=True, default=True),
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            undefined=PrintedUndefined,
            bytecode_cache=bytecode_cache(self.bytecode_dir, shipped_file) if self.bytecode_dir else None,
        )
        return env


def shipped(template: Template) -> bool:
    """Whether ``template`` is the built-in theme's own file (not a site's or a theme's
    override): what it does with each value is known."""
    return shipped_file(template.filename)


def shipped_file(filename: str | None) -> bool:
    """Whether the template file ``filename`` is one of the built-in theme's."""
    return filename is not None and Path(filename).is_relative_to(builtin_themes_dir())


def load_theme(root: Path, name: str) -> Theme:
    builtin = builtin_themes_dir()
    candidates = [root / "themes" / name, builtin / name]
    found = [c for c in candidates if c.is_dir()]
    if not found:
        raise BuildFailed(
            [
                ContentError(
                    "site.yml",
                    0,
                    f"theme '{name}' not found",
                    f"create themes/{name}/templates/ in the site, or use one of: "
                    + ", ".join(sorted(p.name for p in builtin.iterdir() if p.is_dir())),
                )
            ]
        )
    default = builtin / "default"
    chain = [*found, *([default] if default not in found else [])]
    template_dirs = (root / "templates", *(c / "templates" for c in chain))
    static_dirs = tuple(c / "static" for c in reversed(chain))
    return Theme(name, template_dirs, static_dirs)


_JINJA: dict[tuple[str, tuple[Path, ...]], Environment] = {}


def jinja_for(theme: Theme) -> Environment:
    """One Jinja environment per process and theme version: templates compile once.
    Keyed by the folders too: the environment loads from them, and two sites (a
    copy of one) may have the same templates in different folders."""
    key = (theme.digest, theme.template_dirs)
    env = _JINJA.get(key)
    if env is None:
        from counterpoint.markup.slugs import tag_slug  # lazily: python-slugify, not on a no-op build
        from counterpoint.source.i18n import direction  # lazily: Babel, as for the slugs

        env = theme.environment()
        env.globals["tag_slug"] = tag_slug
        env.globals["direction"] = direction
        env.globals["Markup"] = Markup
        env.filters["first_line"] = first_line
        _JINJA.clear()
        _JINJA[key] = env
    return env


def first_line(html: str) -> str:
    """The text of an HTML fragment's first paragraph (up to a hard line break), tags
    stripped: what a remark shows of the author's reply, shortened by the template."""
    return _first_line(str(html))


@lru_cache(maxsize=256)
def _first_line(html: str) -> str:
    # every remark of a critique shows its one reply: made once (striptags is slow)
    head = re.split(r"</p>|<br\s*/?>", html.strip(), maxsplit=1)[0]
    return " ".join(Markup(head).striptags().split())


class LazyEnvironment:
    """Stands in for the Jinja environment until a template is needed, so a
    build that renders nothing never loads Jinja."""

    def __init__(self, theme: Theme):
        self.theme = theme

    def get_template(self, name: str):
        return jinja_for(self.theme).get_template(name)


class TemplateFailure(Exception):
    """A template failed in a worker process: (template file, line, message,
    not found?) as plain arguments, so that it crosses back to the build."""

    def __init__(self, path: str, line: int, message: str, not_found: bool):
        super().__init__(path, line, message, not_found)


def template_problem(exc: BaseException, root: Path) -> ContentError | None:
    """What went wrong in a template, at its file and line, or None when ``exc``
    is not a template's error (a bug of counterpoint's stays a bug)."""
    found = exc.args if isinstance(exc, TemplateFailure) else locate_template_error(exc)
    if found is None:
        return None
    path, line, message, not_found = found
    shown = display_path(Path(path), root) if path else "templates"
    if not_found:
        hint = (
            "a template can extend or include the theme's templates (base.html, partials/…) and the files in templates/"
        )
    elif shown.startswith("templates/"):
        hint = "this is your own version of a theme template (templates/): fix it, or delete it to use the theme's"
    else:
        hint = "fix the theme's template"
    return ContentError(shown, line, message, hint)


def locate_template_error(exc: BaseException) -> tuple[str, int, str, bool] | None:
    """(template file, line, message, whether a template was not found) of a Jinja
    error, or of an error a template's own code raised (``{{ 1 / 0 }}``, a template
    that includes itself); None for any other exception."""
    jinja2 = sys.modules.get("jinja2")
    if jinja2 is None:
        return None
    # Jinja puts the template's own file and line into the traceback
    stack = traceback.extract_tb(exc.__traceback__)
    frames = [f for f in stack if not f.filename.endswith(".py") and not f.filename.startswith("<")]
    if not isinstance(exc, jinja2.TemplateError):
        if isinstance(exc, RecursionError) and frames:
            # the line that goes round: the template line most often on the stack
            path, line = Counter((f.filename, f.lineno or 0) for f in frames).most_common(1)[0][0]
            return path, line, "template error: templates include, extend or call one another without end", False
        if (
            isinstance(exc, ArithmeticError | LookupError | TypeError | ValueError | AttributeError)
            and frames
            and _raised_by_the_template(stack, frames[-1])
        ):
            return (*_blame(frames, f"template error: {exc}"), False)
        return None
    path, line = "", 0
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        path, line = exc.filename, exc.lineno or 0
    elif frames:
        path, line = frames[-1].filename, frames[-1].lineno or 0
    if isinstance(exc, jinja2.TemplatesNotFound):
        message = f"template not found: {', '.join(map(str, exc.templates))}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        message = f"template '{exc.name}' not found"
    elif isinstance(exc, jinja2.TemplateSyntaxError):
        message = f"template syntax error: {exc.message}"
    else:
        return (*_blame(frames, f"template error: {exc.message or type(exc).__name__}"), False)
    return path, line, message, isinstance(exc, jinja2.TemplateNotFound)


def _raised_by_the_template(stack: traceback.StackSummary, last: traceback.FrameSummary) -> bool:
    """Whether the template's own expression raised, or a Jinja filter or test it gave
    what it cannot take (``"%s %s"|format(1)``, ``page|dictsort``, ``page|tojson``, down
    into the standard library): the template's error.  Raised in counterpoint's own
    code, which the template called, it is a bug and stays one."""
    called = list(stack)[[id(f) for f in stack].index(id(last)) + 1 :]
    own = str(Path(__file__).parents[1]) + os.sep  # counterpoint's package, as its frames name it
    return not any(f.filename.startswith(own) for f in called)


def _blame(frames: list[traceback.FrameSummary], message: str) -> tuple[str, int, str]:
    """(file, line, message) of a template's error at its innermost template frame; when
    that is the built-in theme's own (a partial a site's template includes without the
    values it needs), at the site's template that called it, which the site can fix."""
    if not frames:
        return "", 0, message
    last = frames[-1]
    if not shipped_file(last.filename):
        return last.filename, last.lineno or 0, message
    caller = next((f for f in reversed(frames) if not shipped_file(f.filename)), None)
    if caller is None:
        return last.filename, last.lineno or 0, message
    name = Path(last.filename).relative_to(builtin_themes_dir()).as_posix().split("/templates/", 1)[-1]
    return caller.filename, caller.lineno or 0, f"{message} (in the theme's {name}, line {last.lineno or 0})"
