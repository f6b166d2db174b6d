"""Front matter: decoding, fences, safe YAML with line numbers, field validation."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counterpoint.errors import ContentError
from counterpoint.source import frontmatter
from counterpoint.source.frontmatter import (
    Field,
    Stamp,
    load_yaml,
    parse_document,
    parse_stamp,
    read_document,
    validate_meta,
)

ESSAY = (
    Field("title", "str", required=True),
    Field("date", "date", required=True),
    Field("summary", "text", default=""),
    Field("tags", "list"),
    Field("difficulty", "choice", choices=("easy", "medium", "hard")),
    Field("draft", "bool", default=False),
    Field("weight", "int", minimum=0),
    Field("source", "url"),
)


def parse(tmp_path: Path, text: str | bytes, *, untrusted: bool = False, name: str = "essay.md"):
    raw = text.encode() if isinstance(text, str) else text
    path = tmp_path / "content" / name
    return parse_document(raw, path, tmp_path, untrusted=untrusted)


def error_of(tmp_path: Path, text: str | bytes, **kw) -> ContentError:
    with pytest.raises(ContentError) as info:
        parse(tmp_path, text, **kw)
    return info.value


# ----------------------------------------------------------------------------- reading


def test_basic_document(tmp_path: Path) -> None:
    doc = parse(tmp_path, "---\ntitle: Hello\ntags:\n  - a\n  - b\n---\n# Body\n\ntext\n")
    assert doc.meta == {"title": "Hello", "tags": ["a", "b"]}
    assert doc.meta_lines == {"title": 2, "tags": 3}
    assert doc.body == "# Body\n\ntext\n"
    assert doc.body_line == 7
    assert doc.rel == "content/essay.md"
    assert doc.path.is_absolute()


def _split_by_lines(text: str):
    """The definition ``split_front_matter`` implements without splitting the body."""
    lines = text.split("\n")
    if not re.fullmatch(r"---[ \t]*", lines[0]):
        return None
    close = next((i for i in range(1, len(lines)) if re.fullmatch(r"(?:---|\.\.\.)[ \t]*", lines[i])), None)
    if close is None:
        return None, None, None
    return "\n".join(lines[1:close]), "\n".join(lines[close + 1 :]), close + 2


_LINES = st.sampled_from(["---", "--- ", "...", "---x", " ---", "title: a", "", "body", "- x", "....", "---\t"])


@given(st.lists(_LINES, max_size=8), st.booleans())
def test_split_front_matter_is_the_line_based_split(lines: list[str], trailing_newline: bool) -> None:
    text = "\n".join(lines) + ("\n" if trailing_newline else "")
    assert frontmatter.split_front_matter(text) == _split_by_lines(text)


def test_bom_and_crlf(tmp_path: Path) -> None:
    raw = "\ufeff---\r\ntitle: Привет\r\n---\r\nline one\r\nline two\rline three\r\n".encode()
    doc = parse(tmp_path, raw)
    assert doc.meta == {"title": "Привет"}
    assert doc.meta_lines == {"title": 2}
    assert doc.body == "line one\nline two\nline three\n"
    assert doc.body_line == 4


def test_closing_fence_without_newline_and_front_matter_only(tmp_path: Path) -> None:
    doc = parse(tmp_path, "---\ntitle: T\n---")
    assert doc.meta == {"title": "T"} and doc.body == "" and doc.body_line == 4
    doc = parse(tmp_path, "---  \ntitle: T\n...  \n")
    assert doc.meta == {"title": "T"} and doc.body == ""


def test_empty_file_and_no_front_matter(tmp_path: Path) -> None:
    doc = parse(tmp_path, b"")
    assert (doc.meta, doc.meta_lines, doc.body, doc.body_line) == ({}, {}, "", 1)
    doc = parse(tmp_path, "# Just text\n\n--- not a fence\n")
    assert doc.meta == {} and doc.body == "# Just text\n\n--- not a fence\n" and doc.body_line == 1


def test_empty_front_matter(tmp_path: Path) -> None:
    doc = parse(tmp_path, "---\n---\nbody\n")
    assert doc.meta == {} and doc.body == "body\n" and doc.body_line == 3


def test_read_document_from_disk_and_data(tmp_path: Path) -> None:
    path = tmp_path / "content" / "about.md"
    path.parent.mkdir()
    path.write_bytes(b"---\ntitle: About\n---\nHi\n")
    assert read_document(path, tmp_path).meta == {"title": "About"}
    assert read_document(path, tmp_path, data=b"Other\n").body == "Other\n"
    with pytest.raises(ContentError, match="cannot read file"):
        read_document(tmp_path / "content" / "missing.md", tmp_path)


def test_not_utf8_names_offset_and_line(tmp_path: Path) -> None:
    raw = b"---\ntitle: ok\n---\n" + b"caf\xe9\n"
    err = error_of(tmp_path, raw)
    assert err.path == "content/essay.md"
    assert err.line == 4
    assert err.message == "file is not valid UTF-8 (byte 0xe9 at offset 21, line 4)"
    assert err.hint == "save the file as UTF-8"
    assert str(err).startswith("content/essay.md:4:1: error: file is not valid UTF-8")


def test_binary_file(tmp_path: Path) -> None:
    err = error_of(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary" in err.message and "NUL byte at offset 8" in err.message
    err = error_of(tmp_path, "hi".encode("utf-16"))
    assert err.message == "file is UTF-16, not UTF-8"


@pytest.mark.parametrize(
    ("raw", "line", "where"),
    [
        (b'---\ntitle: "X\\x1b[31mY"\n---\nBody.\n', 2, "in front matter"),  # a YAML escape, decoded
        (b"---\ntags: [a, 'b\\x07']\n---\n", 2, "in front matter"),  # (single quotes: not an escape)
        (b'---\nsummary: "bell\\a"\n---\n', 2, "in front matter"),
        (b'---\nslug: "a\\0b"\n---\n', 2, "in front matter"),
        (b'+++\ntitle = "T"\ntags = ["a", "\\u001b"]\n+++\n', 3, "in front matter"),
        (b"---\ntitle: T\n---\nOne.\n\nTwo \x1b[31mred.\n", 6, "in the text"),
        (b"---\ntitle: T\n---\n\x0cpage break\n", 4, "in the text"),
    ],
)
def test_control_characters_are_refused_however_written(tmp_path: Path, raw: bytes, line: int, where: str) -> None:
    """Invisible on the page, and not allowed in XML at all (the feeds): a control
    character is an error at its line, whether typed or written as a YAML escape."""
    if b"'b" in raw:  # single-quoted YAML has no escapes: the text is harmless
        assert parse(tmp_path, raw).meta["tags"] == ["a", "b\\x07"]
        return
    err = error_of(tmp_path, raw)
    assert err.line == line and err.message.startswith("invalid character U+00"), err
    assert where in err.message and "control character" in err.hint


def test_unclosed_front_matter(tmp_path: Path) -> None:
    err = error_of(tmp_path, "---\ntitle: T\n\nBody text\n")
    assert (err.line, err.message) == (1, "front matter is not closed")
    assert "---" in err.hint


# ----------------------------------------------------------------------------- YAML


def test_scalars_stay_strings(tmp_path: Path) -> None:
    doc = parse(tmp_path, "---\ntitle: no\nversion: 1.10\ntime: 10:00\ndate: 2026-02-30\nn: ~\nempty:\n---\n")
    assert doc.meta == {
        "title": "no",
        "version": "1.10",
        "time": "10:00",
        "date": "2026-02-30",
        "n": "~",
        "empty": "",
    }


def test_yaml_syntax_error_has_file_line_and_column(tmp_path: Path) -> None:
    err = error_of(tmp_path, "---\ntitle: ok\nsummary: Part 1: bad\n---\n")
    assert err.line == 3 and err.col == 16  # the second ':'
    assert "mapping values are not allowed" in err.message
    assert "quote values" in err.hint
    assert "quote" in err.hint


def test_unclosed_quote_points_at_its_start(tmp_path: Path) -> None:
    err = error_of(tmp_path, "---\ntitle: ok\nsummary: 'oops\nx: y\n---\n")
    assert err.line == 3 and err.col == 10
    assert "quoted scalar" in err.message


def test_duplicate_keys_report_second_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, "---\ntitle: A\ndate: 2026-01-01\ntitle: B\n---\n")
    assert (err.path, err.line, err.message) == ("content/essay.md", 4, "duplicate key 'title' in front matter")
    err = error_of(tmp_path, "---\nstrings:\n  a: 1\n  a: 2\n---\n")
    assert err.line == 4 and "'a'" in err.message


def test_python_tag_refused_and_never_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    err = error_of(tmp_path, '---\ntitle: x\nboom: !!python/object/apply:os.system ["echo hi"]\n---\n')
    assert err.line == 3
    assert err.message == "YAML tags are not allowed (found '!!python/object/apply:os.system')"
    assert calls == []
    for tag in ("!foo bar", "!!binary aGk=", "!!str 1", "! x"):
        assert "YAML tags are not allowed" in error_of(tmp_path, f"---\nv: {tag}\n---\n").message


def test_alias_refused_when_untrusted(tmp_path: Path) -> None:
    text = "---\nauthor: &a bob\ncopy: *a\n---\n"
    err = error_of(tmp_path, text, untrusted=True)
    assert err.message == "YAML anchors and aliases are not allowed in critiques"
    assert err.line == 2
    assert parse(tmp_path, text).meta == {"author": "bob", "copy": "bob"}


def test_billion_laughs_refused_when_trusted(tmp_path: Path) -> None:
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    lines.append("---")
    err = error_of(tmp_path, "\n".join(lines) + "\n")
    assert "expands to more than 10000 values" in err.message


def test_recursive_alias_refused(tmp_path: Path) -> None:
    err = error_of(tmp_path, "---\na: &x [1, *x]\n---\n")
    assert "refers to itself" in err.message


def test_deep_nesting_refused(tmp_path: Path) -> None:
    err = error_of(tmp_path, "---\na: " + "[" * 500 + "]" * 500 + "\n---\n")
    assert "nested more than" in err.message


def test_front_matter_must_be_mapping(tmp_path: Path) -> None:
    err = error_of(tmp_path, "---\n- a\n- b\n---\n")
    assert err.line == 2 and err.message == "front matter must be 'key: value' lines, not a list"
    assert "key: value" in error_of(tmp_path, "---\njust text\n---\n").message


def test_control_character_in_yaml(tmp_path: Path) -> None:
    err = error_of(tmp_path, "---\ntitle: ok\nx: a\x01b\n---\n")
    assert err.line == 3 and "U+0001" in err.message


def test_load_yaml_whole_file(tmp_path: Path) -> None:
    data, lines = load_yaml(b"# comment\ntitle: T\nauthor: A\n", tmp_path / "site.yml", tmp_path)
    assert data == {"title": "T", "author": "A"} and lines == {"title": 2, "author": 3}
    with pytest.raises(ContentError) as info:
        load_yaml(b"title: T\ntitle: U\n", tmp_path / "site.yml", tmp_path)
    assert (info.value.path, info.value.line) == ("site.yml", 2)


@given(st.text(max_size=200))
def test_never_crashes_on_arbitrary_front_matter(text: str) -> None:
    root = Path("/site")
    try:
        doc = parse_document(f"---\n{text}\n---\nbody".encode(), root / "x.md", root)
    except ContentError as err:
        assert err.line >= 0 and err.message
    else:
        assert isinstance(doc.meta, dict)


def _both_composers(text: str, untrusted: bool = False) -> tuple[object, object]:
    """``load_yaml`` through libyaml's composer and through the checking one."""
    outcomes = []
    root = Path("/site")
    for fast in (True, False):
        original = frontmatter.plain_yaml
        frontmatter.plain_yaml = (lambda t: original(t)) if fast else (lambda t: False)  # noqa: B023 - used in this iteration
        try:
            outcomes.append(frontmatter.load_yaml(text.encode(), root / "x.md", root, untrusted))
        except ContentError as err:
            outcomes.append(("error", err.line, err.col, err.message, err.hint))
        finally:
            frontmatter.plain_yaml = original
    return outcomes[0], outcomes[1]


