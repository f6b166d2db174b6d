"""The build cache: what a rebuild re-renders, and that it is never stale."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sitefactory import critique, essay, make_site, plain_page

from counterpoint.build import engine as engine_module
from counterpoint.build import essays as essays_step
from counterpoint.build import record, scheduler, steps, uptodate, workers
from counterpoint.build.engine import Engine
from counterpoint.build.record import BuildRecord
from counterpoint.build.workers import render_share


def _site(tmp_path: Path, n: int = 3, tags=lambda i: ["t"]) -> Path:
    files: dict[str, str] = {}
    for i in range(n):
        files[f"content/essays/e{i}/index.md"] = essay(
            f"Essay {i}", f"[Claim number {i} stands here.]{{.claim #c{i}}}\n\nMore text {i}.", tags=tags(i)
        )
        files[f"content/essays/e{i}/critiques/r{i}.md"] = critique("reader", f"::: on #c{i}\nNot so, {i}.\n:::")
    return make_site(tmp_path / "site", files)


def _build(root: Path, **kwargs) -> Engine:
    engine = Engine(root, search=False, **kwargs)
    report = engine.build()
    assert report.ok, report.errors
    return engine


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_noop_rebuild_renders_and_writes_nothing(tmp_path: Path) -> None:
    root = _site(tmp_path)
    first = _build(root)
    assert first.last_stats.rendered == 3
    again = _build(root)  # a new engine: the cache comes from disk
    assert again.last_stats.rendered == 0
    assert again.last_stats.pages_rendered == 0
    assert again.last_stats.written == ()


def test_editing_one_essay_rerenders_only_it_and_its_listings(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _build(root)
    before = _outputs(root / "public")
    path = root / "content/essays/e1/index.md"
    path.write_text(path.read_text().replace("More text 1.", "Edited text 1."))
    after_engine = _build(root)
    assert after_engine.last_stats.rendered == 1
    written = set(after_engine.last_stats.written)
    assert "essays/e1/index.html" in written
    assert "essays/e0/index.html" not in written and "essays/e2/index.html" not in written
    after = _outputs(root / "public")
    assert b"Edited text 1." in after["essays/e1/index.html"]
    assert after["essays/e0/index.html"] == before["essays/e0/index.html"]


def test_an_edit_of_the_text_alone_leaves_the_listings_alone(tmp_path: Path) -> None:
    """Listings, the sitemap and the corrections page do not show an essay's body: a
    change to the text alone re-renders the feeds that carry it, and nothing else;
    a change to what a card shows (the title) re-renders the listings too."""
    root = _site(tmp_path, tags=lambda i: ["t"] if i == 1 else [])
    _build(root)
    path = root / "content/essays/e1/index.md"
    path.write_text(path.read_text().replace("More text 1.", "Edited text 1."))
    engine = _build(root)
    assert engine.last_stats.rendered == 1
    # feed.xml and tags/t/feed.xml carry the body; index, tag, corrections pages and the sitemap do not
    assert engine.last_stats.pages_rendered == 2
    assert "Edited text 1." in (root / "public/feed.xml").read_text()
    path.write_text(path.read_text().replace('title: "Essay 1"', 'title: "Essay One"'))
    engine = _build(root)
    assert engine.last_stats.pages_rendered > 2
    assert "Essay One" in (root / "public/index.html").read_text()
    assert "Essay One" in (root / "public/tags/t/index.html").read_text()


def test_critique_change_invalidates_its_essay(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _build(root)
    path = root / "content/essays/e2/critiques/r2.md"
    path.write_text(path.read_text().replace("Not so, 2.", "Wrong, says the reader."))
    engine = _build(root)
    assert engine.last_stats.rendered == 1
    assert "Wrong, says the reader." in (root / "public/essays/e2/index.html").read_text()


def test_template_change_invalidates_everything(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _build(root)
    (root / "templates/partials").mkdir(parents=True)
    builtin = Path(engine_module.load_theme(root, "default").template_dirs[1]) / "partials/remark.html"
    (root / "templates/partials/remark.html").write_text(
        builtin.read_text().replace('class="remark-body"', 'class="remark-body overridden"')
    )
    engine = _build(root)
    assert engine.last_stats.rendered == 3
    for i in range(3):
        assert "remark-body overridden" in (root / f"public/essays/e{i}/index.html").read_text()


_COMPILING_BUILD = """
import json, sys
import jinja2
from counterpoint.build.engine import Engine
compiled = []
original = jinja2.Environment.compile
def counting(self, source, name=None, *args, **kwargs):
    compiled.append(name)
    return original(self, source, name, *args, **kwargs)
