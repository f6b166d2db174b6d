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
import shutil
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


# --------------------------------------------------------------------------- 1. symlinks


def test_symlinks_to_secrets_are_not_published_and_each_is_a_warning(tmp_path, capsys) -> None:
    """Links to the site's .git/config, .env and site.yml (inside the site, outside
    content/) and to a file outside the site are skipped, each with a warning naming
    the link and its target, in build and in check."""
    root = new_site(tmp_path)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[remote]\n url = https://token@example.org/x.git\n")
    (root / ".env").write_text("SECRET=hunter2\n")
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("private\n")
    links = {"x.txt": "../.git/config", "env.txt": "../.env", "conf.txt": "../site.yml", "out.txt": str(outside)}
    for name, target in links.items():
        (root / "content" / name).symlink_to(target)
    code, out, err = build(capsys, root)
    assert code == 0, err
    public = root / "public"
    for name in links:
        assert not (public / name).exists()
    assert not [p for p in public.rglob("*") if p.is_file() and b"hunter2" in p.read_bytes()]
    for name, shown in [
        ("x.txt", ".git/config"),
        ("env.txt", ".env"),
        ("conf.txt", "site.yml"),
        ("out.txt", str(outside)),
    ]:
        assert f"content/{name}: warning: symlink not followed: its target {shown} is outside content/" in err
    code, out, err = check(capsys, root)
    assert code == 0
    assert "content/x.txt: warning: symlink not followed" in err


def test_symlinks_inside_content_are_followed_unless_hidden(tmp_path, capsys) -> None:
    root = new_site(tmp_path, {"content/shared/chart.png": b"PNG bytes", "content/.private/key.txt": "secret key\n"})
    (root / "content" / "essays" / "welcome" / "chart.png").symlink_to("../../shared/chart.png")
    (root / "content" / "key.txt").symlink_to(".private/key.txt")
    code, out, err = build(capsys, root)
    assert code == 0, err
    assert (root / "public" / "essays" / "welcome" / "chart.png").read_bytes() == b"PNG bytes"
    assert not (root / "public" / "key.txt").exists()
    assert (
        "content/key.txt: warning: symlink not followed: its target content/.private/key.txt is in a hidden folder"
        in err
    )


def test_theme_static_symlinks_stay_inside_the_static_folder(tmp_path, capsys) -> None:
    root = new_site(tmp_path, {"themes/plain/static/site.css": "body{}\n"}, theme="plain")
    (root / ".env").write_text("SECRET=hunter2\n")
    static = root / "themes" / "plain" / "static"
    (static / "leak.txt").symlink_to("../../../.env")
    (static / "copy.css").symlink_to("site.css")
    code, out, err = build(capsys, root)
    assert code == 0, err
    assert not (root / "public" / "static" / "leak.txt").exists()
    assert (root / "public" / "static" / "copy.css").read_text() == "body{}\n"
    assert "themes/plain/static/leak.txt: warning: symlink not followed: its target .env is outside" in err


def test_serve_prints_the_warnings_of_each_build() -> None:
    from counterpoint.build.report import BuildReport
    from counterpoint.serve.rebuild import format_report

    warning = "content/x.txt: warning: symlink not followed: its target .env is outside content/"
    built = format_report(BuildReport(True, (), ("index.html",), 12.0, (), warnings=(warning,)))
    failed = format_report(
        BuildReport(False, ("content/a.md:3:1: error: bad",), (), 12.0, ("content/a.md",), warnings=(warning,))
    )
    assert built.splitlines() == ["built in 12 ms -> 1 file", warning]
    assert warning in failed.splitlines() and failed.splitlines()[-1].endswith("error: bad")


# --------------------------------------------------------------------------- 2. dates


