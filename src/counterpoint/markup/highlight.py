"""Fenced code highlighting with Pygments: CSS classes only, no inline styles."""

from __future__ import annotations

from functools import lru_cache

from markdown_it.common.utils import escapeHtml
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True, classprefix="")


@lru_cache(maxsize=64)
def lexer_for(name: str):
    """The Pygments lexer of a language name (None if Pygments has none), made once
    per process: ``lexer_for.cache_info()`` says which this process has made."""
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def language(info: str) -> str:
    """The language a fence names: the first word of its info string (```` ```python {.x} ````)."""
    words = info.split(maxsplit=1)
    return words[0] if words else ""


def prepare(languages: tuple[str, ...] | list[str]) -> None:
    """Make the lexers of ``languages`` now: Pygments compiles a lexer's rules the
    first time it is used in a process, tens of milliseconds for some languages."""
    for name in languages:
        lexer_for(name.lower())


def highlight(code: str, lang: str, attrs: str) -> str:
    """Return a whole ``<pre>`` so markdown-it does not wrap it again."""
    name = language(lang or "")
    lexer = lexer_for(name.lower()) if name else None
    lang_attr = f' data-lang="{escapeHtml(name)}"' if name else ""
    if lexer is None:
        return f'<pre class="highlight"{lang_attr}><code>{escapeHtml(code)}</code></pre>\n'
    body = pygments_highlight(code, lexer, _FORMATTER)
    return f'<pre class="highlight"{lang_attr}><code>{body}</code></pre>\n'


def stylesheet() -> str:
    """Light and dark token colours, scoped to ``.highlight``."""
    light = HtmlFormatter(style="xcode", classprefix="").get_style_defs(".highlight")
    dark = HtmlFormatter(style="lightbulb", classprefix="").get_style_defs(".highlight")
    dark_rules = "\n".join(
        line for line in dark.splitlines() if not line.startswith(("pre {", ".highlight .hll", "td.", "span.lineno"))
    )
    light_rules = "\n".join(line for line in light.splitlines() if not line.startswith(("pre {", "td.", "span.lineno")))
    return (
        "/* Pygments token colours (generated) */\n"
        + light_rules.replace(".highlight  {", ".highlight {")
        + "\n@media (prefers-color-scheme: dark) {\n"
        + dark_rules
        + "\n}\n"
    )
