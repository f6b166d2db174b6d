"""Reliability, round 2: what content can do to the tool and to the published site.

One test (or one group) per reported case: symlinks that publish secrets (1),
dates that overflow (2), assets over generated files (4), duplicate ids (9),
terminal escapes from reader text (10), names too long to write (11), memory on
large assets (12), site.yml numbers and format strings (13) and text lost
silently (16).  Each asserts the exit code, the message with its file and line,
and what was (not) published.
"""

from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sitefactory import critique, essay, make_site, parse_html

from counterpoint import cli

WELCOME = "content/essays/welcome/index.md"


def base_files() -> dict[str, str | bytes]:
    return {
        WELCOME: essay("Welcome", "[The Moon lifts water.]{.claim #lift} More text."),
        "content/essays/welcome/critiques/ana.md": critique("ana", "::: on #lift\nNo, it does not.\n:::"),
        "content/about.md": "---\ntitle: About\n---\nAbout this site.\n",
    }


def new_site(tmp_path: Path, extra: dict[str, str | bytes] | None = None, **config: object) -> Path:
    return make_site(tmp_path / "site", {**base_files(), **(extra or {})}, config or None)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def build(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, str, str]:
    return run(capsys, "build", str(root), "--no-search", "--no-cache", "--jobs", "1")


def check(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, str, str]:
    return run(capsys, "check", str(root))


# --------------------------------------------------------------------------- 10. terminal escapes

ESCAPES = "\x1b]0;PWNED\x07\x1b[2J"


def escape_site(tmp_path: Path) -> Path:
    return new_site(tmp_path, {
        "content/essays/welcome/critiques/evil.md": critique("evil", f'::: on "{ESCAPES}"\nHi.\n:::'),
    })


def test_check_and_build_escape_control_characters_from_content(tmp_path, capsys) -> None:
    root = escape_site(tmp_path)
    for command in (check, build):
        code, out, err = command(capsys, root)
        assert code == 1
        assert "content/essays/welcome/critiques/evil.md:5:" in err
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out + err), repr(err)
        assert r"\x1b]0;PWNED\x07\x1b[2J" in err


def test_serve_escapes_control_characters_from_content(tmp_path) -> None:
    root = escape_site(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "counterpoint", "serve", str(root), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        seen = b""
        assert proc.stdout is not None
        while b"serving http://" not in seen:
            line = proc.stdout.readline()
            assert line, seen
            seen += line
    finally:
        proc.terminate()
        proc.wait(30)
    assert b"evil.md:5:" in seen
    assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", seen), seen
    assert rb"\x1b]0;PWNED" in seen


def test_terminal_text_escapes_controls_and_keeps_lines() -> None:
    from counterpoint.errors import terminal_text

    assert terminal_text("a\x1b[2Jb\x07\nhint: \u202eevil\x9b") == "a\\x1b[2Jb\\x07\nhint: \\u202eevil\\x9b"
    assert terminal_text("Это прорыв\ttab") == "Это прорыв\ttab"