@pytest.mark.parametrize(
    "files,config,where",
    [
        (
            {"content/essays/welcome/critiques/late.md": critique("bo", "Late.", date="9999-12-31T23:59-12:00")},
            {},
            "content/essays/welcome/critiques/late.md:3:1",
        ),
        (
            {"content/essays/welcome/critiques/early.md": critique("bo", "Early.", date="0001-01-01T00:00+14:00")},
            {},
            "content/essays/welcome/critiques/early.md:3:1",
        ),
        (
            {
                "content/essays/welcome/critiques/bo.md": critique(
                    "bo", "Hi.\n\n::: reply Vera Lind, 9999-12-31T23:00-05:00\nNo.\n:::"
                )
            },
            {},
            "content/essays/welcome/critiques/bo.md:7:1",
        ),
        (
            {WELCOME: essay("Welcome", "[Lift.]{.claim #lift}\n\n::: upd 0001-01-01T01:00+03:00\nFixed.\n:::")},
            {},
            f"{WELCOME}:8:1",
        ),
        ({WELCOME: essay("Welcome", "[Lift.]{.claim #lift}", date="9999-12-31T23:00-01:00")}, {}, f"{WELCOME}:3:1"),
        (
            {WELCOME: essay("Welcome", "[Lift.]{.claim #lift}", date="0001-01-01")},
            {"timezone": "Etc/GMT-14"},
            f"{WELCOME}:3:1",
        ),
        (
            {"content/essays/welcome/critiques/bo.md": critique("bo", "Hi.", date="9999-12-31T20:00")},
            {"timezone": "America/Los_Angeles"},
            "content/essays/welcome/critiques/bo.md:3:1",
        ),
    ],
    ids=["critique-late", "critique-early", "reply", "upd", "essay", "essay-site-zone", "critique-site-zone"],
)
def test_dates_beyond_years_1_to_9999_are_content_errors(tmp_path, capsys, files, config, where) -> None:
    root = new_site(tmp_path, files, **config)
    for command in (check, build):
        code, out, err = command(capsys, root)
        assert code == 1, err
        assert f"{where}: error:" in err and "outside the years 1-9999" in err, err
        assert "internal error" not in err
    assert not (root / "public").exists()


def test_dates_at_the_edges_of_the_range_build(tmp_path, capsys) -> None:
    root = new_site(
        tmp_path,
        {
            "content/essays/welcome/critiques/late.md": critique("bo", "Late.", date="9999-12-31T23:59+00:00"),
            "content/essays/old.md": essay("Old", "Old.", date="0001-01-01T00:00Z"),
        },
    )
    code, out, err = build(capsys, root)
    assert code == 0, err


# --------------------------------------------------------------------------- 4. output paths


@pytest.mark.parametrize(
    "asset,generated",
    [
        ("content/essays/welcome/index.html", "essays/welcome/index.html"),
        ("content/essays/welcome/annotations.json", "essays/welcome/annotations.json"),
        ("content/essays/welcome/Corrections.XML", "essays/welcome/corrections.xml"),
        ("content/index.html", "index.html"),
        ("content/feed.xml", "feed.xml"),
        ("content/sitemap.xml", "sitemap.xml"),
        ("content/robots.txt", "robots.txt"),
        ("content/404.html", "404.html"),
        ("content/Feed.XML", "feed.xml"),
        ("content/static/counterpoint.css", "static/counterpoint.css"),
        ("content/Essays/Welcome/Index.html", "essays/welcome/index.html"),
        ("content/about/index.html", "about/index.html"),
        ("content/tags/index.html", "tags/index.html"),
    ],
)
def test_an_asset_over_a_generated_file_is_an_error_naming_both(tmp_path, capsys, asset, generated) -> None:
    root = new_site(tmp_path, {asset: "X\n"})
    code, out, err = build(capsys, root)
    assert code == 1, err
    assert f"{asset}:1:1: error: " in err and f"'{generated}'" in err, err
    assert not (root / "public").exists()
    code, out, err = check(capsys, root)
    assert code == 1 and f"{asset}:1:1: error: " in err, err


def test_assets_beside_generated_files_build(tmp_path, capsys) -> None:
    root = new_site(tmp_path, {"content/essays/welcome/data.json": "{}\n", "content/static/extra.css": "p{}\n"})
    code, out, err = build(capsys, root)
    assert code == 0, err
    assert (root / "public" / "static" / "extra.css").exists()


def test_an_asset_over_an_alias_redirect_is_an_error(tmp_path, capsys) -> None:
    root = new_site(
        tmp_path,
        {
            "content/essays/moved.md": essay("Moved", "Text.", aliases=["/2019/old-name/"]),
            "content/2019/old-name/index.html": "X\n",
        },
    )
    code, out, err = build(capsys, root)
    assert code == 1, err
    assert "content/2019/old-name/index.html:1:1: error: " in err and "'2019/old-name/index.html'" in err, err
    assert "content/essays/moved.md" in err


# --------------------------------------------------------------------------- 9. ids


def page_ids(html: str) -> list[str]:
    return [e.get("id") for e in parse_html(html).iter() if e.get("id")]