jinja2.Environment.compile = counting
ok = Engine(sys.argv[1], search=False, jobs=1).build().ok
print(json.dumps([ok, compiled]))
"""


def _build_in_new_process(root: Path) -> list[str]:
    """Build in a process of its own; the names of the templates it compiled."""
    done = subprocess.run(
        [sys.executable, "-c", _COMPILING_BUILD, str(root)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    ok, compiled = json.loads(done.stdout)
    assert ok
    return compiled


def test_compiled_templates_are_kept_between_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The built-in theme's compiled templates are kept in the user's cache folder, where
    a cold build of any site finds them; a site's own, in its build cache."""
    user = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(user))
    root = _site(tmp_path)
    (root / "templates").mkdir()
    builtin = Path(engine_module.load_theme(root, "default").template_dirs[1]) / "essay.html"
    own = root / "templates/essay.html"
    own.write_text(builtin.read_text().replace('class="essay-head"', 'class="essay-head own"'))
    first = _build_in_new_process(root)
    assert "essay.html" in first and "partials/remark.html" in first and "base.html" in first
    shared = list((user / "counterpoint/templates").glob("*/__jinja2_*.cache"))
    assert len(shared) == len(first) - 1  # every built-in template this build compiled; not the site's own
    assert len(list((root / ".counterpoint/cache/templates").glob("*/__jinja2_*.cache"))) == 1

    path = root / "content/essays/e1/index.md"
    path.write_text(path.read_text().replace("More text 1.", "Edited text 1."))
    assert _build_in_new_process(root) == []  # every template came from a cache

    clone = tmp_path / "clone"  # a fresh clone of the site: no build cache
    shutil.copytree(root, clone, ignore=shutil.ignore_patterns(".counterpoint", "public"))
    assert _build_in_new_process(clone) == ["essay.html"]  # the built-in ones from the user's cache
    assert 'class="essay-head own"' in (clone / "public/essays/e0/index.html").read_text()

    own.write_text(builtin.read_text().replace('class="essay-head"', 'class="essay-head edited"'))
    assert _build_in_new_process(root) == ["essay.html"]  # the edited template, and only it, compiled again
    assert 'class="essay-head edited"' in (root / "public/essays/e0/index.html").read_text()


def test_without_a_user_cache_folder_the_site_keeps_every_compiled_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # the cache folder cannot be made inside a file
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    root = _site(tmp_path)
    first = _build_in_new_process(root)
    assert "essay.html" in first
    assert len(list((root / ".counterpoint/cache/templates").glob("*/__jinja2_*.cache"))) == len(first)
    assert _build_in_new_process(root) == []


def test_the_user_cache_keeps_the_compiled_templates_of_the_newest_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other installs of counterpoint (other code) share the folder: the newest eight of
    theirs stay, older ones go, once another version of the code arrives."""
    user = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(user))
    folder = user / "counterpoint/templates"
    for n in range(12):
        (folder / f"other-{n}").mkdir(parents=True)
        os.utime(folder / f"other-{n}", (1_000_000 + n, 1_000_000 + n))
    _build_in_new_process(_site(tmp_path))
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 9 and {f"other-{n}" for n in range(4, 12)} <= set(kept)
    assert list(folder.glob("*/__jinja2_*.cache"))  # this version's own


def test_no_cache_keeps_no_compiled_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(user))
    root = _site(tmp_path)
    _build(root, use_cache=False)
    assert not user.exists() and not (root / ".counterpoint/cache/templates").exists()


def test_site_yml_change_invalidates_everything(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _build(root)
    config = root / "site.yml"
    config.write_text(config.read_text().replace("Test site", "Renamed site"))
    engine = _build(root)
    assert engine.last_stats.rendered == 3
    assert "Renamed site" in (root / "public/essays/e0/index.html").read_text()


def test_package_version_change_invalidates_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _site(tmp_path)
    _build(root)
    monkeypatch.setattr(record, "code_fingerprint", lambda: "another-version")
    engine = _build(root)
    assert engine.last_stats.rendered == 3


def test_a_library_upgrade_invalidates_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The versions of the libraries that shape the output are part of the one inputs key:
    no --no-cache run is needed after an upgrade, and the no-op check sees it too."""
    root = _site(tmp_path)
    _build(root)
    versions = record.library_versions()
    assert versions["Pygments"] and versions["markdown-it-py"] and versions["python-slugify"]
    monkeypatch.setattr(record, "library_versions", lambda: {**versions, "Pygments": "99.0"})
    engine = _build(root)
    assert engine.last_stats.rendered == 3
    assert _build(root).last_stats.rendered == 0  # and the next build is a no-op again


