"""A post's body: Hugo shortcodes and Liquid tags converted to Markdown where they
have a counterpart, the others kept as text and reported at their line.

Code blocks are left alone, as examples, with two exceptions that follow what the
old generator showed: Jekyll runs Liquid over the whole file, so ``{% raw %}``
markers go in code too; Hugo shows an escaped shortcode ``{{</* x */>}}`` as
``{{< x >}}``, in code and out of it.  A ``{% comment %}`` is left out (its text was
never published); a shortcode written over several lines is read as one.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from counterpoint.errors import ContentError
from counterpoint.importer.post import MARKDOWN, Post, warning
from counterpoint.source.content import name_parts

_SHORTCODE = re.compile(r"\{\{([<%])\s*(/?)\s*([\w./-]+)(.*?)\s*/?\s*[>%]\}\}", re.DOTALL)
_ESCAPED = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.DOTALL)  # {{</* x */>}}: Hugo shows {{< x >}}
_OPENER = re.compile(r"\{\{[<%]")
_CLOSER = re.compile(r"[>%]\}\}")
_LONGEST = 30  # lines a shortcode may run over
_LIQUID_TAG = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}")
_LIQUID_OUT = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_MARKER = re.compile(r"(\{%-?\s*(?:end)?(?:raw|comment)\s*-?%\})")  # what a Liquid block opens and closes
_LINK = re.compile(r"(\]\()([^()\s]+)(\))")  # a Markdown link's address: [text](address)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_IAL = re.compile(r"\{:[^{}]*\}")  # kramdown's block attributes, a line of their own: {: .notice}, {:toc}
_TOC_IAL = re.compile(r"\{:\s*toc\s*\}")
_LIST_ITEM = re.compile(r"\s*(?:[*+-]|\d+\.)\s+\S")
_BASEURL = re.compile(r"\{\{-?\s*site\.(?:baseurl|url)\s*-?\}\}")
_RELATIVE_URL = re.compile(r"""\{\{-?\s*(["'])(.*?)\1\s*\|\s*(?:relative_url|absolute_url)\s*-?\}\}""")


class Body:
    """Converts one post's body, line by line, counting and reporting as it goes."""

    def __init__(self, post: Post, kind: str, by_name: dict[str, Post]):
        self.post, self.kind, self.by_name = post, kind, by_name
        self.warnings: list[ContentError] = []
        self.kept = 0
        self.done = 0
        self.raw = False  # Jekyll: inside {% raw %}
        self.comment = False  # Jekyll: inside {% comment %}
        self.pending: list[str] = []  # Hugo: the lines of a shortcode not closed yet
        self.pending_at = 0
        self.toc = False  # Jekyll: kramdown's "* TOC" / "{:toc}", which is counterpoint's toc: true
        # the posts by the address the old generator gave them, for relative links between them
        self.by_url = {p.old_url.strip("/").lower(): p for p in by_name.values()}

    def warn(self, line: int, message: str, hint: str = "") -> None:
        self.warnings.append(warning(self.post.rel, line, message, hint))

    def convert(self, body: str, first_line: int) -> str:
        out: list[str] = []
        fence = ""
        for number, line in enumerate(body.split("\n"), first_line):
            if self.pending:
                out += self.more(line)
                continue
            opener = _FENCE.match(line)
            if fence:
                if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                    fence = fence if line.strip()[len(opener.group(1)) :].strip() else ""
                out += self.code(line)
            elif opener and not self.raw and not self.comment:  # Markdown code: shortcodes and tags are examples
                fence = opener.group(1)
                out += self.code(line)
            elif self.kind == "Jekyll" and _IAL.fullmatch(line.strip()) and not self.raw and not self.comment:
                out += self.kramdown(line, number, out)
            else:
                out += self.hugo(line, number) if self.kind == "Hugo" else self.jekyll(line, number)
        if self.pending:  # a shortcode never closed
            self.unclosed()
            out += self.pending
        return "\n".join(out)

    def kramdown(self, line: str, number: int, out: list[str]) -> list[str]:
        """A line of kramdown's attributes: ``{:toc}`` (with the list item above it, which
        kramdown replaces) is the essay's ``toc: true``, ``{:.no_toc}`` is dropped (the table
        lists every ## and ###), any other is kept as text and said."""
        ial = line.strip()
        if _TOC_IAL.fullmatch(ial):
            if out and _LIST_ITEM.match(out[-1]):
                out.pop()
            self.toc, self.done = True, self.done + 1
            return []
        if "no_toc" in ial:
            self.done += 1
            return []
        self.kept += 1
        self.warn(
            number,
            f"a kramdown attribute list {ial}: kept as text",
            "counterpoint writes {.class} on the line before the block",
        )
        return [line]

    def code(self, line: str) -> list[str]:
        """A line of a code block: only what the old generator changed there too."""
        if self.kind == "Hugo":
            return [_ESCAPED.sub(_unescape, line)]
        pieces = []
        for piece in _MARKER.split(line):
            if _MARKER.fullmatch(piece) and "raw" in piece:
                self.raw = "end" not in piece
                self.done += 1
            else:
                pieces.append(piece)
        return ["".join(pieces)]

    # ---------------------------------------------------------------- Hugo

    def hugo(self, line: str, number: int) -> list[str]:
        plain = _ESCAPED.sub("", line)
        if len(_OPENER.findall(plain)) > len(_CLOSER.findall(plain)):  # {{< figure ⏎ src=… ⏎ >}}
            self.pending, self.pending_at = [line], number
            return []
        return [self.shortcodes(_LINK.sub(self.relative_link, line), number)]

    def relative_link(self, match: re.Match) -> str:
        """A relative link to another post (``../papermod/faq/#x``): the browser resolved it
        against the post's old address, so it is followed to that post's essay."""
        url = match.group(2)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path or url.startswith("/"):
            return match.group(0)
        here = "/" + self.post.old_url.strip("/") + "/"
        there = posixpath.normpath(posixpath.join(here, parts.path)).strip("/").lower()
        target = self.by_url.get(there)
        if target is None or target is self.post:
            return match.group(0)
        anchor = f"#{parts.fragment}" if parts.fragment else ""
        followed = f"../{target.slug}/{anchor}"
        self.done += followed != url  # (counted as converted when it changes)
        return f"{match.group(1)}{followed}{match.group(3)}"

    def more(self, line: str) -> list[str]:
        """The next line of a shortcode written over several lines."""
        self.pending.append(line)
        text = "\n".join(self.pending)
        plain = _ESCAPED.sub("", text)
        if len(_OPENER.findall(plain)) <= len(_CLOSER.findall(plain)):
            self.pending = []
            return [self.shortcodes(text, self.pending_at)]
        if len(self.pending) < _LONGEST and line.strip():
            return []
        self.unclosed()
        lines, self.pending = self.pending, []
        return lines

    def unclosed(self) -> None:
        self.kept += 1
        self.warn(
            self.pending_at,
            "Hugo shortcode is not closed (no >}} or %}} on the lines after it): kept as text",
            "close it, or convert it by hand",
        )

    def shortcodes(self, text: str, line: int) -> str:
        """``text`` with its shortcodes converted and its escaped ones shown as Hugo shows them."""

        def convert(part: str) -> str:
            return _SHORTCODE.sub(lambda m: self.shortcode(m, line), part)

        return _outside(text, _ESCAPED, convert, _unescape)

    def shortcode(self, match: re.Match, line: int) -> str:
        _, closing, name, args = match.groups()
        params = _params(args)
        if name in ("ref", "relref") and not closing:
            return self.link_to(params.get("0", params.get("path", "")), line, f"{{{{< {name} >}}}}")
        if name == "highlight":
            self.done += 1
            return "```" if closing else "```" + params.get("0", "")
        if name == "figure" and not closing:
            self.done += 1
            alt = params.get("alt") or params.get("caption") or params.get("title") or ""
            title = params.get("title") or params.get("caption") or ""
            return f"![{alt}]({params.get('src', '')}" + (f' "{title}"' if title else "") + ")"
        self.kept += 1
        left, right = ("{{<", ">}}") if match.group(1) == "<" else ("{{%", "%}}")
        self.warn(
            line,
            f"Hugo shortcode {left} {closing}{name} {right} has no counterpart in counterpoint: kept as text",
            "replace it with Markdown or HTML (raw HTML works in essays)",
        )
        return match.group(0)

    # ---------------------------------------------------------------- Jekyll

    def jekyll(self, line: str, number: int) -> list[str]:
        """One line of Liquid: ``raw`` kept as written, ``comment`` left out, the rest converted."""
        pieces = []
        dropped = self.comment
        for piece in _MARKER.split(line):
            marker = _MARKER.fullmatch(piece)
            if self.raw:
                if marker and "endraw" in piece:
                    self.raw, self.done = False, self.done + 1
                else:
                    pieces.append(piece)
            elif self.comment:
                self.comment = not (marker and "endcomment" in piece)
            elif marker and "end" not in piece:
                self.raw, self.comment = "raw" in piece, "comment" in piece
                self.done += 1
                dropped = dropped or self.comment
                if self.comment:
                    self.warn(number, "a Liquid comment: left out", "it was never published; keep its text elsewhere")
            else:
                pieces.append(self.liquid_text(piece, number))
        text = "".join(pieces)
        return [] if dropped and not text.strip() else [text]

    def liquid_text(self, text: str, number: int) -> str:
        text = _BASEURL.sub(lambda m: self.count(""), text)
        text = _RELATIVE_URL.sub(lambda m: self.count(_from_root(m.group(2))), text)
        text = _LIQUID_TAG.sub(lambda m: self.liquid(m, number), text)
        for output in _LIQUID_OUT.finditer(text):
            self.kept += 1
            self.warn(
                number,
                f"Liquid output {{{{ {output.group(1)} }}}} is kept as text",
                "replace it with the text it stood for",
            )
        return text

    def liquid(self, match: re.Match, line: int) -> str:
        name, args = match.group(1), match.group(2).strip()
        if name == "highlight":
            self.done += 1
            return "```" + (args.split()[0] if args else "")
        if name == "endhighlight":
            self.done += 1
            return "```"
        if name == "post_url":
            return self.link_to(args, line, "{% post_url %}")
        if name == "link":
            return self.link_to(args, line, "{% link %}")
        self.kept += 1
        self.warn(
            line,
            f"Liquid tag {{% {name} %}} has no counterpart in counterpoint: kept as text",
            "replace it with Markdown or HTML (raw HTML works in essays)",
        )
        return match.group(0)

    # ---------------------------------------------------------------- both

    def count(self, text: str) -> str:
        self.done += 1
        return text

    def link_to(self, name: str, line: int, what: str) -> str:
        parts = name.strip().strip("\"'").split("#", 1)
        anchor = f"#{parts[1]}" if len(parts) > 1 else ""
        target = self.by_name.get(parts[0].lstrip("/").lower()) or self.by_name.get(
            PurePosixPath(parts[0]).name.lower()
        )
        if target is not None:
            self.done += 1
            return ("./" if target is self.post else f"../{target.slug}/") + anchor
        self.kept += 1
        address = _old_address(parts[0], post="post_url" in what)
        self.warn(
            line,
            f"{what} points at '{parts[0]}', which is not among the imported posts: linked as {address}",
            "import or copy what it points at (content/about.md is the page /about/), or change the link; "
            "check reports the link while nothing is there",
        )
        return address + anchor


def _old_address(name: str, post: bool) -> str:
    """Where a link the import cannot resolve points: a post's essay (../gone/), a page's
    address as counterpoint gives it (about.md: /about/, a collection's _docs/x.md:
    /docs/x/), any other file's own (/x.pdf)."""
    path = PurePosixPath(name.strip().lstrip("/"))
    if path.parts and path.parts[0].startswith("_") and path.parts[0] != "_posts":  # a Jekyll collection
        path = PurePosixPath(path.parts[0][1:], *path.parts[1:])  # _docs/x.md is at /docs/x/
    if post or "_posts" in path.parts:
        return f"../{name_parts(path.stem)[0] or path.stem}/"
    if path.suffix.lower() in (*MARKDOWN, ".html", ".htm"):
        page = path.parent if path.stem == "index" else path.with_suffix("")
        return "/" if str(page) == "." else f"/{page.as_posix()}/"
    return f"/{path.as_posix()}" if str(path) != "." else "/"


def _from_root(value: str) -> str:
    """Jekyll's ``relative_url``: 'about' is /about (it adds the slash)."""
    if urlsplit(value).scheme or value.startswith(("/", "#")):
        return value
    return "/" + value


def _unescape(match: re.Match) -> str:
    left, inner, right = match.groups()
    return f"{{{{{left}{inner}{right}}}}}"


def _outside(text: str, pattern: re.Pattern, convert: Callable[[str], str], found: Callable[[re.Match], str]) -> str:
    """``text`` with ``convert`` applied between the matches of ``pattern``, ``found`` to each match."""
    out: list[str] = []
    at = 0
    for match in pattern.finditer(text):
        out += [convert(text[at : match.start()]), found(match)]
        at = match.end()
    return "".join([*out, convert(text[at:])])


def _params(args: str) -> dict[str, str]:
    """A shortcode's parameters: positional ones as "0", "1"…, named ones by name."""
    try:
        words = shlex.split(args)
    except ValueError:
        words = args.split()
    params: dict[str, str] = {}
    position = 0
    for word in words:
        key, eq, value = word.partition("=")
        if eq and re.fullmatch(r"\w+", key):
            params[key] = value
        else:
            params[str(position)] = word
            position += 1
    return params