def test_generated_heading_ids_step_aside_for_upd_and_critique_ids(tmp_path, capsys) -> None:
    root = new_site(
        tmp_path,
        {
            WELCOME: essay(
                "Welcome",
                """\
            [The Moon lifts water.]{.claim #lift}

            ## UPD 2026-12-06

            ## Critique first reader

            ## Remark ana 8

            ::: upd 2026-12-06 re=first-reader
            Fixed.
            :::
            """,
            ),
            "content/essays/welcome/critiques/first-reader.md": critique("bo", "Good.\n\n::: on #lift\nYes.\n:::"),
            "content/essays/welcome/critiques/ana.md": critique("ana", "Hm.\n\n\n::: on #lift\nNo.\n:::"),
        },
    )
    code, out, err = build(capsys, root)
    assert code == 0, err
    ids = page_ids((root / "public" / "essays" / "welcome" / "index.html").read_text())
    assert {"upd-2026-12-06", "critique-first-reader", "remark-ana-8"} <= set(ids)
    assert [i for i, n in collections.Counter(ids).items() if n > 1] == []


@pytest.mark.parametrize(
    "body,line,theirs",
    [
        ("## Top {#main}", 8, "main"),
        ("[Water.]{.claim #main}", 8, "main"),
        ("{.claim #critiques}\nWater.", 8, "critiques"),
        ("## Ledger {#ledger-title}", 8, "ledger-title"),
        ("{#search}\nA paragraph.", 8, "search"),
        ("## Who {#critique-ana}", 8, "critique-ana"),
        ("[Said.]{.claim #upd-2026-01-20}\n\n::: upd 2026-01-20\nFixed.\n:::", 8, "upd-2026-01-20"),
        ("{#dup}\nOne.\n\n{#dup}\nTwo.", 11, "dup"),
    ],
    ids=["heading-main", "claim-main", "block-claim", "ledger-title", "paragraph", "critique", "upd", "paragraphs"],
)
def test_an_authored_id_the_page_already_holds_is_an_error(tmp_path, capsys, body, line, theirs) -> None:
    root = new_site(tmp_path, {WELCOME: essay("Welcome", "[The Moon lifts water.]{.claim #lift} More.\n\n" + body)})
    for command in (check, build):
        code, out, err = command(capsys, root)
        assert code == 1, err
        assert f"{WELCOME}:{line}:1: error: id '{theirs}'" in err, err


def test_a_plain_page_cannot_take_a_theme_id(tmp_path, capsys) -> None:
    root = new_site(tmp_path, {"content/about.md": "---\ntitle: About\n---\n## Skip {#main}\n"})
    code, out, err = build(capsys, root)
    assert code == 1 and "content/about.md:4:1: error: id 'main'" in err, err


def test_reserved_ids_are_listed_in_the_docs() -> None:
    from counterpoint.markup.markdown import RESERVED_IDS

    docs = (Path(__file__).resolve().parents[1] / "docs" / "ids.md").read_text("utf-8")
    for name in RESERVED_IDS:
        assert f"`{name}`" in docs
    for prefix in ("critique-", "upd-", "remark-", "q-"):
        assert f"`{prefix}" in docs


# --------------------------------------------------------------------------- 10. terminal escapes

ESCAPES = "\x1b]0;PWNED\x07\x1b[2J"


def escape_site(tmp_path: Path) -> Path:
    """Control characters in a critique's text (an error of their own, at their line)
    and in a file name, which the message about the name quotes."""
    return new_site(
        tmp_path,
        {
            "content/essays/welcome/critiques/evil.md": critique("evil", f'::: on "{ESCAPES}"\nHi.\n:::'),
            f"content/essays/welcome/critiques/{ESCAPES}.md": critique("evil", "Hi."),
        },
    )


def test_check_and_build_escape_control_characters_from_content(tmp_path, capsys) -> None:
    root = escape_site(tmp_path)
    for command in (check, build):
        code, out, err = command(capsys, root)
        assert code == 1
        assert "content/essays/welcome/critiques/evil.md:5:9: error: invalid character U+001B in the text" in err
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out + err), repr(err)
        assert r"\x1b]0;PWNED\x07\x1b[2J" in err


