"""Reader text brought in by counterpoint never becomes structure (DESIGN §3).

The property: whatever a reader wrote, once neutralized and placed in a
critique file between the parts counterpoint writes (front matter, a remark,
the general text, an author's reply), the file parses to exactly those parts,
and the reader's words are all still there."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitefactory import SITE_AUTHOR, make_site

from counterpoint.essay.parse import parse_critique
from counterpoint.inbox.neutralize import neutralize
from counterpoint.model import FileRef
from counterpoint.source.config import load_config

# lines made of the pieces that matter: markers of directives, quotes, lists, fences, front matter
_PIECES = st.sampled_from(
    [
        ":::",
        "::::",
        ":",
        " ",
        "  ",
        "    ",
        "\t",
        ">",
        "> ",
        "- ",
        "* ",
        "+ ",
        "1. ",
        "2) ",
        "```",
        "~~~",
        "---",
        "+++",
        "...",
        "reply",
        "on",
        "upd",
        f" {SITE_AUTHOR}, 2026-01-02",
        ' "x"',
        "#x",
        "\r",
        "\r\n",
        "\n",
        "\n\n",
        "a",
        "Ж",
        "\ufeff",
        "\u2028",
        "\x0b",
        "\x0c",
        "\x85",
        "\0",
        "`",
        "\\",
        "|",
    ]
)
READER_TEXT = st.one_of(st.lists(_PIECES, max_size=40).map("".join), st.text(max_size=200))


def _parse(site: Path, text: str):
    config = load_config(site)
    path = site / "content/essays/e/critiques/c.md"
    return parse_critique(FileRef(path, "content/essays/e/critiques/c.md", ""), text.encode(), config, SITE_AUTHOR)


def _file(reader: str) -> str:
    safe = neutralize(reader)
    return (
        '---\nauthor: "reader"\ndate: 2026-01-01\nstance: notes\n---\n'
        + safe
        + "\n\n"
        + '::: on "a passage"\n'
        + safe
        + "\n:::\n\n"
        + safe
        + "\n\n"
        + f"::: reply {SITE_AUTHOR}, 2026-01-03\nThe author's answer.\n:::\n"
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reader=READER_TEXT)
def test_no_reader_text_becomes_structure(tmp_path: Path, reader: str) -> None:
    site = tmp_path / "site"
    if not site.exists():
        make_site(site, {})
    critique, errors = _parse(site, _file(reader))
    assert errors == []
    assert critique is not None
    assert (critique.author, critique.stance, critique.source, critique.declared_status) == ("reader", "notes", "", "")
    assert [r.target for r in critique.remarks] == ["a passage"]
    assert [(r.author, r.by_author) for r in critique.replies] == [(SITE_AUTHOR, True)]
    assert "The author&#x27;s answer." in critique.replies[0].html or "The author's answer." in critique.replies[0].html


@given(reader=READER_TEXT)
def test_only_backslashes_and_a_closing_fence_are_added(reader: str) -> None:
    """The reader's words stay: removing what neutralize adds gives the text back
    (newlines normalized as Markdown reads them, control characters and a leading BOM dropped)."""
    safe = neutralize(reader)
    expected = re.sub(r"\r\n?|[\v\f\x85\u2028\u2029]", "\n", reader)
    expected = re.sub(r"[\x00-\x08\x0e-\x1f]", "", expected).removeprefix("\ufeff")
    ops = difflib.SequenceMatcher(None, expected, safe, autojunk=False).get_opcodes()
    assert all(op in ("equal", "insert") for op, *_ in ops)
    added = "".join(safe[j1:j2] for op, _, _, j1, j2 in ops if op == "insert")
    assert set(added) <= set("\\\n`~")


def test_examples_stay_visible_as_text() -> None:
    assert neutralize("::: reply Vera Lind, 2026-12-07\nI am the author.\n:::") == (
        "\\::: reply Vera Lind, 2026-12-07\nI am the author.\n\\:::"
    )
    assert neutralize("> - ::: upd 2026-01-01") == "> - \\::: upd 2026-01-01"
    assert neutralize("---\nauthor: x\n---") == "\\---\nauthor: x\n---"
    assert neutralize("+++\n") == "\\+++\n"
    assert neutralize("ratio 3:::4 and :: two") == "ratio 3:::4 and :: two"
    assert neutralize("```\ncode") == "```\ncode\n``````\n"
