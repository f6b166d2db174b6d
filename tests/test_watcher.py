"""The watcher and the rebuild loop with real file writes: waits on conditions, and a
sentinel file written last proves that earlier events were all delivered."""

from __future__ import annotations

import errno
import io
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from watchdog.events import FileAttribEvent, FileClosedNoWriteEvent, FileMovedEvent, FileOpenedEvent
from watchdog.observers.polling import PollingObserver

from counterpoint.build.report import BuildReport
from counterpoint.serve import watcher as watcher_mod
from counterpoint.serve.rebuild import Rebuilder, describe_exception, format_report
from counterpoint.serve.watcher import ChangeFilter, Watcher


class Seen:
    """Collects what the watcher reports; tests wait on it."""

    def __init__(self) -> None:
        self.paths: list[Path] = []
        self.cond = threading.Condition()

    def __call__(self, paths: frozenset[Path]) -> None:
        with self.cond:
            self.paths.extend(paths)
            self.cond.notify_all()

    def wait_for(self, path: Path, timeout: float = 10) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: path in self.paths, timeout)

    def names(self) -> set[str]:
        with self.cond:
            return {p.name for p in self.paths}


class FakeBuilder:
    """Records each build's changed paths and the content state it saw."""

    def __init__(self, content: Path | None = None) -> None:
        self.content = content
        self.calls: list[frozenset[Path] | None] = []
        self.states: list[dict[str, str]] = []
        self.cond = threading.Condition()
        self.gate: threading.Event | None = None  # set to hold the next build
        self.started = threading.Event()
        self.fail_next: BaseException | None = None

    def build(self, changed: frozenset[Path] | None = None) -> BuildReport:
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(10)
            self.gate = None
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc
        state = {}
        if self.content is not None:
            state = {p.name: p.read_text(encoding="utf-8") for p in self.content.glob("*.md")}
        with self.cond:
            self.calls.append(changed)
            self.states.append(state)
            self.cond.notify_all()
        return BuildReport(True, (), ("index.html",), 1.0, ())

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10) -> bool:
        with self.cond:
            return self.cond.wait_for(predicate, timeout)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "site.yml").write_text("title: t\n", encoding="utf-8")
    return tmp_path.resolve()


@pytest.fixture(params=[False, True], ids=["native", "poll"])
def poll(request: pytest.FixtureRequest) -> bool:
    return request.param


def watch(site: Path, seen: Seen, *, poll: bool = False, **kw: object) -> Watcher:
    return Watcher(
        [site / "site.yml", site / "content", site / "templates"],
        seen,
        poll=poll,
        poll_interval=0.05,
        ignore=[site / "public", site / ".counterpoint"],
        out=io.StringIO(),
        **kw,  # type: ignore[arg-type]
    )


def sentinel(site: Path, seen: Seen, name: str = "zz-sentinel.md") -> None:
    """Write a file last and wait for it: everything before it has been delivered."""
    path = site / "content" / name
    path.write_text("s", encoding="utf-8")
    assert seen.wait_for(path)


# -- the watcher ------------------------------------------------------------------------------


def test_a_write_is_seen(site: Path, poll: bool) -> None:
    seen = Seen()
    with watch(site, seen, poll=poll) as w:
        assert w.polling is poll
        essay = site / "content" / "essay.md"
        essay.write_text("hello", encoding="utf-8")
        assert seen.wait_for(essay)
        (site / "site.yml").write_text("title: u\n", encoding="utf-8")
        assert seen.wait_for(site / "site.yml")


@pytest.mark.parametrize("temp", [".essay.md.tmp", "4913", "essay.md~", ".goutputstream-AB12", "essay.md___jb_tmp___"])
def test_atomic_save_names_only_the_target(site: Path, poll: bool, temp: str) -> None:
    essay = site / "content" / "essay.md"
    essay.write_text("v1", encoding="utf-8")
    seen = Seen()
    with watch(site, seen, poll=poll):
        tmp = site / "content" / temp
        tmp.write_text("v2", encoding="utf-8")
        os.replace(tmp, essay)
        assert seen.wait_for(essay)
        sentinel(site, seen)
    assert seen.names() == {"essay.md", "zz-sentinel.md"}


