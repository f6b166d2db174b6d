"""The command line as a user types it: ``--debug`` and ``-q/--quiet`` before or
after the command, help text for every option, and an error in a site's own
template said at its file and line (exit 1), never as a crash."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sitefactory import essay, make_site

from counterpoint.cli import main, make_parser


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "counterpoint", *args], capture_output=True, text=True, timeout=120)


def _actions(parser: argparse.ArgumentParser, path: str = "counterpoint"):
    for action in parser._actions:  # argparse has no public list of a parser's actions (allowed in test_architecture)
        if isinstance(action.choices, dict):  # the commands: name -> their parser
            for name, child in action.choices.items():
                yield from _actions(child, f"{path} {name}")
        else:
            yield path, action


def test_every_option_and_argument_has_help():
    missing = [
        f"{path} {action.option_strings or action.dest}" for path, action in _actions(make_parser()) if not action.help
    ]
    assert missing == []
    commands = {path for path, _ in _actions(make_parser())}
    assert {
        "counterpoint build",
        "counterpoint check",
        "counterpoint serve",
        "counterpoint init",
        "counterpoint new essay",
        "counterpoint new critique",
    } <= commands


@pytest.mark.parametrize(
    "argv",
    [
        ["build", "--debug"],
        ["--debug", "build"],
        ["check", "--debug"],
        ["serve", "--debug"],
        ["init", "x", "--debug"],
    ],
)
def test_debug_before_or_after_the_command(argv):
    assert make_parser().parse_args(argv).debug is True


@pytest.mark.parametrize(
    "argv", [["build", "-q"], ["build", "--quiet"], ["-q", "build"], ["check", "-q"], ["--quiet", "check"]]
)
def test_quiet_before_or_after_the_command(argv):
    assert make_parser().parse_args(argv).quiet is True


def test_without_the_flags_they_are_off():
    args = make_parser().parse_args(["build"])
    assert args.debug is False and args.quiet is False


def test_quiet_build_and_check_print_nothing(tmp_path, capsys):
    root = make_site(tmp_path, {"content/essays/a.md": essay("A", description="Old key.")})
    assert main(["build", str(root), "-q", "--debug", "--no-search"]) == 0
    assert main(["check", str(root), "--quiet"]) == 0
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""  # not even the note about 'description'
    assert main(["check", str(root)]) == 0
    out = capsys.readouterr()
    assert "note: 'description' is read as 'summary'" in out.err and "no problems found (1 note(s))" in out.out


TEMPLATE_CASES = {
    "undefined": (
        "page.html",
        '{% extends "base.html" %}\n{% block main %}\n<p>{{ undefined.x }}</p>\n{% endblock %}\n',
        "templates/page.html:3:1: error: template error: 'undefined' is undefined",
    ),
    "an undefined variable, printed": (
        "page.html",
        '{% extends "base.html" %}\n{% block main %}\n<h1>{{ titel }}</h1>\n{% endblock %}\n',
        "templates/page.html:3:1: error: template error: 'titel' is undefined",
    ),
    "a misspelt attribute, printed": (
        "essay.html",
        '{% extends "base.html" %}\n{% block main %}\n\n<h1>{{ essay.titel }}</h1>\n{% endblock %}\n',
        "templates/essay.html:4:1: error: template error: ",
    ),
    "a theme partial included without what it needs": (
        "page.html",
        '{% extends "base.html" %}\n{% block main %}\n\n{% include "partials/essay_card.html" %}\n{% endblock %}\n',
        "templates/page.html:4:1: error: template error: 'essay' is undefined (in the theme's "
        "partials/essay_card.html, line 2)",
    ),
    "missing extends": (
        "page.html",
        '{% extends "nothere.html" %}\n',
        "templates/page.html:1:1: error: template 'nothere.html' not found",
    ),
    "syntax": (
        "page.html",
        '{% extends "base.html" %}\n{% block main %}\n<p>{{ x }\n{% endblock %}\n',
        "templates/page.html:3:1: error: template syntax error: unexpected '}'",
    ),
    "essay page": (
        "essay.html",
        '{% extends "base.html" %}\n{% block main %}\n\n{{ essay.nothing.x }}\n{% endblock %}\n',
        "templates/essay.html:4:1: error: template error:",
    ),
    "an error the template's own code raises": (
        "essay.html",
        '{% extends "base.html" %}\n{% block main %}\n{{ 1 / 0 }}\n{% endblock %}\n',
        "templates/essay.html:3:1: error: template error: division by zero",
    ),
    "a template that includes itself": (
        "essay.html",
        '{% extends "base.html" %}\n{% block main %}\n{% include "essay.html" %}\n{% endblock %}\n',
        "templates/essay.html:1:1: error: template error: templates include, extend or call one another without end",
    ),
    "a macro that calls itself": (
        "essay.html",
        "{% macro f(n) %}{{ f(n) }}{% endmacro %}\n{{ f(1) }}\n",
        "templates/essay.html:1:1: error: template error: templates include, extend or call one another without end",
    ),
    "a template that is not UTF-8": (
        "essay.html",
        b'{% extends "base.html" %}\n\xff\xfe\x00\x01\n',
        "templates/essay.html:2:1: error: template syntax error: the file is not UTF-8 text",
    ),
    "a Jinja filter given the wrong arguments": (
        "page.html",
        '{% extends "base.html" %}\n{% block main %}\n{{ "%s and %s"|format(page.title) }}\n{% endblock %}\n',
        "templates/page.html:3:1: error: template error: not enough arguments for format string",
    ),
    "a Jinja filter given a value it cannot take": (
        "page.html",
        '{% extends "base.html" %}\n{% block main %}\n\n{{ page|dictsort }}\n{% endblock %}\n',
        "templates/page.html:4:1: error: template error:",
    ),
    "a value a Jinja filter hands to Python that cannot take it": (
        "page.html",
        '{% extends "base.html" %}\n{% block main %}\n{{ page|tojson }}\n{% endblock %}\n',
        "templates/page.html:3:1: error: template error: Object of type PlainPage is not JSON serializable",
    ),
    "site page": (
        "index.html",
        '{% extends "base.html" %}\n{% block main %}{% include "partials/gone.html" %}{% endblock %}\n',
        "templates/index.html:2:1: error: template 'partials/gone.html' not found",
    ),
}


@pytest.mark.parametrize("case", sorted(TEMPLATE_CASES))
def test_an_error_in_a_sites_template_names_file_and_line(tmp_path, case):
    name, text, expected = TEMPLATE_CASES[case]
    root = make_site(
        tmp_path,
        {
            "content/essays/a.md": essay("A"),
            "content/about.md": "---\ntitle: About\n---\nHi.\n",
            f"templates/{name}": text,
        },
    )
    result = run("build", str(root), "--no-search")
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr, result.stderr
    assert "internal error" not in result.stderr and "cannot write" not in result.stderr
    assert "hint: this is your own version of a theme template" in result.stderr or "not found" in expected
    assert not (root / "public" / "index.html").exists()  # nothing half-written


def test_an_error_inside_counterpoints_code_a_template_calls_stays_an_internal_error(tmp_path):
    """A Jinja filter's error is the template's (above); one raised in counterpoint's own
    function, which the template called, is a bug of counterpoint's and said as one."""
    root = make_site(
        tmp_path,
        {
            "content/about.md": "---\ntitle: About\n---\nHi.\n",
            "templates/page.html": '{% extends "base.html" %}\n{% block main %}{{ tag_slug(5) }}{% endblock %}\n',
        },
    )
    result = run("build", str(root), "--no-search")
    assert result.returncode == 3 and "internal error" in result.stderr, result.stderr