def test_serve_escapes_control_characters_from_content(tmp_path) -> None:
    root = escape_site(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "counterpoint", "serve", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
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


# --------------------------------------------------------------------------- 11. long names


def test_a_slug_too_long_for_a_file_name_is_a_check_error(tmp_path, capsys) -> None:
    root = new_site(tmp_path, {"content/essays/long.md": essay("Long", "Text.", slug="a" * 300)})
    for command in (check, build):
        code, out, err = command(capsys, root)
        assert code == 1, err
        assert "content/essays/long.md:4:1: error: slug is 300 bytes long" in err, err


def test_a_page_slug_too_long_is_a_check_error(tmp_path, capsys) -> None:
    root = new_site(tmp_path, {"content/long.md": f"---\ntitle: Long\nslug: about/{'b' * 256}\n---\nText.\n"})
    for command in (check, build):
        code, out, err = command(capsys, root)
        assert code == 1, err
        assert "content/long.md:3:1: error: " in err and "256 bytes" in err, err


# --------------------------------------------------------------------------- 12. large assets

MEASURE = textwrap.dedent("""\
    import sys
    from pathlib import Path
    from counterpoint.build.engine import Engine
    report = Engine(Path(sys.argv[1]), use_cache=True, search=False, jobs=1).build()
    assert report.ok, report.errors
    # VmHWM: this program's peak; ru_maxrss would include the test process, which forked it
    status = Path("/proc/self/status").read_text()
    print(next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) // 1024)
""")


def test_large_assets_are_hashed_and_copied_in_chunks(tmp_path) -> None:
    """A 256 MB asset at the top of content/ and one in an essay bundle (sparse
    files): the build's peak memory stays far below the size of either."""
    root = new_site(tmp_path)
    size = 256 * 1024 * 1024
    for rel in ("content/big.bin", "content/essays/welcome/big.bin"):
        with open(root / rel, "wb") as handle:
            handle.truncate(size)
    run = subprocess.run([sys.executable, "-c", MEASURE, str(root)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    peak_mb = int(run.stdout.strip())
    assert peak_mb < 150, f"peak {peak_mb} MB"
    assert (root / "public" / "big.bin").stat().st_size == size
    assert (root / "public" / "essays" / "welcome" / "big.bin").stat().st_size == size
    shutil.rmtree(root / "public")  # half a gigabyte written for real


# --------------------------------------------------------------------------- 13. site.yml


def test_a_huge_essays_per_page_is_an_error(tmp_path, capsys) -> None:
    root = new_site(tmp_path)
    (root / "site.yml").write_text(f"title: T\nauthor: A\nessays_per_page: {'9' * 5000}\n")
    for command in (check, build):
        code, out, err = command(capsys, root)
        assert code == 1, err
        assert "site.yml:3:1: error: 'essays_per_page' must be at most" in err, err


def with_strings(root: Path, value: str) -> Path:
    (root / "site.yml").write_text(f"title: T\nauthor: A\nstrings:\n  reading_time: '{value}'\n")
    return root


@pytest.mark.parametrize("value", ["{n:>99999999} min", "{n.__class__}", "{n[0]}", "{n!r} min", "{n:{n}}"])
def test_strings_take_only_plain_placeholders(tmp_path, capsys, value) -> None:
    root = with_strings(new_site(tmp_path), value)
    for command in (check, build):
        code, out, err = command(capsys, root)
        assert code == 1, err
        assert "site.yml:3:1: error: strings: 'reading_time'" in err and "{n}" in err, err
    assert not (root / "public").exists()


def test_strings_with_plain_placeholders_and_braces_build(tmp_path, capsys) -> None:
    root = with_strings(new_site(tmp_path), "{{{n}}} min")
    code, out, err = build(capsys, root)
    assert code == 0, err
    assert "{1} min" in (root / "public" / "essays" / "welcome" / "index.html").read_text()


# --------------------------------------------------------------------------- 16. nothing lost


@pytest.mark.parametrize("line", ["{% raw %}", "{% highlight liquid %}", "{{ page.title }}", "{: .note}"])
def test_a_brace_line_that_is_not_an_attribute_list_stays_text(tmp_path, capsys, line) -> None:
    root = new_site(tmp_path, {WELCOME: essay("Welcome", f"{line}\nA paragraph after it.\n\n[Lift.]{{.claim #lift}}")})
    code, out, err = build(capsys, root)
    assert code == 0, err
    html = (root / "public" / "essays" / "welcome" / "index.html").read_text()
    from html import escape

    assert escape(line, quote=False) in html
    assert "A paragraph after it." in html


def test_a_real_attribute_line_still_applies(tmp_path, capsys) -> None:
    root = new_site(
        tmp_path, {WELCOME: essay("Welcome", "{.claim #lift}\nThe Moon lifts water.\n\n{#plain .note}\nMore.")}
    )
    code, out, err = build(capsys, root)
    assert code == 0, err
    html = (root / "public" / "essays" / "welcome" / "index.html").read_text()
    assert 'id="plain"' in html and "{#plain" not in html and "{.claim" not in html


@pytest.mark.parametrize("suffix", [".markdown", ".mdown"])
def test_markdown_suffixes_are_essays_and_pages(tmp_path, capsys, suffix) -> None:
    root = new_site(
        tmp_path,
        {
            f"content/essays/note{suffix}": essay("A note", "Noted."),
            f"content/essays/bundle/index{suffix}": essay("A bundle", "Bundled."),
            f"content/essays/bundle/critiques/cy{suffix}": critique("cy", "Agreed."),
            f"content/colophon{suffix}": "---\ntitle: Colophon\n---\nMade by hand.\n",
        },
    )
    code, out, err = build(capsys, root)
    assert code == 0, err
    public = root / "public"
    assert "Noted." in (public / "essays" / "note" / "index.html").read_text()
    assert "Agreed." in (public / "essays" / "bundle" / "index.html").read_text()
    assert "Made by hand." in (public / "colophon" / "index.html").read_text()
    home = (public / "index.html").read_text()
    assert "A note" in home and "A bundle" in home
    assert not list(public.rglob(f"*{suffix}"))


@pytest.mark.parametrize("where", ["essay", "critique", "page"])
def test_a_nul_byte_anywhere_is_an_error(tmp_path, capsys, where) -> None:
    rel = {"essay": WELCOME, "critique": "content/essays/welcome/critiques/ana.md", "page": "content/about.md"}[where]
    files = base_files()
    text = files[rel]
    assert isinstance(text, str)
    padding = "Long text. " * 1000  # the NUL lies after the first 8 KB
    data = (text + padding + "\nlast line \0 here\n").encode()
    line = data[: data.index(b"\0")].count(b"\n") + 1
    root = new_site(tmp_path, {rel: data})
    for command in (check, build):
        code, out, err = command(capsys, root)
        assert code == 1, err
        assert f"{rel}:{line}:1: error: file looks binary (NUL byte at offset" in err, err


# --------------------------------------------------------------------------- the parallel path


def test_content_errors_of_this_round_come_back_from_worker_processes(tmp_path, capsys) -> None:
    """A site above the parallel threshold, rendered by two worker processes: the
    errors of this round are reported at their lines as on a small site."""
    from counterpoint.build.scheduler import PARALLEL_THRESHOLD

    extra: dict[str, str | bytes] = {
        f"content/essays/e{n:02d}.md": essay(f"Essay {n}", "Text.") for n in range(PARALLEL_THRESHOLD + 6)
    }
    extra["content/essays/welcome/critiques/late.md"] = critique("bo", "Late.", date="9999-12-31T23:59-12:00")
    extra[WELCOME] = essay("Welcome", "[The Moon lifts water.]{.claim #lift} More.\n\n## Top {#main}")
    extra["content/essays/e00.md"] = (essay("Zero", "Text.") + "Long text. " * 1000 + "\0\n").encode()
    root = new_site(tmp_path, extra)
    code, out, err = run(capsys, "build", str(root), "--no-search", "--no-cache", "--jobs", "2")
    assert code == 1, err
    assert "content/essays/welcome/critiques/late.md:3:1: error: invalid date" in err
    assert f"{WELCOME}:8:1: error: id 'main'" in err
    assert "content/essays/e00.md:7:1: error: file looks binary (NUL byte at offset" in err
    assert "internal error" not in err


@pytest.mark.parametrize("name", ["index.md.Hy3456", "index.markdown.a1B2c3", "draft.mdown.XyZ123"])
def test_an_editors_save_in_progress_does_not_publish_a_drafts_source(tmp_path, capsys, name) -> None:
    """Kate and other Qt editors save ``index.md`` by writing ``index.md.XXXXXX`` (six random
    characters) beside it and renaming it over: a build that ran meanwhile, or after the
    editor crashed, copied that file into the output as the essay's asset, with what the
    author had not published: a comment, or the whole text of an essay being made a draft."""
    secret = "An unpublished draft: the embargoed figures."
    root = new_site(
        tmp_path,
        {
            "content/essays/plans/index.md": essay("Plans", "Published text."),
            f"content/essays/plans/{name}": essay("Plans", secret, draft=True),
        },
    )
    code, _, err = build(capsys, root)
    assert code == 0, err
    out = root / "public"
    published = [p for p in out.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
    assert published == [] and not list(out.rglob(name))