def test_vim_style_save(site: Path) -> None:
    """Vim: probe file 4913, rename the original to a ~ backup, write anew, drop the backup."""
    essay = site / "content" / "essay.md"
    essay.write_text("v1", encoding="utf-8")
    seen = Seen()
    with watch(site, seen):
        probe = site / "content" / "4913"
        probe.write_text("")
        probe.unlink()
        swap = site / "content" / ".essay.md.swp"
        swap.write_text("swap")
        os.replace(essay, site / "content" / "essay.md~")
        essay.write_text("v2", encoding="utf-8")
        (site / "content" / "essay.md~").unlink()
        swap.unlink()
        sentinel(site, seen)
    assert seen.names() == {"essay.md", "zz-sentinel.md"}


def test_output_and_cache_writes_are_ignored(site: Path) -> None:
    seen = Seen()
    (site / "public").mkdir()
    (site / ".counterpoint" / "serve").mkdir(parents=True)
    # the whole site root watched, as a theme or content folder might contain the output
    with Watcher([site], seen, ignore=[site / "public", site / ".counterpoint"], out=io.StringIO()):
        (site / "public" / "index.html").write_text("x", encoding="utf-8")
        (site / "public" / "essays").mkdir()
        (site / "public" / "essays" / "index.html").write_text("x", encoding="utf-8")
        (site / ".counterpoint" / "serve" / "index.html").write_text("x", encoding="utf-8")
        (site / "content" / ".cp-tmp-123").write_text("x", encoding="utf-8")
        sentinel(site, seen)
    assert seen.names() == {"zz-sentinel.md"}


def test_chmod_is_ignored_but_touch_is_a_change(site: Path, poll: bool) -> None:
    essay = site / "content" / "essay.md"
    essay.write_text("v1", encoding="utf-8")
    os.utime(essay, (1_000_000_000, 1_000_000_000))  # an old mtime: a chmod now moves only ctime
    seen = Seen()
    with watch(site, seen, poll=poll):
        essay.chmod(0o600)
        sentinel(site, seen)
        assert seen.names() == {"zz-sentinel.md"}
        os.utime(essay)  # touch
        assert seen.wait_for(essay)


def test_filter_drops_noise_events(tmp_path: Path) -> None:
    essay = tmp_path / "essay.md"
    essay.write_text("x", encoding="utf-8")
    os.utime(essay, (1_000_000_000, 1_000_000_000))
    f = ChangeFilter(ignore=[tmp_path / "public"], roots=[str(tmp_path / "content")])
    assert f.changed_paths(FileOpenedEvent(str(essay))) == []
    assert f.changed_paths(FileClosedNoWriteEvent(str(essay))) == []
    assert f.changed_paths(FileAttribEvent(str(essay))) == []
    moved = FileMovedEvent(str(tmp_path / ".essay.md.swx"), str(essay))
    assert f.changed_paths(moved) == [str(essay)]
    for name in ("#essay.md#", ".#essay.md", ".DS_Store", "essay.md___jb_old___", ".essay.md.swx"):
        assert f.ignores(str(tmp_path / name)), name
    assert f.ignores(str(tmp_path / "public" / "index.html"))
    assert not f.ignores(str(tmp_path / "publication.md"))
    assert f.ignores(str(tmp_path / "content" / ".git" / "HEAD"))
    assert not ChangeFilter(roots=[str(tmp_path / ".git" / "site")]).ignores(str(tmp_path / ".git" / "site" / "a.md"))


def test_deleted_and_renamed_essays_are_changes(site: Path) -> None:
    bundle = site / "content" / "essay"
    bundle.mkdir()
    (bundle / "index.md").write_text("x", encoding="utf-8")
    old = site / "content" / "old.md"
    old.write_text("x", encoding="utf-8")
    seen = Seen()
    with watch(site, seen):
        os.rename(old, site / "content" / "new.md")
        assert seen.wait_for(old)
        assert seen.wait_for(site / "content" / "new.md")
        for p in bundle.iterdir():
            p.unlink()
        bundle.rmdir()
        assert seen.wait_for(bundle)


def test_a_root_folder_created_later_is_watched(site: Path, poll: bool) -> None:
    seen = Seen()
    templates = site / "templates"
    with watch(site, seen, poll=poll):
        templates.mkdir()
        assert seen.wait_for(templates)  # reported once its recursive watch is in place
        base = templates / "base.html"
        base.write_text("<html>", encoding="utf-8")
        assert seen.wait_for(base)