@pytest.mark.parametrize("name", ["index.html", "essay.html"])
def test_a_template_error_in_worker_processes_names_file_and_line(tmp_path, name):
    """Thirty essays with two jobs: essays render in worker processes and the site's
    listings in forked ones; the error comes back from them with its place."""
    from sitefactory import build

    files = {f"content/essays/e{n:02}.md": essay(f"Essay {n}", f"Text {n}.") for n in range(30)}
    files[f"templates/{name}"] = '{% extends "base.html" %}\n{% block main %}\n{{ nothing.here }}\n{% endblock %}\n'
    built = build(make_site(tmp_path, files), jobs=2)
    assert not built.ok
    assert built.report.errors[0].startswith(f"templates/{name}:3:1: error: template error: 'nothing' is undefined"), (
        built.report.errors
    )


def test_content_errors_come_back_from_worker_processes(tmp_path):
    """A content error in a site large enough for worker processes is reported like any
    other (it crashed the process pool: a ContentError could not be unpickled)."""
    import pickle

    from sitefactory import build

    from counterpoint.errors import ContentError

    error = ContentError("a.md", 3, "message", "hint", 2, "note")
    assert pickle.loads(pickle.dumps(error)) == error
    files = {f"content/essays/e{n:02}.md": essay(f"Essay {n}", f"Text {n}.") for n in range(30)}
    files["content/essays/e05.md"] = "---\ndate: 2026-01-01\n---\nNo title.\n"
    built = build(make_site(tmp_path, files), jobs=2)
    assert built.report.errors == (
        "content/essays/e05.md:1:1: error: essay front matter is missing 'title'\n"
        '  hint: add a line "title: ..." to the front matter',
    )