YAMLISH = st.text(alphabet="ab1 :-[]{},'\"#\n\t?|>.", max_size=120)


@given(YAMLISH, st.booleans())
def test_fast_composer_gives_what_the_checking_one_gives(text: str, untrusted: bool) -> None:
    fast, checked = _both_composers(text, untrusted)
    assert fast == checked


def test_fast_composer_only_for_text_that_needs_no_check() -> None:
    assert frontmatter.plain_yaml("title: T\ndate: 2026-01-02\ntags: [a, b]\n")
    for text in ("a: !!python/object x", "a: &x 1", "b: *x", "a: " + "[" * 70 + "]" * 70):
        assert not frontmatter.plain_yaml(text), text
    nested = "".join(" " * i + f"k{i}:\n" for i in range(60)) + " " * 60 + "v: 1\n"  # 61 maps deep: allowed
    assert frontmatter.plain_yaml(nested)
    fast, checked = _both_composers(nested)
    assert fast == checked and isinstance(fast, tuple) and isinstance(fast[0], dict)
    deeper = "".join(" " * i + f"k{i}:\n" for i in range(70)) + " " * 70 + "v: 1\n"
    assert not frontmatter.plain_yaml(deeper)
    assert "nested more than" in _both_composers(deeper)[0][3]


# ----------------------------------------------------------------------------- fields