def test_a_root_folder_replaced_wholesale_is_watched_again(site: Path, poll: bool) -> None:
    """Deleted and recreated (a git checkout): every write into it is still reported, by
    name or, when it landed before the new watch started, as the folder itself."""
    templates = site / "templates"
    templates.mkdir()
    (templates / "base.html").write_text("<html>", encoding="utf-8")
    seen = Seen()

    def reported_after(start: int, path: Path) -> bool:
        with seen.cond:
            return seen.cond.wait_for(lambda: {path, templates} & set(seen.paths[start:]), 10)

    with watch(site, seen, poll=poll):
        for p in templates.iterdir():
            p.unlink()
        templates.rmdir()
        start = len(seen.paths)
        templates.mkdir()
        (templates / "page.html").write_text("<html>", encoding="utf-8")
        assert reported_after(start, templates / "page.html")
        start = len(seen.paths)
        (templates / "later.html").write_text("<html>", encoding="utf-8")
        assert reported_after(start, templates / "later.html")
        # and the folder's own watch is alive: a new file is, before long, seen by name
        for i in range(40):
            probe = templates / f"probe-{i}.html"
            probe.write_text("<html>", encoding="utf-8")
            if seen.wait_for(probe, timeout=0.25):
                break
        else:
            pytest.fail("templates/ is not watched after being recreated")


