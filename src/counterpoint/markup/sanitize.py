"""The last gate for reader text: nh3 with an allow-list.

The reader dialect already emits no raw HTML and no unsafe links; this is the
belt to that pair of braces, so a parser bug cannot become a script.
"""

from __future__ import annotations

import secrets

import nh3

TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "del",
    "s",
    "code",
    "pre",
    "span",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "sup",
    "sub",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "loading", "decoding", "width", "height"},
    "code": {"class"},
    "pre": {"class", "data-lang"},
    "span": {"class"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}
# MathML (formulas in reader text become MathML, see mathml.py): its elements, and
# only attributes that change how a formula looks, never one that holds a link,
# a style or a script (href, xlink:href, style, on…, definitionURL are not here)
MATHML_TAGS = {
    "math",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mfrac",
    "msqrt",
    "mroot",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "merror",
}
_MATHML_LOOKS = {
    "mathvariant",
    "mathsize",
    "displaystyle",
    "scriptlevel",
    "dir",
}
MATHML_ATTRIBUTES = {
    "math": {"display"} | _MATHML_LOOKS,
    "mo": {
        "fence",
        "form",
        "stretchy",
        "separator",
        "lspace",
        "rspace",
        "accent",
        "largeop",
        "movablelimits",
        "symmetric",
        "minsize",
        "maxsize",
    }
    | _MATHML_LOOKS,
    "mspace": {"width", "height", "depth", "linebreak"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
    "mfrac": {"linethickness"} | _MATHML_LOOKS,
    "mover": {"accent"} | _MATHML_LOOKS,
    "munder": {"accentunder"} | _MATHML_LOOKS,
    "munderover": {"accent", "accentunder"} | _MATHML_LOOKS,
    "mtable": {
        "columnalign",
        "rowalign",
        "columnlines",
        "rowlines",
        "columnspacing",
        "rowspacing",
        "frame",
        "framespacing",
    }
    | _MATHML_LOOKS,
    "mtr": {"columnalign", "rowalign"},
    "mtd": {"columnalign", "rowalign", "columnspan", "rowspan"} | _MATHML_LOOKS,
    "menclose": {"notation"},
    **{tag: set(_MATHML_LOOKS) for tag in ("mi", "mn", "mtext", "mrow", "mstyle", "msub", "msup", "msubsup")},
}
SCHEMES = {"http", "https", "mailto"}


_CLEANER = nh3.Cleaner(  # the allow-list is built once, not on every call
    tags=TAGS | MATHML_TAGS,
    attributes={**ATTRIBUTES, **MATHML_ATTRIBUTES},
    url_schemes=SCHEMES,
    link_rel="nofollow noopener ugc",
    filter_style_properties={"text-align"},
)


def clean(html: str) -> str:
    return _CLEANER.clean(html)


# A paragraph no reader can write (it holds a random per-process token): pieces of one
# critique are joined by it and sanitized in one call, then split again.
_SEPARATOR = f"<p>cp-piece-{secrets.token_hex(16)}</p>"


def clean_many(pieces: list[str]) -> list[str]:
    """``[clean(p) for p in pieces]``, in one pass of the sanitizer."""
    if len(pieces) < 2:
        return [clean(p) for p in pieces]
    parts = clean(_SEPARATOR.join(pieces)).split(_SEPARATOR)
    if len(parts) != len(pieces):  # cannot happen with well-formed pieces; never trust it blindly
        return [clean(p) for p in pieces]
    return parts