def validate(tmp_path: Path, front: str, fields=ESSAY, what: str = "essay"):
    return validate_meta(parse(tmp_path, f"---\n{front}---\nbody\n"), fields, what)


def test_valid_essay(tmp_path: Path) -> None:
    values, errors = validate(
        tmp_path,
        "title: 1.10\ndate: 2026-01-16\ntags: python\ndifficulty: hard\ndraft: Yes\nweight: 3\n"
        "source: https://example.org/post/42#c9\nsummary: |\n  one\n  two\n",
    )
    assert errors == []
    assert values["title"] == "1.10"
    assert values["date"] == Stamp(dt.date(2026, 1, 16), None, None, "2026-01-16")
    assert values["tags"] == ["python"]
    assert values["difficulty"] == "hard"
    assert values["draft"] is True
    assert values["weight"] == 3
    assert values["source"] == "https://example.org/post/42#c9"
    assert values["summary"] == "one\ntwo"


def test_title_no_stays_no_and_defaults(tmp_path: Path) -> None:
    values, errors = validate(tmp_path, "title: no\ndate: 2026-01-16\n")
    assert errors == []
    assert values == {
        "title": "no",
        "date": parse_stamp("2026-01-16"),
        "summary": "",
        "tags": [],
        "difficulty": None,
        "draft": False,
        "weight": None,
        "source": None,
    }