def test_timings_name_every_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from counterpoint import cli

    root = _site(tmp_path)
    assert cli.main(["build", str(root), "--no-search", "--timings"]) == 0
    line = capsys.readouterr().out.splitlines()[1]
    assert [part.rsplit(" ", 2)[0] for part in line.strip().split(", ")] == [name for name, _ in steps.STEPS]


def test_deleted_output_file_is_written_again(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _build(root)
    (root / "public/essays/e0/index.html").unlink()
    engine = _build(root)
    assert engine.last_stats.rendered == 1
    assert (root / "public/essays/e0/index.html").is_file()


def test_serve_edit_uses_memory_and_sees_the_change(tmp_path: Path) -> None:
    root = _site(tmp_path)
    engine = Engine(root, search=False)
    assert engine.build().ok
    path = root / "content/essays/e0/index.md"
    path.write_text(path.read_text().replace("More text 0.", "Fresh words."))
    report = engine.build(frozenset({path}))
    assert report.ok
    assert engine.last_stats.rendered == 1
    assert "Fresh words." in (root / "public/essays/e0/index.html").read_text()
    # a new essay is not a known file: the whole content folder is walked again
    new = root / "content/essays/e9/index.md"
    new.parent.mkdir()
    new.write_text(essay("Essay nine", "Nine."))
    assert engine.build(frozenset({new})).ok
    assert (root / "public/essays/e9/index.html").is_file()


def _marking_share(marks: Path, share: list[int]) -> list:
    """render_share, leaving a mark of the process that ran it."""
    (marks / f"{os.getpid()}-{len(share)}").touch()
    return render_share(share)


def test_parallel_build_is_identical_to_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    n = scheduler.PARALLEL_THRESHOLD * 2 + 3
    root = _site(tmp_path, n, tags=lambda i: ["t", f"t{i % 7}"])
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setattr(workers, "render_share", functools.partial(_marking_share, marks))
    serial = _build(root, out=tmp_path / "serial", jobs=1, use_cache=False)
    assert list(marks.iterdir()) == []
    parallel = _build(root, out=tmp_path / "parallel", jobs=2, use_cache=False)
    assert serial.last_stats.rendered == parallel.last_stats.rendered == n
    assert serial.last_stats.pages_rendered == parallel.last_stats.pages_rendered > scheduler.PAGES_PARALLEL_THRESHOLD
    # the site pages were shared by this process and one forked from it (each one forked
    # copies the memory of the summaries it reads: workers.fork_map)
    pids = {mark.name.split("-")[0] for mark in marks.iterdir()}
    assert len(pids) == 2 and str(os.getpid()) in pids
    assert _outputs(tmp_path / "serial") == _outputs(tmp_path / "parallel")


def test_cold_build_starts_its_workers_before_walking_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from counterpoint.build.workers import Workers

    root = _site(tmp_path, scheduler.PARALLEL_THRESHOLD + 2)
    (root / "templates").mkdir()
    (root / "templates/unused.html").write_text("{% if %}")  # never rendered: warming up must not break the pool
    events: list[str] = []
    start, discover = Workers.start, steps.inventory_of
    monkeypatch.setattr(Workers, "start", lambda self: (events.append("start"), start(self))[1])
    monkeypatch.setattr(steps, "inventory_of", lambda *a: (events.append("discover"), discover(*a))[1])
    cold = _build(root, jobs=2)
    assert events == ["start", "discover"] and cold.last_stats.rendered == scheduler.PARALLEL_THRESHOLD + 2
    events.clear()
    path = root / "content/essays/e1/index.md"
    path.write_text(path.read_text().replace("More text 1.", "Edited text 1."))
    assert _build(root, jobs=2).last_stats.rendered == 1
    assert events == ["discover"]  # one essay to render: no processes to start


def test_warm_up_prepares_the_templates(tmp_path: Path) -> None:
    from counterpoint.build.pipeline import warm_up
    from counterpoint.theme import theme as theme_module

    (tmp_path / "templates").mkdir()  # a theme this process has never seen: no environment made for it yet
    (tmp_path / "templates/marker.html").write_text(str(tmp_path))
    theme = engine_module.load_theme(tmp_path, "default")
    warm_up(theme, "ru")
    names = {key[1] for key in theme_module.jinja_for(theme).cache.keys()}
    assert {"essay.html", "partials/remark.html", "index.html", "feed.xml"} <= names


def test_prepare_here_makes_what_the_first_edit_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """serve's first build renders in workers; ``prepare_here`` then readies its own
    process from what the results say the essays use: lexers, date formats, digests."""
    from counterpoint.build import pipeline
    from counterpoint.markup import highlight
    from counterpoint.source import i18n
    from counterpoint.source.content import all_refs

    root = make_site(
        tmp_path / "site",
        {
            "content/essays/a/index.md": essay("A", "```python\nx = 1\n```\n\n```Rust extra words\nfn f() {}\n```"),
            "content/essays/a/critiques/r.md": critique("reader", "Fine."),
            "content/essays/b.md": essay("B", "```bash\nls\n```\n\n```\nplain\n```", lang="en"),
        },
        {"language": "ru"},
    )
    engine = Engine(root, search=False, out=tmp_path / "out", jobs=1)
    assert engine.build().ok
    asked: list[dict] = []
    warm_up = pipeline.warm_up
    monkeypatch.setattr(pipeline, "warm_up", lambda *a, **k: (asked.append(k), warm_up(*a, **k))[1])
    held: list[bool] = []  # every digest known in the inventory the next build starts from
    inventory_of = steps.inventory_of
    monkeypatch.setattr(
        steps, "inventory_of", lambda *a: (held.append(all(r.digest for r in all_refs(a[-1]))), inventory_of(*a))[1]
    )
    # as in serve's process, whose essays were rendered in workers
    highlight.lexer_for.cache_clear()
    i18n.date_pattern.cache_clear()
    engine.prepare_here()
    assert asked == [{"code": ("bash", "python", "rust"), "languages": ("en", "ru")}]  # what the essays use
    assert highlight.lexer_for.cache_info().currsize == 3
    assert i18n.date_pattern.cache_info().currsize == 2 * len(i18n.DATE_STYLES)  # ru and en
    before = highlight.lexer_for.cache_info()
    path = root / "content/essays/a/index.md"
    path.write_text(path.read_text().replace("x = 1", "x = 2"))
    assert engine.build(frozenset({path})).ok and engine.last_stats.rendered == 1
    # read by the renderer, not the walk: the build keeps the digests the workers computed
    assert held == [True]
    after = highlight.lexer_for.cache_info()
    assert after.misses == before.misses and after.hits > before.hits  # the edit found its lexers made


def test_css_change_rewrites_the_stylesheet_only(tmp_path: Path) -> None:
    root = _site(tmp_path)
    (root / "themes/default/static").mkdir(parents=True)
    css = root / "themes/default/static/counterpoint.css"
    css.write_text("body { color: black }")
    engine = Engine(root, search=False)
    assert engine.build().ok
    css.write_text("body { color: teal }")
    report = engine.build(frozenset({css}))
    assert report.ok
    assert engine.last_stats.rendered == 0
    assert report.written == ("static/counterpoint.css",)
    assert (root / "public/static/counterpoint.css").read_text() == "body { color: teal }"


def test_new_plain_page_is_linked_from_every_page(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _build(root)
    (root / "content/colophon.md").write_text(plain_page("Colophon", "Set in type."))
    engine = _build(root)
    assert engine.last_stats.rendered == 3  # the navigation changed on every essay page
    for i in range(3):
        assert 'href="/colophon/"' in (root / f"public/essays/e{i}/index.html").read_text()


def test_noop_build_does_not_even_load_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _site(tmp_path)
    _build(root)
    before = _outputs(root / "public")

    def refuse(self: BuildRecord, output: Path) -> None:
        raise AssertionError("a build with nothing to do loaded the cache")

    monkeypatch.setattr(BuildRecord, "load_state", refuse)
    engine = _build(root)
    assert (engine.last_stats.essays, engine.last_stats.rendered, engine.last_stats.written) == (3, 0, ())
    assert _outputs(root / "public") == before


_HEAVY = (
    "yaml",
    "jinja2",
    "markdown_it",
    "babel",
    "pygments",
    "counterpoint.build.engine",
    "counterpoint.source.config",
)


def _cli_build(root: Path, *args: str) -> tuple[int, list[str], str]:
    """``counterpoint build`` in a fresh interpreter: exit code, which heavy modules it loaded, its output."""
    import json
    import subprocess
    import sys

    code = (
        "import contextlib, io, json, sys\n"
        "from counterpoint.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    rc = main(['build', {str(root)!r}, '--no-search', *{list(args)!r}])\n"
        f"print(json.dumps([rc, sorted(m for m in {_HEAVY!r} if m in sys.modules), out.getvalue()]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rc, loaded, printed = json.loads(done.stdout.splitlines()[-1])
    return rc, loaded, printed


def test_cli_noop_build_loads_no_yaml_markdown_or_templates(tmp_path: Path) -> None:
    root = _site(tmp_path)
    rc, loaded, printed = _cli_build(root)
    assert rc == 0 and "counterpoint.build.engine" in loaded
    before = _outputs(root / "public")
    rc, loaded, printed = _cli_build(root)
    assert (rc, loaded) == (0, [])
    assert printed.startswith("built 3 essay(s) into ") and printed.rstrip().endswith("(0 file(s) changed)")
    assert _outputs(root / "public") == before
    # an edit: the walk the check made is the one the build uses
    path = root / "content/essays/e1/index.md"
    path.write_text(path.read_text().replace("More text 1.", "Edited text 1."))
    rc, loaded, printed = _cli_build(root)
    assert (
        rc == 0
        and "counterpoint.build.engine" in loaded
        and "Edited text 1." in (root / "public/essays/e1/index.html").read_text()
    )
    assert _cli_build(root)[:2] == (0, [])
    # another output folder, or other options, is not the recorded build
    rc, loaded, _ = _cli_build(root, "--out", str(tmp_path / "elsewhere"))
    assert rc == 0 and "counterpoint.build.engine" in loaded and (tmp_path / "elsewhere/index.html").is_file()
    rc, loaded, _ = _cli_build(root, "--drafts")
    assert "counterpoint.build.engine" in loaded


def test_a_theme_folder_added_after_the_build_is_not_a_noop(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _build(root)
    builtin = Path(uptodate.load_theme(root, "default").template_dirs[-1])
    override = root / "themes/default/templates/partials/essay_meta.html"
    override.parent.mkdir(parents=True)
    override.write_text((builtin / "partials/essay_meta.html").read_text() + "<p>theme of the site</p>\n")
    engine = _build(root)
    assert engine.last_stats.rendered == 3
    assert "theme of the site" in (root / "public/essays/e0/index.html").read_text()


def test_a_build_without_the_cache_into_the_same_folder_forgets_the_record(tmp_path: Path) -> None:
    root = _site(tmp_path)
    (root / "site.yml").write_text((root / "site.yml").read_text() + "base_url: /aa/\n")
    _build(root)
    # every file the same size, other bytes: the manifest's size check alone would not see it
    other = Engine(root, search=False, use_cache=False, base_url="/bb/")
    assert other.build().ok
    assert 'href="/bb/' in (root / "public/index.html").read_text()
    engine = _build(root)
    assert engine.last_stats.written
    page = (root / "public/index.html").read_text()
    assert 'href="/aa/' in page and 'href="/bb/' not in page


def test_serve_building_elsewhere_keeps_the_record(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _build(root)
    serve = Engine(root, search=False, out=tmp_path / "served", base_url="http://127.0.0.1:8000/", persist=False)
    assert serve.build().ok
    engine = _build(root)
    assert (engine.last_stats.rendered, engine.last_stats.written, list(engine.last_stats.timings)) == (
        0,
        (),
        ["discover"],
    )


def _same_size_edit(root: Path) -> str:
    path = root / "content/essays/e1/index.md"
    stat = path.stat()
    path.write_text(path.read_text().replace("More text 1.", "More TEXT 1."))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # one nanosecond later, same size
    return "essays/e1/index.html:More TEXT 1."


def _theme_static_file(root: Path) -> str:
    (root / "themes/default/static").mkdir(parents=True)
    (root / "themes/default/static/extra.css").write_text("p { color: teal }")
    return "static/extra.css:color: teal"


def _truncated_output(root: Path) -> str:
    (root / "public/essays/e0/index.html").write_text("x")
    return "essays/e0/index.html:Claim number 0"


def _removed_essay(root: Path) -> str:
    for path in sorted((root / "content/essays/e2").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (root / "content/essays/e2").rmdir()
    return "index.html:Essay 1"


@pytest.mark.parametrize("change", [_same_size_edit, _theme_static_file, _truncated_output, _removed_essay])
def test_nothing_to_do_only_when_nothing_changed(tmp_path: Path, change) -> None:
    root = _site(tmp_path)
    _build(root)
    rel, text = change(root).split(":", 1)
    engine = _build(root)
    assert engine.last_stats.written, "the change was not seen"
    assert text in (root / "public" / rel).read_text()
    if change is _removed_essay:
        assert not (root / "public/essays/e2").exists()


def test_options_are_part_of_what_a_build_is_made_from(tmp_path: Path) -> None:
    root = _site(tmp_path)
    (root / "content/essays/wip.md").write_text(essay("Work in progress", "Not yet.", draft=True))
    _build(root)
    assert not (root / "public/essays/wip").exists()
    _build(root, drafts=True)
    assert (root / "public/essays/wip/index.html").is_file()
    _build(root, base_url="https://example.org/sub/")
    assert 'href="/sub/essays/e0/"' in (root / "public/index.html").read_text()
    assert not (root / "public/essays/wip").exists()
    again = _build(root, base_url="https://example.org/sub/")
    assert again.last_stats.written == ()


def test_a_serve_edit_looks_only_at_the_essay_it_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In serve, the essays whose files are the very ones of the last build are taken as
    they are, without a cache key made for each; what an edit changed is still rendered,
    an earlier edit stays, and a failed build in between changes none of that."""
    from counterpoint.build.options import BuildOptions

    root = _site(tmp_path, n=5)
    engine = Engine(root, BuildOptions(out=root / "served", persist=False, index_search=False, search=False))
    assert engine.build().ok
    keys: list[str] = []
    make_key = essays_step.cache_key
    monkeypatch.setattr(essays_step, "cache_key", lambda *a: (keys.append(a[1]), make_key(*a))[1])

    def edit(i: int, old: str, new: str) -> None:
        path = root / f"content/essays/e{i}/index.md"
        path.write_text(path.read_text().replace(old, new))
        report = engine.build(frozenset({path}))
        assert report.ok == ("#c" not in new), report.errors

    edit(1, "More text 1.", "Edited text 1.")
    assert engine.last_stats.rendered == 1
    assert {key.split("|")[0] for key in keys} == {"e1"}  # keys of the edited essay only (its slug first)
    keys.clear()
    edit(3, "More text 3.", "Edited text 3.")
    assert engine.last_stats.rendered == 1
    assert {key.split("|")[0] for key in keys} == {"e3"}
    edit(3, "Edited text 3.", "[Twice.]{.claim #c3}")  # a duplicate claim id: the build fails
    edit(3, "[Twice.]{.claim #c3}", "Edited again 3.")
    assert engine.last_stats.rendered == 1
    assert "Edited text 1." in (root / "served/essays/e1/index.html").read_text()
    assert "Edited again 3." in (root / "served/essays/e3/index.html").read_text()
    assert "More text 2." in (root / "served/essays/e2/index.html").read_text()


def test_a_files_digest_is_the_same_wherever_it_is_made(tmp_path: Path) -> None:
    """One digest for a file's bytes: of an input read whole or in chunks, of an output as
    the manifest records it, and as search reads the pages back to find what changed.
    Two that differed would rewrite or re-index without end."""
    from counterpoint.build.record import manifest_file
    from counterpoint.output.manifest import Manifest
    from counterpoint.output.output import digest_bytes
    from counterpoint.output.search import index_site
    from counterpoint.source.content import digest_file

    big = os.urandom(3 * (1 << 20) + 7)  # more than one chunk
    root = make_site(
        tmp_path / "site", {"content/essays/a/index.md": essay("A", "Text."), "content/essays/a/big.bin": big}
    )
    assert digest_file(root / "content/essays/a/big.bin") == digest_bytes(big)
    engine = Engine(root, search=False)
    engine.build()
    out = engine.config.output
    recorded = Manifest.load(manifest_file(root, out)).files
    assert recorded["essays/a/big.bin"][0] == digest_bytes(big)  # the input's digest, copied as it is
    assert recorded["index.html"][0] == digest_bytes((out / "index.html").read_bytes())
    record = tmp_path / "search-record.json"
    first = index_site(out, "en", pages={rel: entry[0] for rel, entry in recorded.items()}, record=record)
    assert first.warning is None and first.indexed > 0
    again = index_site(out, "en", record=record)  # the pages' digests read from the files
    assert (again.warning, again.indexed) == (None, 0)