def test_a_symlinked_root_is_reported_under_the_path_given(tmp_path: Path, poll: bool) -> None:
    # content/ linked in from elsewhere: the build knows site/content/…, not where the link leads
    site = tmp_path.resolve() / "site"
    site.mkdir()
    (site / "site.yml").write_text("title: t\n", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (site / "content").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    seen = Seen()
    with watch(site, seen, poll=poll):
        essay = site / "content" / "essay.md"
        essay.write_text("hello", encoding="utf-8")
        assert seen.wait_for(essay), seen.paths
    assert all(p.is_relative_to(site) for p in seen.paths), seen.paths


def test_unrelated_files_beside_site_yml_are_ignored(site: Path) -> None:
    seen = Seen()
    with watch(site, seen):
        (site / "README.md").write_text("x", encoding="utf-8")
        tmp = site / ".site.yml.tmp"
        tmp.write_text("title: v\n", encoding="utf-8")
        os.replace(tmp, site / "site.yml")
        assert seen.wait_for(site / "site.yml")
        sentinel(site, seen)
    assert seen.names() == {"site.yml", "zz-sentinel.md"}


def test_inotify_limit_falls_back_to_polling(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Exhausted(PollingObserver):
        def start(self) -> None:
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(watcher_mod, "Observer", Exhausted)
    seen = Seen()
    out = io.StringIO()
    w = Watcher([site / "content"], seen, poll_interval=0.05, out=out)
    with w:
        assert w.polling
        essay = site / "content" / "essay.md"
        essay.write_text("x", encoding="utf-8")
        assert seen.wait_for(essay)
    assert "max_user_watches" in out.getvalue() and "--poll" in out.getvalue()


def test_other_os_errors_are_not_hidden(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(PollingObserver):
        def start(self) -> None:
            raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(watcher_mod, "Observer", Broken)
    with pytest.raises(OSError):
        Watcher([site / "content"], Seen(), out=io.StringIO()).start()


def test_a_failing_callback_does_not_stop_the_watcher(site: Path) -> None:
    seen = Seen()
    calls = []

    def flaky(paths: frozenset[Path]) -> None:
        calls.append(paths)
        if len(calls) == 1:
            raise RuntimeError("boom")
        seen(paths)

    with Watcher([site / "content"], flaky, out=io.StringIO()):
        (site / "content" / "a.md").write_text("x", encoding="utf-8")
        assert seen.wait_for(site / "content" / "a.md")


# -- the rebuild loop -----------------------------------------------------------------------------


@pytest.fixture
def quiet_out() -> io.StringIO:
    return io.StringIO()


def test_burst_of_200_files_gives_few_builds_and_the_final_state(site: Path, quiet_out: io.StringIO) -> None:
    builder = FakeBuilder(site / "content")
    rebuilder = Rebuilder(builder, root=site, out=quiet_out)
    final = {f"essay-{i:03}.md": f"final {i}" for i in range(200)}
    with rebuilder, watch(site, rebuilder.notify):
        for name, text in final.items():
            (site / "content" / name).write_text(text, encoding="utf-8")
        assert builder.wait_for(lambda: bool(builder.states) and builder.states[-1] == final)
        assert rebuilder.wait_idle(10)
    assert 1 <= len(builder.calls) < 20
    seen = set().union(*(c or () for c in builder.calls))
    assert {p.name for p in seen} == set(final)


def test_two_changes_at_once_give_one_build(site: Path, quiet_out: io.StringIO) -> None:
    builder = FakeBuilder()
    with Rebuilder(builder, root=site, out=quiet_out) as rebuilder:
        rebuilder.notify([site / "content" / "a.md"])
        rebuilder.notify([site / "content" / "b.md"])
        assert builder.wait_for(lambda: len(builder.calls) == 1)
        assert rebuilder.wait_idle(10)
    assert builder.calls == [frozenset({site / "content" / "a.md", site / "content" / "b.md"})]


def test_a_change_during_a_build_gives_exactly_one_follow_up(site: Path, quiet_out: io.StringIO) -> None:
    builder = FakeBuilder()
    builder.gate = threading.Event()
    a, b, c = (site / "content" / n for n in ("a.md", "b.md", "c.md"))
    with Rebuilder(builder, root=site, out=quiet_out) as rebuilder:
        rebuilder.notify([a])
        assert builder.started.wait(10)  # build 1 is running and held
        rebuilder.notify([b])
        rebuilder.notify([c])
        assert rebuilder.pending() == {b, c}
        builder.gate.set()
        assert builder.wait_for(lambda: len(builder.calls) == 2)
        assert rebuilder.wait_idle(10)
    assert builder.calls == [frozenset({a}), frozenset({b, c})]
    assert rebuilder.builds == 2


def test_preparation_runs_first_in_the_build_thread_and_changes_wait_for_it(site: Path, quiet_out: io.StringIO) -> None:
    builder = FakeBuilder()
    gate, running = threading.Event(), threading.Event()
    threads: list[str] = []

    def prepare() -> None:
        threads.append(threading.current_thread().name)
        running.set()
        assert gate.wait(10)
        raise RuntimeError("a failing preparation is only an optimisation lost")

    a = site / "content" / "a.md"
    with Rebuilder(builder, root=site, out=quiet_out, prepare=prepare) as rebuilder:
        assert running.wait(10)
        rebuilder.notify([a])
        time.sleep(0.1)  # well past the quiet window: the change waits for the preparation
        assert builder.calls == []
        gate.set()
        assert builder.wait_for(lambda: builder.calls == [frozenset({a})])
        assert rebuilder.wait_idle(10)
    assert threads == ["counterpoint-rebuild"]
    assert "internal error in the dev server: RuntimeError" in quiet_out.getvalue()


def test_a_file_written_during_a_build_is_not_lost(site: Path, quiet_out: io.StringIO) -> None:
    builder = FakeBuilder(site / "content")
    rebuilder = Rebuilder(builder, root=site, out=quiet_out)
    with rebuilder, watch(site, rebuilder.notify):
        builder.gate = threading.Event()
        (site / "content" / "a.md").write_text("a", encoding="utf-8")
        assert builder.started.wait(10)
        late = site / "content" / "late.md"
        late.write_text("late", encoding="utf-8")
        deadline = time.monotonic() + 10
        while late not in rebuilder.pending() and time.monotonic() < deadline:
            time.sleep(0.005)
        builder.gate.set()
        assert builder.wait_for(lambda: any("late.md" in s for s in builder.states))
        assert rebuilder.wait_idle(10)
    assert builder.states[-1] == {"a.md": "a", "late.md": "late"}


def test_a_continuous_stream_still_builds(site: Path, quiet_out: io.StringIO) -> None:
    builder = FakeBuilder()
    stop = threading.Event()

    def stream() -> None:
        i = 0
        while not stop.is_set():
            rebuilder.notify([site / "content" / f"{i}.md"])
            i += 1
            time.sleep(0.01)  # a change every 10 ms never leaves a 40 ms quiet window

    with Rebuilder(builder, root=site, out=quiet_out, quiet=0.04, max_wait=0.2) as rebuilder:
        feeder = threading.Thread(target=stream)
        feeder.start()
        try:
            assert builder.wait_for(lambda: len(builder.calls) >= 2)
        finally:
            stop.set()
            feeder.join()


def test_a_builder_that_raises_does_not_end_the_loop(site: Path) -> None:
    builder = FakeBuilder()
    builder.fail_next = ValueError("boom")
    reports: list[BuildReport] = []
    out = io.StringIO()
    with Rebuilder(builder, root=site, on_report=reports.append, out=out) as rebuilder:
        rebuilder.notify([site / "content" / "a.md"])
        assert rebuilder.wait_idle(10) and len(reports) == 1
        assert not reports[0].ok
        assert reports[0].errors == ("internal error: ValueError: boom (this is a bug in counterpoint)",)
        assert reports[0].trigger == ("content/a.md",)
        rebuilder.notify([site / "content" / "a.md"])
        assert builder.wait_for(lambda: len(builder.calls) == 1)
        assert rebuilder.wait_idle(10)
    assert [r.ok for r in reports] == [False, True]
    assert "build failed in" in out.getvalue() and "rebuilt in" in out.getvalue()


def test_start_and_report_hooks_wrap_each_build(site: Path, quiet_out: io.StringIO) -> None:
    events: list[str] = []
    builder = FakeBuilder()
    with Rebuilder(
        builder,
        root=site,
        out=quiet_out,
        on_start=lambda: events.append("start"),
        on_report=lambda r: events.append("report"),
    ) as rebuilder:
        rebuilder.notify([site / "site.yml"])
        assert builder.wait_for(lambda: len(builder.calls) == 1)
        assert rebuilder.wait_idle(10)
    assert events == ["start", "report"]


def test_disk_full_is_reported_as_an_error(site: Path, quiet_out: io.StringIO) -> None:
    builder = FakeBuilder()
    builder.fail_next = OSError(errno.ENOSPC, "No space left on device", str(site / "public" / "index.html"))
    reports: list[BuildReport] = []
    with Rebuilder(builder, root=site, on_report=reports.append, out=quiet_out) as rebuilder:
        rebuilder.notify([site / "content" / "a.md"])
        assert rebuilder.wait_idle(10) and reports
    assert reports[0].errors[0].startswith("public/index.html: error: No space left on device\n  hint: free some disk")


def test_report_lines() -> None:
    ok = BuildReport(True, (), tuple(f"f{i}" for i in range(7)), 38.2, ("content/essays/six-axes/index.md",))
    assert format_report(ok) == "rebuilt in 38 ms: content/essays/six-axes/index.md -> 7 files"
    first = BuildReport(True, (), ("index.html",), 380, ())
    assert format_report(first) == "built in 380 ms -> 1 file"
    many = BuildReport(True, (), (), 5, tuple(f"content/{i}.md" for i in range(5)))
    assert format_report(many) == "rebuilt in 5 ms: content/0.md, content/1.md, content/2.md and 2 more -> 0 files"
    bad = BuildReport(False, ("content/x.md:3:1: error: date is required",), (), 12, ("content/x.md",))
    assert (
        format_report(bad) == "build failed in 12 ms: content/x.md (1 error)\ncontent/x.md:3:1: error: date is required"
    )
    assert describe_exception(KeyError("k")).startswith("internal error: KeyError")


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    before = {t for t in threading.enumerate() if t.name.startswith("counterpoint-")}
    yield
    leaked = [t for t in threading.enumerate() if t.name.startswith("counterpoint-") and t not in before]
    assert not leaked, leaked


def test_the_walk_and_the_watcher_agree_on_what_a_source_is(tmp_path: Path) -> None:
    """One rule: a file under content/ the walk copies or reads triggers a rebuild when
    edited, and a file the walk skips (Thumbs.db, swap files, hidden files) does not."""
    from counterpoint.source.walk import scan

    names = [
        "index.md",
        "photo.JPG",
        "Thumbs.db",
        "THUMBS.DB",
        "desktop.ini",
        ".DS_Store",
        "#index.md#",
        ".#index.md",
        "index.md~",
        ".index.md.swp",
        "index.md.swx",
        "4913",
        "index.md___jb_tmp___",
        "notes.tmp",
        "_draft.md",
        ".hidden.md",
        ".cp-tmp-1-index.html",
        "data.kate-swp",
        "index.md.Hy3456",
        "a~b.md",
        "table.csv",
    ]
    folder = tmp_path / "content" / "essays" / "e"
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_text("x", encoding="utf-8")
    (tmp_path / "content" / "_private").mkdir()
    (tmp_path / "content" / "_private" / "x.md").write_text("x", encoding="utf-8")
    walked = {Path(path) for path, _ in scan(tmp_path)}
    content = str(tmp_path / "content")
    f = ChangeFilter(roots=[content, str(tmp_path / "themes")])
    for path in [*(folder / name for name in names), tmp_path / "content" / "_private" / "x.md"]:
        assert f.ignores(str(path)) == (path not in walked), path.name
    assert {p.name for p in walked} == {"index.md", "photo.JPG", "a~b.md", "table.csv"}
    # a theme's partial named with an underscore is a source: it is not under content/
    assert not f.ignores(str(tmp_path / "themes" / "mine" / "templates" / "_macros.html"))
    assert f.ignores(str(tmp_path / "themes" / "mine" / "templates" / "Thumbs.db"))
