"""``$…$`` and ``$$…$$`` in Markdown, turned into MathML when the page is built.

The dollar syntax is mdit-py-plugins' ``dollarmath``; the LaTeX becomes MathML
with ``latex2mathml``, so a page with formulas needs no script and asks no other
server for anything.  A core rule converts every math token right after
parsing, and what cannot be converted goes into the ``Collected.problems`` of ``env`` (``markup/env.py``) with its
line, like every other problem of a Markdown file.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any
from xml.etree.ElementTree import Element, tostring

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.dollarmath import dollarmath_plugin

from counterpoint.markup.env import collecting

_MATH_TYPES = ("math_inline", "math_inline_double", "math_block", "math_block_label")
_HINT = "fix the formula; write \\$ for a dollar sign that does not start math"


def math_plugin(md: MarkdownIt) -> None:
    """Add ``$…$`` (inline), ``$$…$$`` (display) and their MathML rendering to ``md``.

    Like pandoc, ``$`` opens math only when no space follows it and closes it only
    when no space comes before it and no digit after it: "$5 and $10" stays text.
    """
    dollarmath_plugin(md, allow_space=False, allow_digits=False, double_inline=True, allow_labels=False)
    md.core.ruler.push("counterpoint_math", convert_math)
    for kind in _MATH_TYPES:
        md.add_render_rule(kind, _render_math)


def _render_math(self: Any, tokens: list, idx: int, options: Any, env: dict) -> str:
    token = tokens[idx]
    return token.meta.get("mathml", "") if token.meta else ""


def convert_math(state: StateCore) -> None:
    """Give every math token its MathML (``token.meta["mathml"]``); a formula that
    cannot be converted is recorded in ``Collected.problems`` and shown as code."""
    problems = collecting(state.env).problems
    for token in state.tokens:
        if token.type in ("math_block", "math_block_label"):
            line = token.map[0] + 1 if token.map else 0
            token.meta = {"mathml": _mathml_or_problem(token.content, True, line, problems) + "\n"}
        elif token.type == "inline" and token.children and "$" in token.content:
            line = token.map[0] + 1 if token.map else 0
            for child in token.children:
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif child.type in ("math_inline", "math_inline_double"):
                    child.meta = {
                        "mathml": _mathml_or_problem(child.content, child.type == "math_inline_double", line, problems)
                    }


def _mathml_or_problem(latex: str, display: bool, line: int, problems: list) -> str:
    try:
        return to_mathml(latex, display)
    except LatexError as exc:
        shown = " ".join(latex.split())
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        problems.append((line, f"cannot read the formula '{shown}': {exc}", _HINT))
        return f"<code>{html.escape(latex)}</code>"


class LatexError(ValueError):
    """A formula that is not LaTeX that counterpoint can turn into MathML."""


_ERROR_WORDS = re.compile(r"(?<!^)(?=[A-Z])")
_MESSAGES = {  # latex2mathml's exception names, as a writer of LaTeX says them
    "DenominatorNotFound": "\\frac has no denominator",
    "NumeratorNotFound": "\\frac has no numerator",
    "DoubleSubscripts": "double subscript: write x_{ab} or {x_a}_b",
    "DoubleSuperscripts": "double superscript: write x^{ab} or {x^a}^b",
    "ExtraLeftOrMissingRight": "\\left without a matching \\right",
    "MissingEnd": "\\begin{…} without a matching \\end{…}",
    "MissingSuperScriptOrSubscript": "^ or _ with nothing after it",
    "NoAvailableTokens": "a command is missing its argument",
    "LimitsMustFollowMathOperator": "\\limits must follow an operator such as \\sum",
}
_UNKNOWN = re.compile(r"\\[A-Za-z]+")


@lru_cache(maxsize=4096)
def to_mathml(latex: str, display: bool = False) -> str:
    """The MathML of ``latex``; ``LatexError`` says what is wrong with it.

    latex2mathml's own ``convert`` unescapes its whole output (so ``\\text{<b>}``
    would come out as a tag): the element tree is serialized here instead, its
    texts first decoded from the entity strings latex2mathml keeps in them.
    """
    from latex2mathml.converter import convert_to_element  # lazily: only a page with math loads it

    unbalanced = _unbalanced_brace(latex)
    if unbalanced:
        raise LatexError(unbalanced)
    try:
        math = convert_to_element(latex, display="block" if display else "inline")
    except Exception as exc:  # noqa: BLE001 - latex2mathml's errors share no base class
        name = type(exc).__name__.removesuffix("Error")
        words = _MESSAGES.get(name) or _ERROR_WORDS.sub(" ", name).lower() or "not valid LaTeX"
        raise LatexError(words + (f" ({exc})" if str(exc) else "")) from None
    for element in math.iter():
        if element.tag in ("mi", "mo") and element.text and _UNKNOWN.fullmatch(element.text):
            raise LatexError(f"unknown command {element.text}")
        if element.text:
            element.text = html.unescape(element.text)
        if element.tail:
            element.tail = html.unescape(element.tail)
    return _serialize(math)


def _serialize(math: Element) -> str:
    math.attrib.pop("xmlns", None)  # implied by the <math> element in HTML
    return tostring(math, encoding="unicode", short_empty_elements=False)


def _unbalanced_brace(latex: str) -> str:
    depth = 0
    escaped = False
    for char in latex:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return "a '}' closes no '{'"
    return "a '{' is never closed" if depth > 0 else ""
