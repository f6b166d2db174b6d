"""Nothing lost, every bad input a clear error, faults survived.

Each test asserts an exact outcome: the exit code, the message (file, line,
hint), the output folder byte for byte before and after, and that no file
outside the output was touched.

Faults a test cannot cause for real are simulated, and say so: the suite runs
as root, for whom ``chmod 000`` denies nothing, so a permission-denied file is
a ``read_bytes`` that raises ``PermissionError``; a full disk is a write (or a
rename) that raises ``OSError(ENOSPC)``.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from parallel_twin import snapshot
from sitefactory import critique, essay, make_site

from counterpoint import cli
from counterpoint.build import pipeline, steps
from counterpoint.build.engine import Engine
from counterpoint.output import output
from counterpoint.source.content import Hasher

# --------------------------------------------------------------------------- helpers


def site(tmp_path: Path, files: dict[str, str | bytes] | None = None, **config: object) -> Path:
    files = (
        files
        if files is not None
        else {
            "content/essays/tides/index.md": essay(
                "Tides", "[The Moon lifts water.]{.claim #lift} More text.\n\n![chart](chart.png)"
            ),
            "content/essays/tides/critiques/ana.md": critique("ana", "::: on #lift\nNo, it does not.\n:::"),
            "content/essays/tides/chart.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR fake image bytes",
            "content/essays/winds.md": essay("Winds", "About winds.", date="2026-01-11"),
            "content/about.md": "---\ntitle: About\n---\nAbout this site.\n",
        }
    )
    return make_site(tmp_path / "site", files, config or None)


def run(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``counterpoint build`` in this process (search off: Pagefind is not under test here)."""
    code = cli.main(["build", str(root), "--no-search", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def engine_build(root: Path, **options: object):
    options.setdefault("search", False)
    options.setdefault("jobs", 1)
    engine = Engine(root, **options)  # type: ignore[arg-type]
    return engine, engine.build()


def no_staging_left(out: Path) -> bool:
    return not [p for p in out.rglob("*") if p.name.startswith(output.STAGING_PREFIX)]


BROKEN_ESSAY = essay("Tides", "[The Moon lifts water.]{.claim #lift}", date="2026-02-30")  # line 3: date


# --------------------------------------------------------------------------- output safety


def test_failed_build_leaves_everything_byte_for_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = site(tmp_path)
    assert run(root, capsys=capsys)[0] == 0
    (root / "content/essays/tides/index.md").write_text(BROKEN_ESSAY, "utf-8")
    before = snapshot(tmp_path)  # the output, the sources and the cache
    code, out, err = run(root, capsys=capsys)
    assert code == 1 and out == ""
    assert err == (
        "content/essays/tides/index.md:3:1: error: invalid date '2026-02-30': day is out of range for month\n"
        "  hint: write the date as YYYY-MM-DD\n"
        "1 error(s); nothing was written\n"
    )
    assert snapshot(tmp_path) == before


def test_failed_first_build_creates_no_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = site(tmp_path, {"content/essays/tides.md": BROKEN_ESSAY})
    before = snapshot(tmp_path)
    assert run(root, "--no-cache", capsys=capsys)[0] == 1
    assert snapshot(tmp_path) == before
    assert not (root / "public").exists()


def test_every_file_reaches_the_output_by_rename_from_staging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader of the output sees an old file or a new one, never half of one:
    every file is written complete in a staging folder inside the output (same
    file system) and moved into place with os.replace; the staging folder goes."""
    root = site(tmp_path)
    out = root / "public"
    (out / ".cp-tmp-stage-killed").mkdir(parents=True)  # left by a build that was killed
    (out / ".cp-tmp-stage-killed/index.html").write_text("half", "utf-8")
    renames: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def replace(src, dst, **kwargs):
        renames.append((Path(src), Path(dst)))
        return real_replace(src, dst, **kwargs)

    monkeypatch.setattr(output.os, "replace", replace)
    _, report = engine_build(root, use_cache=False)
    assert report.ok, report.errors
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    moved = {dst.relative_to(out).as_posix(): src for src, dst in renames if out in dst.parents}
    assert set(moved) == written == set(report.written)
    assert all(src.parent.parts[len(out.parts)].startswith(".cp-tmp-stage-") for src in moved.values())
    assert no_staging_left(out)


KEEP = {
    "CNAME": b"essays.example.org\n",
    ".nojekyll": b"",
    "_redirects": b"/old /essays/tides/ 301\n",
    ".git/HEAD": b"ref: refs/heads/gh-pages\n",
    ".git/objects/ab/cdef": b"\x78\x9c object",
    "notes/todo.txt": b"a file the author keeps here",
    "essays/tides/extra.txt": b"dropped into a page folder by hand",
}


def test_files_the_build_did_not_make_survive_and_removed_pages_go(tmp_path: Path) -> None:
    root = site(tmp_path)
    out = root / "public"
    for rel, data in KEEP.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    assert engine_build(root)[1].ok
    assert (out / "essays/winds/index.html").is_file() and (out / "about/index.html").is_file()
    # the sources of one essay, one essay bundle and the page are removed
    (root / "content/essays/winds.md").unlink()
    (root / "content/about.md").unlink()
    for path in sorted((root / "content/essays/tides").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (root / "content/essays/tides").rmdir()
    _, report = engine_build(root)
    assert report.ok, report.errors
    for rel, data in KEEP.items():
        assert (out / rel).read_bytes() == data, rel
    assert not (out / "essays/winds").exists() and not (out / "about").exists()
    assert sorted(p.name for p in (out / "essays/tides").iterdir()) == ["extra.txt"]  # the page and its chart went
    assert {"essays/tides/index.html", "essays/tides/chart.png", "essays/winds/index.html", "about/index.html"} <= set(
        report.written
    )


def test_a_git_file_of_a_worktree_survives(tmp_path: Path) -> None:
    root = site(tmp_path)
    out = root / "public"
    out.mkdir()
    (out / ".git").write_text("gitdir: /srv/repo/.git/worktrees/public\n", "utf-8")
    assert engine_build(root)[1].ok
    (root / "content/essays/winds.md").unlink()
    assert engine_build(root)[1].ok
    assert (out / ".git").read_text("utf-8") == "gitdir: /srv/repo/.git/worktrees/public\n"


def test_without_the_cache_stale_pages_may_stay_but_nothing_unknown_is_deleted(tmp_path: Path) -> None:
    """The manifest lives in .counterpoint/cache; without it the build cannot
    know which files it made, so it removes none."""
    root = site(tmp_path)
    out = root / "public"
    (out / "CNAME").parent.mkdir(parents=True)
    (out / "CNAME").write_bytes(KEEP["CNAME"])
    assert engine_build(root)[1].ok
    before = snapshot(out)
    (root / "content/essays/winds.md").unlink()
    for path in sorted((root / ".counterpoint").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    assert engine_build(root)[1].ok
    after = snapshot(out)
    assert set(before) <= set(after)  # nothing deleted
    assert after["essays/winds/index.html"] == before["essays/winds/index.html"]  # stale, kept
    assert after["CNAME"] == KEEP["CNAME"]
    # with the manifest back (this build wrote one), the next removal is cleaned again
    (root / "content/about.md").unlink()
    assert engine_build(root)[1].ok
    assert not (out / "about").exists()


# --------------------------------------------------------------------------- the output folder


def _outside(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "thesis.tex").write_text("\\documentclass{article}", "utf-8")
    return folder


REFUSED = {
    # name -> (output given as --out, relative to the site root, expected message after "error: --out X: ")
    "the site root": (".", "is the site folder or contains it"),
    "a parent of the site": ("..", "is the site folder or contains it"),
    "inside content/": ("content/out", "is inside the site's content/ folder"),
    "content/ itself": ("content", "is inside the site's content/ folder"),
    "inside themes/": ("themes/x", "is inside the site's themes/ folder"),
    "a folder holding site.yml": ("other-site", "holds a site of its own (site.yml or content/)"),
    "a folder holding content/": ("other-content", "holds a site of its own (site.yml or content/)"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_unsafe_output_folders_are_refused(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = site(tmp_path)
    (root / "other-site").mkdir()
    (root / "other-site/site.yml").write_text("title: x\n", "utf-8")
    (root / "other-content/content").mkdir(parents=True)
    given, problem = REFUSED[name]
    before = snapshot(tmp_path)
    code, out, err = run(root, "--out", str(root / given), capsys=capsys)
    resolved = (root / given).resolve()
    assert code == 2 and out == ""
    assert err == (
        f"error: --out {root / given}: '{resolved}' {problem}; choose another folder, such as --out {root / 'public'}\n"
    )
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "value, problem",
    [
        ("..", "is the site folder or contains it"),
        (".", "is the site folder or contains it"),
        ("content/public", "is inside the site's content/ folder"),
    ],
)
def test_unsafe_output_in_site_yml_is_an_error_on_its_line(
    value: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = site(tmp_path, output=value)  # site.yml: title 1, author 2, language 3, output 4
    before = snapshot(tmp_path)
    code, _, err = run(root, capsys=capsys)
    assert code == 1
    assert err.startswith(
        f"site.yml:4:1: error: output: '{(root / value).resolve()}' {problem}\n  hint: write output: public\n"
    )
    assert "Traceback" not in err
    assert snapshot(tmp_path) == before


def test_output_outside_the_site_needs_the_flag_when_it_holds_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = site(tmp_path)
    elsewhere = _outside(tmp_path)
    before = snapshot(tmp_path)
    code, _, err = run(root, "--out", str(elsewhere), capsys=capsys)
    assert code == 2
    assert err.startswith(
        f"error: output folder {elsewhere} is outside the site and already holds files that counterpoint did not make; "
        "choose a new or empty folder, or pass --allow-outside-output to build into it anyway"
    )
    assert snapshot(tmp_path) == before
    code, out, _ = run(root, "--out", str(elsewhere), "--allow-outside-output", capsys=capsys)
    assert code == 0 and out.startswith(f"built 2 essay(s) into {elsewhere}")
    assert (elsewhere / "thesis.tex").read_text("utf-8") == "\\documentclass{article}"
    # once built there (the site's manifest says so), the flag is not needed again
    assert run(root, "--out", str(elsewhere), capsys=capsys)[0] == 0


def test_output_outside_the_site_is_fine_when_new(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = site(tmp_path)
    code, _, err = run(root, "--out", str(tmp_path / "deploy"), capsys=capsys)
    assert code == 0, err
    assert (tmp_path / "deploy/essays/tides/index.html").is_file()


def test_output_outside_the_site_via_a_symlink_counts_as_outside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = site(tmp_path)
    elsewhere = _outside(tmp_path)
    (root / "public").symlink_to(elsewhere, target_is_directory=True)
    code, _, err = run(root, capsys=capsys)
    assert code == 2 and "is outside the site" in err
    assert snapshot(elsewhere) == {"thesis.tex": b"\\documentclass{article}"}


def test_a_symlinked_folder_in_the_output_is_never_written_through(tmp_path: Path) -> None:
    root = site(tmp_path)
    elsewhere = _outside(tmp_path)
    out = root / "public"
    out.mkdir()
    (out / "essays").symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(tmp_path)
    _, report = engine_build(root)
    assert not report.ok
    assert report.errors == (
        "public/essays/tides/annotations.json: error: cannot write file: "
        "a folder on the way is a symlink that leads out of the output folder\n"
        "  hint: remove that symlink from the output folder, or choose another output folder"
        " (the output folder was left as it was)",
    )
    # nothing but the build's own cache: the templates it compiled on the way stay compiled
    after = {rel: data for rel, data in snapshot(tmp_path).items() if ".counterpoint" not in rel.split("/")}
    assert after == before


# --------------------------------------------------------------------------- symlinks in the sources


def test_symlinks_out_of_the_site_are_never_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwords.txt").write_text("hunter2", "utf-8")
    (secret / "essay.md").write_text(essay("Secret", "Private draft."), "utf-8")
    (secret / "folder").mkdir()
    (secret / "folder/inner.txt").write_text("inner", "utf-8")
    root = site(tmp_path)
    bundle = root / "content/essays/tides"
    (bundle / "passwords.txt").symlink_to(secret / "passwords.txt")
    (bundle / "data").symlink_to(secret / "folder", target_is_directory=True)
    (root / "content/essays/secret.md").symlink_to(secret / "essay.md")
    (root / "content/leak.txt").symlink_to(secret / "passwords.txt")
    (root / "content/broken.txt").symlink_to(tmp_path / "missing.txt")
    (root / "content/inside.txt").symlink_to(root / "content/about.md")  # stays in the site: copied
    (root / "themes/default/static").mkdir(parents=True)
    (root / "themes/default/static/leak.css").symlink_to(secret / "passwords.txt")
    _, report = engine_build(root)
    assert report.ok, report.errors
    out = root / "public"
    files = snapshot(out)
    assert not any(isinstance(v, bytes) and b"hunter2" in v for v in files.values())
    assert not any(isinstance(v, bytes) and b"Private draft" in v for v in files.values())
    assert "essays/tides/passwords.txt" not in files and "essays/tides/data/inner.txt" not in files
    assert "essays/secret/index.html" not in files and "leak.txt" not in files and "static/leak.css" not in files
    assert files["inside.txt"] == (root / "content/about.md").read_bytes()
    assert files["essays/tides/chart.png"].startswith(b"\x89PNG")


# --------------------------------------------------------------------------- paths from content


SLUGS = [
    ("../escape", "slug '../escape' contains a path separator"),
    ("..", "slug '..' is not a folder name"),
    (".", "slug '.' is not a folder name"),
    ("a..b", "slug 'a..b' contains '..'"),
    ("a/b", "slug 'a/b' contains a path separator"),
    ("a\\\\b", "slug 'a\\b' contains a path separator"),
    # ("a\\0b": a NUL written as a YAML escape is refused as the front matter is read, test_frontmatter)
    ("con", "slug 'con' is a reserved file name on Windows"),
    ("LPT1", "slug 'LPT1' is a reserved file name on Windows"),
    ("Tides", "slug 'Tides' must be lowercase ASCII letters, digits, '-' or '_'"),
]


@pytest.mark.parametrize("value, message", SLUGS, ids=[s[0] for s in SLUGS])
def test_bad_slugs_are_errors_with_file_and_line(value: str, message: str, tmp_path: Path) -> None:
    # front matter: title 2, date 3, slug 4
    root = site(tmp_path, {"content/essays/e.md": f'---\ntitle: E\ndate: 2026-01-10\nslug: "{value}"\n---\nText.\n'})
    before = snapshot(tmp_path)
    _, report = engine_build(root, use_cache=False)
    assert report.errors == (
        f"content/essays/e.md:4:1: error: {message}\n  hint: use lowercase letters, digits and '-', e.g. slug: my-essay",
    )
    assert snapshot(tmp_path) == before


def test_a_reserved_file_name_is_an_error(tmp_path: Path) -> None:
    root = site(tmp_path, {"content/essays/nul.md": essay("Nul", "Text.")})
    _, report = engine_build(root, use_cache=False)
    assert report.errors == (
        "content/essays/nul.md:1:1: error: the essay's file name gives an unusable address: "
        "slug 'nul' is a reserved file name on Windows\n"
        "  hint: rename the file or folder, or set 'slug:' in the front matter",
    )


@pytest.mark.parametrize(
    "files, first, second",
    [
        (
            {"content/essays/tides.md": essay("A"), "content/essays/tides/index.md": essay("B")},
            "content/essays/tides.md",
            "content/essays/tides/index.md",
        ),
        (
            {"content/essays/Tides.md": essay("A"), "content/essays/tides/index.md": essay("B")},
            "content/essays/tides/index.md",
            "content/essays/Tides.md",
        ),
        (
            {"content/essays/a.md": essay("A", slug="same"), "content/essays/b.md": essay("B", slug="same")},
            "content/essays/b.md",
            "content/essays/a.md",
        ),
        (
            {"content/essays/ebb.md": essay("A"), "content/essays/flow.md": essay("B", slug="ebb")},
            "content/essays/flow.md",
            "content/essays/ebb.md",
        ),
    ],
    ids=["file and bundle", "differing in case", "same slug:", "slug: equal to a file name"],
)
def test_two_essays_writing_one_page_are_an_error_naming_both(files, first: str, second: str, tmp_path: Path) -> None:
    root = site(tmp_path, files)
    _, report = engine_build(root, use_cache=False)
    assert not report.ok
    (message,) = report.errors
    assert message.startswith(f"{first}:1:1: error: essay slug ")
    assert f"is also used by {second}" in message
    assert "hint: two essays would write the same page" in message
    assert not (root / "public").exists()


@pytest.mark.parametrize(
    "files, message",
    [
        (
            {"content/about.md": "---\ntitle: A\nslug: ../../etc\n---\n"},
            "content/about.md:3:1: error: slug '../../etc' contains '..'",
        ),
        (
            {"content/about.md": "---\ntitle: A\nslug: team//x\n---\n"},
            "content/about.md:3:1: error: slug 'team//x' has an empty part (a leading, trailing or double '/')",
        ),
        (
            {"content/about.md": "---\ntitle: A\nslug: team/aux\n---\n"},
            "content/about.md:3:1: error: slug 'team/aux': 'aux' is a reserved file name on Windows",
        ),
        (
            {"content/index.md": "---\ntitle: Home\n---\n"},
            "content/index.md:1:1: error: this page would replace the site's home page (index.html)",
        ),
        (
            {"content/tags.md": "---\ntitle: T\n---\n"},
            "content/tags.md:1:1: error: page address '/tags/' is inside the site's own /tags/ section",
        ),
        (
            {"content/x.md": "---\ntitle: X\nslug: essays/winds\n---\n"},
            "content/x.md:1:1: error: page address '/essays/winds/' is inside /essays/, where essays are",
        ),
        (
            {"content/about.md": "---\ntitle: A\n---\n", "content/about/index.md": "---\ntitle: B\n---\n"},
            "content/about/index.md:1:1: error: page address '/about/' is also used by content/about.md",
        ),
        (
            {"content/About.md": "---\ntitle: A\n---\n", "content/x.md": "---\ntitle: B\nslug: about\n---\n"},
            "content/x.md:1:1: error: page address '/about/' is also used by content/About.md",
        ),
    ],
    ids=["..", "empty part", "reserved part", "home page", "site section", "essays", "two pages", "case"],
)
def test_page_addresses_are_checked(files: dict[str, str], message: str, tmp_path: Path) -> None:
    root = site(tmp_path, {"content/essays/winds.md": essay("Winds"), **files})
    before = snapshot(tmp_path)
    _, report = engine_build(root, use_cache=False)
    assert [e.split("\n")[0] for e in report.errors] == [message]
    assert "\n  hint: " in report.errors[0]
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- input robustness


def build_one(tmp_path: Path, raw: str | bytes, path: str = "content/essays/e.md", extra: dict | None = None):
    root = site(tmp_path, {path: raw, **(extra or {})})
    engine, report = engine_build(root, use_cache=False)
    return root, report


def test_bom_crlf_and_no_newline_after_the_closing_fence_build(tmp_path: Path) -> None:
    root = site(
        tmp_path,
        {
            "content/essays/bom.md": "\ufeff---\r\ntitle: With BOM\r\ndate: 2026-01-10\r\n---\r\nBody *one*.\r\n".encode(),
            "content/essays/cr.md": b"---\rtitle: Old Mac\rdate: 2026-01-10\r---\rBody two.\r",
            "content/essays/only.md": b"---\ntitle: Front matter only\ndate: 2026-01-10\n---",
        },
    )
    _, report = engine_build(root, use_cache=False)
    assert report.ok, report.errors
    out = root / "public"
    bom = (out / "essays/bom/index.html").read_text("utf-8")
    assert "<h1" in bom and "With BOM" in bom and "<em>one</em>" in bom and "\ufeff" not in bom and "\r" not in bom
    assert "Old Mac" in (out / "essays/cr/index.html").read_text("utf-8")
    assert "Front matter only" in (out / "essays/only/index.html").read_text("utf-8")


BAD_INPUTS = [
    # (name, file bytes, the first line of the report, start of the hint)
    (
        "empty file",
        b"",
        "content/essays/e.md:1:1: error: essay front matter is missing 'date'",
        'add a line "date: ..."',
    ),
    (
        "not UTF-8",
        b"---\ntitle: E\ndate: 2026-01-10\n---\nCaf\xe9 au lait.\n",
        "content/essays/e.md:5:1: error: file is not valid UTF-8 (byte 0xe9 at offset 37, line 5)",
        "save the file as UTF-8",
    ),
    (
        "UTF-16",
        "---\ntitle: E\n---\n".encode("utf-16"),
        "content/essays/e.md:1:1: error: file is UTF-16, not UTF-8",
        "save the file as UTF-8",
    ),
    (
        "binary",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "content/essays/e.md:3:1: error: file looks binary (NUL byte at offset 8), not text",
        "content files must be UTF-8 text",
    ),
    (
        "unclosed front matter",
        b"---\ntitle: E\ndate: 2026-01-10\nText.\n",
        "content/essays/e.md:1:1: error: front matter is not closed",
        "add a line '---'",
    ),
    (
        "python tag",
        b"---\ntitle: !!python/object/apply:os.system [echo owned]\ndate: 2026-01-10\n---\n",
        "content/essays/e.md:2:8: error: YAML tags are not allowed (found '!!python/object/apply:os.system')",
        "remove the tag",
    ),
    (
        "alias bomb",
        b"---\ntitle: E\ndate: 2026-01-10\nsummary: &a [x, x, x, x, x, x, x, x, x, x]\n"
        b"tags: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nlang: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        b"author: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\n",
        "content/essays/e.md:4:35: error: YAML in front matter expands to more than 10000 values",
        "remove the anchors and aliases",
    ),
    (
        "duplicate key",
        b"---\ntitle: E\ndate: 2026-01-10\ntitle: F\n---\n",
        "content/essays/e.md:4:1: error: duplicate key 'title' in front matter",
        "remove one of the two lines",
    ),
    (
        "impossible date",
        b"---\ntitle: E\ndate: 2026-02-30\n---\n",
        "content/essays/e.md:3:1: error: invalid date '2026-02-30': day is out of range for month",
        "write the date as YYYY-MM-DD",
    ),
    (
        "a time as a date",
        b"---\ntitle: E\ndate: 10:00\n---\n",
        "content/essays/e.md:3:1: error: invalid date '10:00': expected YYYY-MM-DD or a date-time such as 2026-01-16T10:30",
        "write the date as YYYY-MM-DD",
    ),
    (
        "'no' as a bool that is not one",
        b"---\ntitle: E\ndate: 2026-01-10\ndraft: maybe\n---\n",
        "content/essays/e.md:4:1: error: 'draft' must be true or false, not 'maybe'",
        "write draft: true or draft: false",
    ),
    (
        "a list as a title",
        b"---\ntitle: [a, b]\ndate: 2026-01-10\n---\n",
        "content/essays/e.md:2:1: error: 'title' must be a single value, not a list",
        "write it on one line",
    ),
    (
        "a control character",
        b"---\ntitle: E\x07\ndate: 2026-01-10\n---\n",
        "content/essays/e.md:2:1: error: invalid character U+0007 in front matter: control characters are not allowed",
        "remove the control character",
    ),
]


@pytest.mark.parametrize("name, raw, first, hint", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_an_error_with_file_line_and_hint(
    name: str, raw: bytes, first: str, hint: str, tmp_path: Path
) -> None:
    root, report = build_one(tmp_path, raw)
    assert not report.ok
    lines = report.errors[0].split("\n")
    assert lines[0] == first
    assert lines[1].startswith(f"  hint: {hint}"), lines


def test_a_tag_is_never_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    monkeypatch.setattr(os, "system", lambda cmd: ran.append(cmd) or 0)
    build_one(tmp_path, b"---\ntitle: !!python/object/apply:os.system [echo owned]\ndate: 2026-01-10\n---\n")
    assert ran == []


def test_anchors_are_refused_in_critiques(tmp_path: Path) -> None:
    root, report = build_one(
        tmp_path,
        essay("E"),
        path="content/essays/e/index.md",
        extra={
            "content/essays/e/critiques/c.md": "---\nauthor: &who ana\ndate: 2026-01-12\nstance: *who\n---\nText.\n",
        },
    )
    assert report.errors == (
        "content/essays/e/critiques/c.md:2:9: error: YAML anchors and aliases are not allowed in critiques\n"
        "  hint: write the value out instead of using &name / *name",
    )


def test_implicit_typing_is_not_applied(tmp_path: Path) -> None:
    """YAML 1.1 would read these as false, 600 (sexagesimal), 1.1 and an int: each field keeps what was written."""
    root = site(
        tmp_path,
        {
            "content/essays/no.md": "---\ntitle: no\ndate: 2026-01-10\ntags: [no, 1.10, 10:00]\n---\nA.\n",
            "content/essays/time.md": "---\ntitle: 10:00\ndate: 2026-01-11\nsummary: 1.10\n---\nB.\n",
            "content/essays/num.md": "---\ntitle: 1.10\ndate: 2026-01-12\n---\nC.\n",
            "content/essays/int.md": "---\ntitle: 42\ndate: 2026-01-13\nslug: forty-two\n---\nD.\n",
        },
    )
    _, report = engine_build(root, use_cache=False)
    assert report.ok, report.errors
    out = root / "public"
    for slug, title in [("no", "no"), ("time", "10:00"), ("num", "1.10"), ("forty-two", "42")]:
        page = (out / f"essays/{slug}/index.html").read_text("utf-8")
        assert f"<title>{title} — Test site</title>" in page and f"<h1>{title}</h1>" in page, slug
    tags = (out / "essays/no/index.html").read_text("utf-8")
    assert 'tags/no/">no<' in tags and 'tags/1-10/">1.10<' in tags and 'tags/10-00/">10:00<' in tags
    assert "1.10" in (out / "essays/time/index.html").read_text("utf-8")  # the summary, not 1.1


def test_a_binary_asset_is_copied_and_a_binary_page_is_an_error(tmp_path: Path) -> None:
    png = bytes(range(256)) * 4
    root = site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "![x](x.png)"),
            "content/essays/e/x.png": png,
            "content/files/data.bin": b"\x00\x01\x02",
        },
    )
    _, report = engine_build(root, use_cache=False)
    assert report.ok, report.errors
    assert (root / "public/essays/e/x.png").read_bytes() == png
    assert (root / "public/files/data.bin").read_bytes() == b"\x00\x01\x02"
    (root / "content/files/notes.md").write_bytes(b"\x00\x01binary")
    _, report = engine_build(root, use_cache=False)
    assert report.errors[0].startswith("content/files/notes.md:1:1: error: file looks binary (NUL byte at offset 0)")


@pytest.mark.slow
def test_dates_are_shown_as_written_whatever_the_time_zone(tmp_path: Path) -> None:
    """Built under UTC+14 and UTC-10 the output is identical, and shows the dates the author wrote."""
    root = site(
        tmp_path,
        {
            "content/essays/late/index.md": essay(
                "Late",
                """
            [A claim.]{.claim #c}

            ::: upd 2026-01-17 re=ana corrects=#c
            Fixed.
            :::
            """,
                date="2026-01-10T23:30:00",
            ),
            "content/essays/late/critiques/ana.md": critique(
                "ana", "::: on #c\nNo.\n:::", date="2026-01-16T00:30:00+14:00"
            ),
            "content/essays/early.md": essay("Early", "Text.", date="2026-01-11T00:15:00-10:00"),
        },
    )
    outputs = {}
    for zone in ("Pacific/Kiritimati", "America/Adak"):
        env = {**os.environ, "TZ": zone}
        out = root / f"out-{zone.split('/')[1].lower()}"
        proc = subprocess.run(
            [sys.executable, "-m", "counterpoint", "build", str(root), "--out", str(out), "--no-cache", "--no-search"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        outputs[zone] = snapshot(out)
    kiritimati, adak = outputs.values()
    assert kiritimati.keys() == adak.keys()
    assert [rel for rel in kiritimati if kiritimati[rel] != adak[rel]] == []
    late = kiritimati["essays/late/index.html"].decode()
    assert "January 10, 2026" in late and "January 17, 2026" in late and "January 16, 2026" in late
    assert "January 11, 2026" in kiritimati["essays/early/index.html"].decode()


# --------------------------------------------------------------------------- never a traceback


BROKEN_SITE = {
    "content/essays/a.md": b"---\ntitle: A\ndate: 2026-02-30\n---\n",
    "content/essays/b.md": b"\xff\xfe\x00garbage",
    "content/essays/c.md": b"---\ntitle: [unclosed\n---\n",
    "content/essays/d.md": b"---\ntitle: D\ndate: 2026-01-10\nslug: ../d\n---\n",
    "content/essays/e/index.md": essay("E", "[x]{.claim #x} [y]{.claim #x}"),
    "content/essays/e/critiques/r.md": critique("r", "::: on #nope\nNo.\n:::\n\n::: on\nNo target.\n:::"),
    "content/essays/e/critiques/s.md": b"---\nauthor: &a x\n---\n",
    "content/essays/f/notes.md": b"an essay folder without index.md",
    "content/critiques/lost.md": critique("lost"),
    "content/page.md": b"---\ntitle: P\nslug: ../../p\n---\n",
}


def test_a_broken_site_gives_messages_not_a_traceback(tmp_path: Path) -> None:
    root = site(tmp_path, BROKEN_SITE)
    before = snapshot(tmp_path)
    results = []
    for command in (["build", str(root), "--no-search"], ["check", str(root)]):
        proc = subprocess.run(
            [sys.executable, "-m", "counterpoint", *command], capture_output=True, text=True, timeout=120
        )
        results.append(proc)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
    build_err, check_err = results[0].stderr, results[1].stderr
    located = [line for line in build_err.splitlines() if ": error: " in line]
    assert len(located) >= len(BROKEN_SITE)
    for line in located:  # path:line:col: error: message (a folder has no line)
        where = line.split(": error: ")[0].split(":")
        assert where[0].startswith("content/"), line
        if (root / where[0]).is_dir():
            assert len(where) == 1, line
        else:
            assert len(where) == 3 and where[1].isdigit() and where[2].isdigit(), line
    hints = [line for line in build_err.splitlines() if line.startswith("  hint: ")]
    assert len(hints) == len(located)
    assert set(located) <= set(check_err.splitlines())
    assert build_err.endswith(f"{len(located)} error(s); nothing was written\n")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "args, files, code, message",
    [
        ([], {"site.yml": "title: T\n"}, 1, "site.yml:1:1: error: site.yml is missing 'author'"),
        ([], {"site.yml": "title: T\nauthor: A\ntheme: nope\n"}, 1, "site.yml"),
        ([], {"site.yml": "title: [unclosed\n"}, 1, "site.yml:1:8: error: invalid YAML in site.yml"),
        (["--base-url", "ftp://x"], {}, 2, "error: --base-url: 'ftp://x' must start with / or http(s)://host"),
    ],
    ids=["missing author", "unknown theme", "bad YAML", "bad --base-url"],
)
def test_bad_configuration_is_a_message(
    args, files, code: int, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site(tmp_path / "s", {"content/essays/e.md": essay("E"), **files})
    got, _, err = run(root, *args, capsys=capsys)
    assert got == code and err.startswith(message), err
    assert "Traceback" not in err


def test_no_site_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(tmp_path, capsys=capsys)
    assert code == 2
    assert (
        err
        == f"error: no site.yml in {tmp_path.resolve()}: run 'counterpoint init {tmp_path.resolve()}' to create a site, or pass the site folder\n"
    )


def test_internal_error_is_short_and_traceback_only_with_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = site(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(steps, "inventory_of", broken)  # a bug in a step of the build
    code, _, err = run(root, capsys=capsys)
    assert code == 3
    assert err == (
        "internal error: RuntimeError: simulated bug\n"
        "This is a bug in counterpoint. Run again with --debug for the traceback and report it.\n"
    )
    code = cli.main(["--debug", "build", str(root), "--no-search"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith("Traceback (most recent call last):") and "RuntimeError: simulated bug" in err
    assert "in broken" in err


# --------------------------------------------------------------------------- faults


def _fail_for(monkeypatch: pytest.MonkeyPatch, name: str, kind: type[OSError], code: int) -> None:
    """Path.read_bytes raises ``kind`` for files called ``name``, as the OS would."""
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == name:
            raise kind(code, os.strerror(code), str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


@pytest.mark.parametrize(
    "kind, code, message",
    [
        (FileNotFoundError, errno.ENOENT, "cannot read file: No such file or directory"),
        (PermissionError, errno.EACCES, "cannot read file: Permission denied"),
    ],
    ids=["deleted while being read", "permission denied (simulated: root ignores chmod 000)"],
)
def test_a_file_that_cannot_be_read_is_reported_and_the_next_build_recovers(
    kind: type[OSError],
    code: int,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = site(tmp_path)
    assert run(root, capsys=capsys)[0] == 0
    (root / "content/essays/tides/critiques/ana.md").write_text(
        critique("ana", "::: on #lift\nStill no.\n:::"), "utf-8"
    )
    before = snapshot(root / "public")
    with monkeypatch.context() as patch:
        _fail_for(patch, "ana.md", kind, code)
        status, _, err = run(root, capsys=capsys)
    assert status == 1
    assert err == (
        f"content/essays/tides/critiques/ana.md: error: {message}\n"
        "  hint: check the file exists and is readable\n"
        "1 error(s); nothing was written\n"
    )
    assert "Traceback" not in err
    assert snapshot(root / "public") == before
    status, _, err = run(root, capsys=capsys)
    assert status == 0, err
    assert "Still no." in (root / "public/essays/tides/index.html").read_text("utf-8")


def test_a_file_that_vanishes_while_content_is_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = site(tmp_path)
    assert run(root, capsys=capsys)[0] == 0
    before = snapshot(root / "public")
    (root / "content/essays/winds.md").write_text(essay("Winds", "Changed.", date="2026-01-11"), "utf-8")  # work to do
    real_ref = Hasher.file_ref

    def ref(self: Hasher, path: Path, rel: str, stat, **kwargs):  # listed by the walk, gone when looked at
        if path.name == "chart.png":
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(path))
        return real_ref(self, path, rel, stat, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(Hasher, "file_ref", ref)
        code, _, err = run(root, capsys=capsys)
    assert code == 1
    assert err.startswith(
        "content/essays/tides/chart.png: error: cannot read file: the file disappeared during the build\n"
        "  hint: it was moved or deleted while the site was building; build again\n"
    ), err
    assert snapshot(root / "public") == before
    assert run(root, capsys=capsys)[0] == 0


def _disk_full(path) -> OSError:
    return OSError(errno.ENOSPC, "No space left on device", str(path))


@pytest.mark.serial_only(
    "every write fails: the message names the first file written, which differs with 24 more essays"
)
def test_disk_full_while_staging_keeps_the_output_and_the_next_build_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = site(tmp_path)
    assert run(root, capsys=capsys)[0] == 0
    (root / "content/essays/winds.md").write_text(essay("Winds", "Changed.", date="2026-01-11"), "utf-8")
    before_out = snapshot(root / "public")
    before_cache = snapshot(root / ".counterpoint")

    def full(stage_dir: Path, rel: str, data: bytes) -> None:
        raise _disk_full(Path(stage_dir) / rel)

    with monkeypatch.context() as patch:
        patch.setattr(output, "write_staged", full)
        patch.setattr(pipeline, "write_staged", full)
        code, _, err = run(root, capsys=capsys)
    assert code == 1
    assert err.startswith(
        "public/essays/winds/index.html: error: cannot write file: no space left on the device\n"
        "  hint: free some disk space and build again (the output folder was left as it was)\n"
    ), err
    assert snapshot(root / "public") == before_out
    assert snapshot(root / ".counterpoint") == before_cache
    code, _, _ = run(root, capsys=capsys)
    assert code == 0
    assert "Changed." in (root / "public/essays/winds/index.html").read_text("utf-8")
    assert no_staging_left(root / "public")


@pytest.mark.serial_only("the n-th rename into this very output folder fails: a copy of the site has another")
@pytest.mark.parametrize("fail_at", [1, 3, 6])
def test_disk_full_half_way_through_the_renames_rolls_back(
    fail_at: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The n-th rename into the output fails: the ones before it are undone,
    files removed as stale come back, the output is as the last build left it."""
    root = site(tmp_path)
    out = root / "public"
    (out / "CNAME").parent.mkdir(parents=True)
    (out / "CNAME").write_bytes(KEEP["CNAME"])
    assert engine_build(root)[1].ok
    # an edit that changes many files, a new essay, a removed page
    (root / "content/essays/winds.md").write_text(essay("Winds", "Changed.", date="2026-01-11", tags=["air"]), "utf-8")
    (root / "content/essays/new.md").write_text(essay("New", "Fresh.", date="2026-01-12"), "utf-8")
    (root / "content/about.md").unlink()
    before = snapshot(out)
    real_replace = os.replace
    calls = [0]

    def replace(src, dst, **kwargs):
        if out in Path(dst).parents and output.STAGING_PREFIX not in str(dst):
            calls[0] += 1
            if calls[0] == fail_at:
                raise _disk_full(dst)
        return real_replace(src, dst, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(output.os, "replace", replace)
        _, report = engine_build(root)
    assert not report.ok
    (message,) = report.errors
    assert ": error: cannot write file: no space left on the device\n" in message and message.startswith("public/")
    assert snapshot(out) == before
    _, report = engine_build(root)
    assert report.ok, report.errors
    assert "Changed." in (out / "essays/winds/index.html").read_text("utf-8")
    assert (out / "essays/new/index.html").is_file() and not (out / "about").exists()
    assert (out / "CNAME").read_bytes() == KEEP["CNAME"]
    assert no_staging_left(out)


def test_a_cache_that_cannot_be_written_does_not_fail_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site(tmp_path)

    def full(path: Path, data: bytes) -> None:
        raise _disk_full(path)

    monkeypatch.setattr(output, "atomic_write", full)
    monkeypatch.setattr("counterpoint.build.record.atomic_write", full)
    _, report = engine_build(root)
    assert report.ok, report.errors
    assert (root / "public/essays/tides/index.html").is_file()
    monkeypatch.undo()
    (root / "content/essays/winds.md").unlink()
    assert engine_build(root)[1].ok  # no manifest was kept, so nothing is removed; but it builds
    assert engine_build(root)[1].ok


def test_a_folder_in_the_way_of_a_page_is_reported(tmp_path: Path) -> None:
    root = site(tmp_path)
    out = root / "public"
    (out / "robots.txt").mkdir(parents=True)
    (out / "robots.txt/mine").write_text("x", "utf-8")
    before = snapshot(tmp_path)
    _, report = engine_build(root, use_cache=False)
    assert report.errors == (
        "public/robots.txt: error: cannot write file: a folder of that name is in the way\n"
        "  hint: move or rename that folder; a build never deletes what it did not make"
        " (the output folder was left as it was)",
    )
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- the dev loop under faults


@pytest.mark.serial_only(
    "every write fails: the message names the first file written, which differs with 24 more essays"
)
def test_the_dev_loop_reports_each_fault_and_recovers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve``'s loop (one Engine kept across rebuilds, as serve keeps it): each fault is one
    failed rebuild with a message, the last good output stays in place, the next rebuild
    recovers.  The HTTP side of a deleted output folder is in test_devserver."""
    import io
    import shutil

    from counterpoint.serve.rebuild import Rebuilder

    root = site(tmp_path)
    served = root / ".counterpoint/serve"
    engine = Engine(root, out=served, search=False, jobs=1)
    log = io.StringIO()
    rebuilder = Rebuilder(engine, root=root, out=log)
    assert rebuilder.run_build(None).ok
    winds = root / "content/essays/winds.md"

    def unreadable(kind: type[OSError], code: int):
        return lambda patch: _fail_for(patch, "winds.md", kind, code)

    def disk_full(patch: pytest.MonkeyPatch) -> None:
        def full(stage_dir: Path, rel: str, data: bytes) -> None:
            raise _disk_full(Path(stage_dir) / rel)

        patch.setattr(output, "write_staged", full)
        patch.setattr(pipeline, "write_staged", full)

    faults = [
        (
            unreadable(FileNotFoundError, errno.ENOENT),
            "content/essays/winds.md: error: cannot read file: No such file or directory",
        ),
        (
            unreadable(PermissionError, errno.EACCES),
            "content/essays/winds.md: error: cannot read file: Permission denied",
        ),
        (
            disk_full,
            ".counterpoint/serve/essays/winds/index.html: error: cannot write file: no space left on the device",
        ),
    ]
    for number, (cause, message) in enumerate(faults):
        good = snapshot(served)
        winds.write_text(essay("Winds", f"Version {number}.", date="2026-01-11"), "utf-8")
        with monkeypatch.context() as patch:
            cause(patch)
            report = rebuilder.run_build(frozenset({winds}))
        assert not report.ok and report.errors[0].split("\n")[0] == message
        assert snapshot(served) == good
        report = rebuilder.run_build(frozenset({winds}))
        assert report.ok, report.errors
        assert f"Version {number}." in (served / "essays/winds/index.html").read_text("utf-8")
    # the output folder deleted between two rebuilds: the next one writes it all again
    shutil.rmtree(served)
    winds.write_text(essay("Winds", "After the folder was deleted.", date="2026-01-11"), "utf-8")
    assert rebuilder.run_build(frozenset({winds})).ok
    assert "After the folder was deleted." in (served / "essays/winds/index.html").read_text("utf-8")
    assert (served / "essays/tides/index.html").is_file() and (served / "index.html").is_file()
    assert "Traceback" not in log.getvalue() and log.getvalue().count("build failed") == len(faults)
