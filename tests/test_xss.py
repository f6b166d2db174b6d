"""Reader text is untrusted: nothing a critique says can run script, forge a UPD or clobber an id.

A corpus of hostile Markdown and HTML goes through every place reader text
reaches the page (a critique's general text, remarks, replies, front matter
author and source, reply names); every HTML file of the output, the feeds and
annotations.json are then parsed and checked.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sitefactory import Element, build, check, critique, essay, make_site, parse_html

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">raw link</a>',
    '<div onclick="alert(1)" id="readerid">div</div>',
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<style>body{display:none}</style><form action="javascript:alert(1)"><button formaction="javascript:alert(1)">go</button></form>',
    '<base href="javascript:alert(1)//"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<details open ontoggle=alert(1)>x</details>",
    "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](&#106;avascript:alert(1))",
    "[d](&#x6A;avascript&#58;alert(1)) [e](java&#x09;script:alert(1)) [f](<javascript:alert(1)>)",
    "[g](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [h](vbscript:msgbox(1))",
    "[i](DATA:text/html,hi) [j](%20javascript:alert(1)) [k](jav&#x0A;ascript:alert(1))",
    "<javascript:alert(1)> <data:text/html,hi> <vbscript:msgbox(1)> <https://fine.example/ok>",
    "![img](javascript:alert(1)) ![img2](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[ref link][evil]\n\n[evil]: javascript:alert(1)",
    "[x]{onclick=alert(1)} [y]{#location .claim} *z*{onmouseover=alert(1)}",
    "{#clobber .claim onclick=alert(1)}\nA paragraph with block attributes.",
    "```html\n<script>alert(1)</script>\n```",
    '[title](https://fine.example/ "x\\" onmouseover=\\"alert(1)")',
]
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
READER_WORDS = {"location", "clobber", "readerid", "evil", "fn1", "fnref1", "claim-id"}

CORPUS = "\n\n".join(PAYLOADS)
CRITIQUE_BODY = f"""
# location

## clobber

{CORPUS}

Footnote attempt[^1].

[^1]: a reader footnote

\\::: upd 2026-01-20 re=hostile corrects=#lift
A forged correction.
\\:::

::: on #lift
# location

{CORPUS}
:::

::: reply {HOSTILE_NAME}, 2026-01-13
{CORPUS}
:::

::: reply "><script>alert(1)</script>, 2026-01-14
{CORPUS}
:::
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory):
    root = make_site(
        tmp_path_factory.mktemp("xss"),
        {
            "content/essays/e/index.md": essay(
                "Essay", "[The Moon lifts water.]{.claim #lift}\n\n::: upd 2026-01-18\nReal one.\n:::\n"
            ),
            "content/essays/e/critiques/hostile.md": critique(
                HOSTILE_NAME, CRITIQUE_BODY, source='https://example.org/"><script>alert(1)</script>'
            ),
            "content/essays/e/critiques/second.md": critique(
                '"><svg onload=alert(1)>', '::: on "Moon lifts"\n' + CORPUS + "\n:::\n", stance="refutes"
            ),
        },
    )
    result = build(root)
    assert result.ok, "\n".join(result.report.errors)
    return result


_BAD_SCHEME = re.compile(r"^(javascript|data|vbscript):")
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"}


def _url_is_hostile(value: str) -> bool:
    decoded = html.unescape(html.unescape(value))
    probe = re.sub(r"[\x00-\x20\x7f]+", "", decoded).lower()
    return bool(_BAD_SCHEME.match(probe))


def assert_safe(document: Element, where: str) -> None:
    for element in document.iter():
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), f"{where}: <{element.tag} {name}=…>"
            if name.lower() in _URL_ATTRS and value:
                assert not _url_is_hostile(value), f"{where}: <{element.tag} {name}={value!r}>"
        assert element.tag not in ("iframe", "object", "embed", "base", "form", "style", "svg", "math"), where
        if element.tag == "meta":
            assert element.get("http-equiv") is None, where
        if element.tag == "script":
            # only the theme's own scripts: loaded from the site, or inline without reader words
            src = element.get("src")
            assert (src or "").startswith("/static/") or (src is None and "alert" not in element.text()), where


def _reader_parts(page: Element) -> list[Element]:
    return page.find_all("article", "critique") + page.find_all("aside", "remark")


def test_no_script_handler_or_hostile_url_in_any_output_file(hostile_site) -> None:
    files = hostile_site.html_files()
    assert len(files) >= 5
    for path in files:
        assert_safe(parse_html(path.read_text(encoding="utf-8")), str(path))
    for path in hostile_site.out.rglob("*.xml"):
        tree = ET.parse(path)  # well-formed, whatever the author names were
        for node in tree.iter():
            if node.get("type") == "html" and node.text:
                assert_safe(parse_html(node.text), f"{path} <{node.tag}>")
    data = json.loads((hostile_site.out / "essays/e/annotations.json").read_text(encoding="utf-8"))
    fragments = [c["html"] for c in data["critiques"]]
    fragments += [r["html"] for c in data["critiques"] for r in c["remarks"] + c["replies"]]
    for fragment in fragments:
        assert_safe(parse_html(fragment), "annotations.json")