def test_missing_required(tmp_path: Path) -> None:
    _, errors = validate(tmp_path, "date: 2026-01-16\n")
    assert len(errors) == 1
    err = errors[0]
    assert (err.path, err.line) == ("content/essay.md", 1)
    assert err.message == "essay front matter is missing 'title'"
    assert err.hint == 'add a line "title: ..." to the front matter'


def test_empty_required(tmp_path: Path) -> None:
    _, errors = validate(tmp_path, "title: '  '\ndate: 2026-01-16\n")
    assert [(e.line, e.message) for e in errors] == [(2, "'title' is empty in essay front matter")]


def test_impossible_date(tmp_path: Path) -> None:
    values, errors = validate(tmp_path, "title: T\n\ndate: 2026-02-30\n")
    assert values["date"] is None
    assert [(e.line, e.message, e.hint) for e in errors] == [
        (4, "invalid date '2026-02-30': day is out of range for month", "write the date as YYYY-MM-DD")
    ]
    _, errors = validate(tmp_path, "title: T\ndate: 2026-13-01\n")
    assert errors[0].message == "invalid date '2026-13-01': month must be in 1..12"
    _, errors = validate(tmp_path, "title: T\ndate: 16.01.2026\n")
    assert errors[0].message.startswith("invalid date '16.01.2026': expected YYYY-MM-DD")


def test_draft_maybe(tmp_path: Path) -> None:
    _, errors = validate(tmp_path, "title: T\ndate: 2026-01-16\ndraft: maybe\n")
    assert [(e.line, e.message) for e in errors] == [(4, "'draft' must be true or false, not 'maybe'")]


def test_unknown_key_did_you_mean(tmp_path: Path) -> None:
    _, errors = validate(tmp_path, "title: T\ndate: 2026-01-16\ntgas: [a]\nzzz: 1\n")
    assert [(e.line, e.message, e.hint) for e in errors] == [
        (4, "unknown key 'tgas' in essay front matter", "did you mean 'tags'?"),
        (
            5,
            "unknown key 'zzz' in essay front matter",
            "allowed keys: title, date, summary, tags, difficulty, draft, weight, source",
        ),
    ]