def test_the_command_line_says_everything_before_it_ends_at_once(tmp_path) -> None:
    # run() ends the process without the interpreter's teardown: everything a command said
    # (150 errors, a build's line) arrives through the pipes, and the exit code is main's
    from pathlib import Path

    import tomllib

    scripts = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["counterpoint"] == "counterpoint.cli:run"
    essays = {f"content/essays/e{n}.md": essay(f"E{n}", "Text.", date="2026-13-01") for n in range(150)}
    root = make_site(tmp_path / "site", {**essays, "content/essays/ok.md": essay("Ok")})
    failed = run("check", str(root))
    assert failed.returncode == 1
    assert failed.stdout.count("invalid date") + failed.stderr.count("invalid date") == 150
    assert failed.stderr.rstrip().endswith("150 error(s)"), failed.stderr[-300:]
    good = make_site(tmp_path / "good", {f"content/essays/g{n}.md": essay(f"G{n}") for n in range(3)})
    built = run("build", str(good), "--no-search")
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("built 3 essay(s) into ") and built.stdout.endswith("\n"), built.stdout


@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_jobs_below_one_is_a_usage_error(tmp_path, jobs) -> None:
    # it built serially, as if --jobs 1 had been asked
    root = make_site(tmp_path / "site", {"content/essays/tides/index.md": essay("Tides")})
    built = run("build", str(root), "--no-search", "--jobs", jobs)
    assert built.returncode == 2, built.stderr
    assert built.stderr.endswith(
        f"error: argument --jobs: {jobs} is not a number of processes: use 1 or more (1: render in this process only)\n"
    ), built.stderr
    assert not (root / "public").exists()


def test_a_profiler_watching_the_command_line_gets_its_data(tmp_path) -> None:
    # the command line ends with os._exit, skipping the interpreter's teardown: not when a
    # profiler (or coverage, or a debugger) watches it, which writes its data at the end
    import pstats

    root = make_site(tmp_path / "site", {"content/essays/tides/index.md": essay("Tides")})
    profile = tmp_path / "build.prof"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "counterpoint", "build", str(root), "--no-search"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built 1 essay(s) into "), done.stdout
    assert profile.is_file(), "the profile was never written"
    assert any("counterpoint" in filename for filename, _, _ in pstats.Stats(str(profile)).stats)  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ["inf", "1e308", "nan", "-1", "0", "soon"])
def test_a_timeout_that_is_no_time_to_wait_is_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["check", ".", "--external", "--timeout", value])
    assert exit_.value.code == 2
    assert f"{value} is not a number of seconds" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["site.yml", "notes.txt", "/dev/null"])
def test_an_output_that_is_a_file_is_refused_as_such(tmp_path, target: str) -> None:
    """It read "site.yml: error: cannot write file: File exists" (as if site.yml had a problem),
    and for /dev/null "already holds files that counterpoint did not make"."""
    root = make_site(tmp_path, {"content/essays/a.md": essay("A"), "notes.txt": "mine"})
    out = target if target.startswith("/") else str(root / target)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = run("build", str(root), "--out", out, "--no-search")
    assert result.returncode == 2, result.stderr
    assert f"output {Path(out).resolve()} is a file, not a folder" in result.stderr, result.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("command", [["check"], ["build", "--no-search"]])
def test_output_into_a_closed_pipe_ends_quietly(tmp_path, command):
    """``counterpoint check . | head -1``: when the reader of its output has gone, the
    command stops as other command-line tools do, without an "internal error"."""
    root = make_site(tmp_path / "site", {"content/essays/e.md": essay("E", "Text.")})
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "counterpoint", *command, str(root)],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write)
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 141, done.stderr