def test_reader_text_really_reached_the_page(hostile_site) -> None:
    page = parse_html(hostile_site.page("essays/e/"))
    hostile = page.find(id="critique-hostile")
    assert hostile is not None
    text = hostile.text()
    assert "<script>alert(1)</script>" in text, "raw HTML is shown as text, not dropped silently"
    assert "A forged correction." in text
    assert len(page.find_all("aside", "remark")) == 2
    assert len(hostile.find_all(cls="reply")) == 2
    # the one safe link in the corpus is kept, and marked as a reader's link
    fine = [a for a in hostile.find_all("a") if a.get("href") == "https://fine.example/ok"]
    assert fine and "ugc" in fine[0].get("rel")


def test_hostile_names_are_text(hostile_site) -> None:
    page = parse_html(hostile_site.page("essays/e/"))
    authors = [a.text() for a in page.find_all(cls="critique-author")]
    assert HOSTILE_NAME in authors and '"><svg onload=alert(1)>' in authors
    reply_authors = [a.text() for a in page.find(id="critique-hostile").find_all(cls="reply-author")]
    assert reply_authors == [HOSTILE_NAME, '"><script>alert(1)</script>']
    assert not any(r.has("data-by-author") for r in page.find_all(cls="reply"))
    source = page.find(id="critique-hostile").find("a", "source")
    assert source.get("href") == 'https://example.org/"><script>alert(1)</script>'


def test_no_upd_forged_by_a_critique(hostile_site) -> None:
    page = parse_html(hostile_site.page("essays/e/"))
    upds = page.find_all(cls="upd")
    assert [u.get("id") for u in page.find_all("section", "upd")] == ["upd-2026-01-18"]
    for part in _reader_parts(page):
        assert not part.find_all(cls="upd")
    assert page.find(id="lift").get("data-corrected-by") is None
    assert page.find(id="critique-hostile").get("data-status") == "open"
    assert upds, "the essay's own UPD is there"
    corrections = parse_html(hostile_site.page("corrections/"))
    assert "A forged correction." not in corrections.text()


def test_a_upd_written_in_a_critique_is_refused(tmp_path) -> None:
    """Unescaped (the inbox escapes reader text's ``:::`` lines, as the hostile critique
    above has them), a ``::: upd`` in a critique is an error, not a UPD nor text."""
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("Essay", "[The Moon lifts water.]{.claim #lift}\n"),
            "content/essays/e/critiques/forger.md": critique(
                "forger", "::: upd 2026-01-20 re=forger corrects=#lift\nA forged correction.\n:::\n"
            ),
        },
    )
    result = build(root)
    assert not result.ok
    assert result.report.errors[0].splitlines()[0] == (
        "content/essays/e/critiques/forger.md:5:1: error: '::: upd' is the essay's author's: a critique cannot hold one"
    )
    assert not (root / "public").exists()


def test_no_id_or_claim_from_reader_text(hostile_site) -> None:
    page = parse_html(hostile_site.page("essays/e/"))
    ids = [e.get("id") for e in page.iter() if e.has("id")]
    assert not READER_WORDS & set(ids), "a critique heading `# location` must not create id=location"
    for part in _reader_parts(page):
        inner = [e for e in part.iter() if e is not part]
        assert [e.get("id") for e in inner if e.has("id")] == [], "the only id is the element's own, prefixed"
        assert part.get("id").startswith(("critique-", "remark-"))
        assert not [e for e in inner if e.has("data-claim") or "claim" in e.classes]
        assert not [e for e in inner if e.has("name")]
    # the reader's headings are demoted under the critique heading
    assert page.find(id="critique-hostile").find("h3", "") is not None
    assert page.find(id="critique-hostile").find("h1") is None


@pytest.mark.parametrize(
    "source",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,hi",
        "vbscript:msgbox(1)",
        " javascript:alert(1)",
        "//evil",
    ],
)
def test_source_must_be_an_http_url(tmp_path: Path, source: str) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "Text."),
            "content/essays/e/critiques/c.md": critique("a", "Hi.", source=source),
        },
    )
    errors = check(root)
    assert [(e.path, e.line) for e in errors] == [("content/essays/e/critiques/c.md", 4)]
    assert errors[0].message.startswith("'source' must be an http(s) URL")


@pytest.mark.parametrize(
    "name", [HOSTILE_NAME, '"><svg onload=alert(1)>', "a b", "x'onmouseover=alert(1)", "re,list", "a#b", "-x"]
)
def test_hostile_critique_file_names_are_refused(tmp_path: Path, name: str) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "Text."),
            f"content/essays/e/critiques/{name}.md": critique("a", "Hi."),
        },
    )
    result = build(root)
    assert not result.ok
    assert not result.out.exists() or not any(result.out.iterdir()), "nothing is written"
    (error,) = check(root)
    assert (error.path, error.line) == (f"content/essays/e/critiques/{name}.md", 1)
    assert error.message == f"critique file name '{name}' cannot be used as a critique id"
    assert error.hint.startswith("UPDs cite a critique by its file name")


def test_unusual_but_safe_critique_file_names_build(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "::: upd 2026-01-20 re=критика,v2.1\nThanks.\n:::\n\nText."),
            "content/essays/e/critiques/критика.md": critique("a", "Hi."),
            "content/essays/e/critiques/v2.1.md": critique("b", "Hi."),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    page = parse_html(result.page("essays/e/"))
    assert {c.get("id"): c.get("data-status") for c in page.find_all("article", "critique")} == {
        "critique-критика": "addressed",
        "critique-v2.1": "addressed",
    }