def test_choice_did_you_mean(tmp_path: Path) -> None:
    _, errors = validate(tmp_path, "title: T\ndate: 2026-01-16\ndifficulty: meduim\n")
    assert [(e.line, e.message, e.hint) for e in errors] == [
        (4, "'difficulty' must be one of easy, medium, hard, not 'meduim'", "did you mean 'medium'?")
    ]
    _, errors = validate(tmp_path, "title: T\ndate: 2026-01-16\ndifficulty: Easy\n")
    assert errors[0].hint == "did you mean 'easy'?"


def test_list_field(tmp_path: Path) -> None:
    values, errors = validate(tmp_path, "title: T\ndate: 2026-01-16\ntags: [' a ', b, '']\n")
    assert errors == [] and values["tags"] == ["a", "b"]
    _, errors = validate(tmp_path, "title: T\ndate: 2026-01-16\ntags:\n  - [nested]\n")
    assert [(e.line, e.message) for e in errors] == [(4, "'tags' must be a list of plain values")]


def test_str_field_rejects_list_and_collapses_lines(tmp_path: Path) -> None:
    values, errors = validate(tmp_path, "title: [a, b]\ndate: 2026-01-16\n")
    assert [(e.line, e.message) for e in errors] == [(2, "'title' must be a single value, not a list")]
    values, errors = validate(tmp_path, "title: >\n  two\n  lines\ndate: 2026-01-16\n")
    assert errors == [] and values["title"] == "two lines"


def test_int_and_url(tmp_path: Path) -> None:
    _, errors = validate(tmp_path, "title: T\ndate: 2026-01-16\nweight: -1\nsource: javascript:alert(1)\n")
    assert [(e.line, e.message) for e in errors] == [
        (4, "'weight' must be at least 0, not -1"),
        (5, "'source' must be an http(s) URL, not 'javascript:alert(1)'"),
    ]
    _, errors = validate(tmp_path, "title: T\ndate: 2026-01-16\nweight: 1.5\nsource: https://\n")
    assert [e.line for e in errors] == [4, 5]


def test_all_errors_collected(tmp_path: Path) -> None:
    _, errors = validate(tmp_path, "draft: maybe\ndate: nope\ntgas: x\n")
    assert sorted(e.line for e in errors) == [1, 2, 3, 4]


# ----------------------------------------------------------------------------- stamps


def test_datetime_with_offset() -> None:
    s = parse_stamp("2026-01-16T10:30+03:00")
    assert s.date == dt.date(2026, 1, 16) and s.time == dt.time(10, 30)
    assert s.tzinfo == dt.timezone(dt.timedelta(hours=3))
    assert s.sort_key("Europe/Berlin") == dt.datetime(2026, 1, 16, 7, 30, tzinfo=dt.timezone.utc)
    assert s.iso() == "2026-01-16T10:30:00+03:00"
    assert str(s) == s.text == "2026-01-16T10:30+03:00"


def test_stamp_forms() -> None:
    assert parse_stamp("2026-01-16 10:30:00").time == dt.time(10, 30)
    assert parse_stamp("2026-01-16T10:30:05.25Z").tzinfo == dt.timezone.utc
    assert parse_stamp("2026-01-16T10:30-0130").tzinfo == dt.timezone(-dt.timedelta(hours=1, minutes=30))
    for bad, reason in [
        ("2026-1-16", "expected YYYY-MM-DD"),
        ("2026-01-16T25:00", "hour must be in 0..23"),
        ("2026-01-16T10:00+25:00", "out of range"),
        ("yesterday", "expected"),
    ]:
        with pytest.raises(ValueError, match=reason):
            parse_stamp(bad)


def test_date_only_is_not_shifted_by_zone() -> None:
    s = parse_stamp("2026-01-16")
    assert s.date == dt.date(2026, 1, 16)
    # midnight in Moscow is the previous day in UTC: ordering uses that, the shown date does not
    assert s.sort_key("Europe/Moscow") == dt.datetime(2026, 1, 15, 21, 0, tzinfo=dt.timezone.utc)
    assert s.iso("Europe/Moscow") == "2026-01-16T00:00:00+03:00"
    assert s.iso() == "2026-01-16T00:00:00+00:00"
