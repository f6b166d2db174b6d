"""Builds as processes: worker pools, builds side by side, kill -9, faults after the output
is in place, and the dev server's socket.

Real ``counterpoint`` processes on generated sites, watched through ``/proc``; every wait
is bounded and ends as soon as what it waits for is seen.  A fault a test cannot cause
for real (a read-only folder for root, a full disk) is simulated, and says so.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sitefactory import critique, essay, make_site

from counterpoint import cli
from counterpoint.build import pipeline
from counterpoint.build.engine import PARALLEL_THRESHOLD, Engine
from counterpoint.build.workers import AHEAD, Workers
from counterpoint.output import output
from counterpoint.serve.devserver import DevServer

BENCH = Path(__file__).resolve().parents[1] / "bench"
LINUX = sys.platform.startswith("linux")


def _corpus():
    spec = importlib.util.spec_from_file_location("counterpoint_bench_corpus", BENCH / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def big_site(root: Path, essays: int) -> Path:
    """The benchmark's corpus (1,500-word essays, three critiques each): seconds to build."""
    _corpus().generate_site(root, essays)
    return root


def wait_until(predicate: Callable[[], object], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


def counterpoint(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "counterpoint", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def stagings(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(output.STAGING_PREFIX)] if folder.is_dir() else []


def state(pid: int) -> str | None:
    """The process's state letter from /proc (R, S, D, Z…), None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def running(pid: int) -> bool:
    return state(pid) not in (None, "Z", "X")  # a zombie has exited: nothing of it runs


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                continue
    return found


# --------------------------------------------------------------------------- the essays shared out


def numbered(task: int, offset: int) -> tuple[int, int]:
    """A task's result and the process that made it (a module-level function: sent to workers by name)."""
    if task == offset:
        raise ValueError(f"task {task} fails")
    return task + offset, os.getpid()


def test_the_main_process_and_the_workers_share_the_tasks_in_order() -> None:
    """``Workers.share``: every result in task order, made by both the workers and this
    process (which renders instead of waiting), and the first tasks go to the workers,
    which must always have some queued."""
    workers = Workers(1, "fork")
    try:
        results = workers.share(numbered, list(range(40)), 1000, here=numbered, workers=1)
    finally:
        workers.close()
    assert [value for value, _ in results] == list(range(1000, 1040))
    made_by = [pid for _, pid in results]
    assert made_by[0] != os.getpid() and os.getpid() in made_by
    assert set(made_by) == {made_by[0], os.getpid()}


@pytest.mark.parametrize("failing", [0, AHEAD], ids=["in a worker", "here"])
def test_a_failed_task_fails_the_share(failing: int) -> None:
    """The first AHEAD tasks go to the worker, the next to this process: a failure in either is raised."""
    workers = Workers(1, "fork")
    try:
        with pytest.raises(ValueError, match=f"task {failing} fails"):
            workers.share(numbered, list(range(20)), failing, here=numbered, workers=1)
    finally:
        workers.stop()


# --------------------------------------------------------------------------- case 0: errors from workers


def test_a_content_error_above_the_parallel_threshold_is_a_message(tmp_path: Path) -> None:
    """Errors found in a worker process reach the main one and are listed as on a small site
    (they were 'internal error: BrokenProcessPool', exit 3)."""
    files: dict[str, str | bytes] = {
        f"content/essays/e{n:02}/index.md": essay(f"Essay {n}", "[Claim.]{.claim #claim}") for n in range(40)
    }
    files["content/essays/e07/critiques/ana.md"] = critique("ana", "::: on #nonexistent\nNo.\n:::")
    root = make_site(tmp_path / "site", files)
    build = counterpoint("build", str(root), "--no-search", "--jobs", "2")
    _, err = build.communicate(timeout=300)
    assert build.returncode == 1, err
    assert err.startswith(
        "content/essays/e07/critiques/ana.md:5:8: error: remark targets unknown claim 'nonexistent'\n"
    ), err
    assert err.endswith("1 error(s); nothing was written\n"), err
    assert not (root / "public").exists()


# --------------------------------------------------------------------------- case 8: staging after a failure


def test_a_failed_parallel_build_leaves_no_staging_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk in one worker while others still render (simulated: the write raises
    ENOSPC).  The build fails at once; the workers' writes in progress must not bring
    its staging folder back after it was removed (it did, with ~170 files)."""
    root = make_site(
        tmp_path / "site",
        {f"content/essays/e{n:02}/index.md": essay(f"Essay {n}", "Text.") for n in range(3 * PARALLEL_THRESHOLD)},
    )
    out = root / "public"
    failed = tmp_path / "failed"  # made by the write that fails; the workers see it
    real = pipeline.write_staged
    waited: list[bool] = []  # each forked worker has its own copy

    def write(stage_dir: Path, rel: str, data: bytes) -> None:
        if rel.startswith("essays/e00/"):
            failed.touch()
            raise OSError(errno.ENOSPC, "No space left on device", str(Path(stage_dir) / rel))
        if failed.exists() and not waited:  # the next write waits until the failed build has tidied up (or is stopped)
            waited.append(True)
            wait_until(lambda: not Path(stage_dir).exists(), 30)
        real(stage_dir, rel, data)

    monkeypatch.setattr(pipeline, "write_staged", write)  # workers are forked: they have it too
    report = Engine(root, jobs=2, search=False, use_cache=False).build()
    assert not report.ok
    assert report.errors[0].startswith(
        "public/essays/e00/index.html: error: cannot write file: no space left on the device"
    )
    assert not out.exists(), sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))


# --------------------------------------------------------------------------- case 7: true messages


def read_only(patch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make ``folder`` behave as a read-only folder does for anyone but root: every call
    that would create, replace or remove something in it fails with EACCES (simulated at
    the os-call level: the suite runs as root, for whom chmod denies nothing)."""
    folder = folder.absolute()

    def inside(path: object) -> bool:
        if not isinstance(path, (str, bytes, os.PathLike)):
            return False
        target = Path(os.fsdecode(path)).absolute()
        return target == folder or folder in target.parents

    def denied(path: object) -> PermissionError:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))  # type: ignore[arg-type]

    def guard(name: str, paths: int) -> None:
        real = getattr(os, name)

        def call(*args, **kwargs):
            for path in args[:paths]:
                if inside(path):
                    raise denied(path)
            return real(*args, **kwargs)

        patch.setattr(os, name, call)

    for name, paths in [
        ("unlink", 1),
        ("remove", 1),
        ("rmdir", 1),
        ("mkdir", 1),
        ("replace", 2),
        ("rename", 2),
        ("link", 2),
    ]:
        guard(name, paths)
    real_open = os.open
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC

    def open_(path, flags, *args, **kwargs):
        if flags & writing and inside(path):
            raise denied(path)
        return real_open(path, flags, *args, **kwargs)

    patch.setattr(os, "open", open_)


def test_a_read_only_record_folder_is_a_warning_after_a_complete_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The output is published; only the build's own records in .counterpoint/ cannot be
    written.  It said 'error: cannot read file … nothing was written' (exit 1)."""
    root = make_site(tmp_path / "site", {"content/essays/tides/index.md": essay("Tides", "First version.")})
    assert cli.main(["build", str(root), "--no-search"]) == 0
    page = root / "public/essays/tides/index.html"
    (root / "content/essays/tides/index.md").write_text(essay("Tides", "Second version."), "utf-8")
    capsys.readouterr()
    with monkeypatch.context() as patch:
        read_only(patch, root / ".counterpoint")
        code = cli.main(["build", str(root), "--no-search"])
    out, err = capsys.readouterr()
    assert "Second version." in page.read_text("utf-8")
    assert code == 0, err
    assert out.startswith("built 1 essay(s) into ")
    assert "nothing was written" not in err and "cannot read" not in err
    assert err.startswith("warning: the site was built, but ") and ".counterpoint/cache/manifest-" in err, err
    assert "permission denied" in err
    # writable again: the next build is right
    (root / "content/essays/tides/index.md").write_text(essay("Tides", "Third version."), "utf-8")
    assert cli.main(["build", str(root), "--no-search"]) == 0
    assert "Third version." in page.read_text("utf-8")


# --------------------------------------------------------------------------- case 5: two builds at once


@pytest.mark.slow
def test_two_builds_into_one_folder_take_turns(tmp_path: Path) -> None:
    """The second build waits for the first and says so; the first used to lose its
    staging folder to the second and fail."""
    root = big_site(tmp_path / "big", 120)
    out = root / "public"
    first = counterpoint("build", str(root), "--no-search", "--jobs", "2")
    try:
        assert wait_until(lambda: stagings(out) or first.poll() is not None, 120)
        assert first.poll() is None, "the first build was over before the second started"
        second = counterpoint("build", str(root), "--no-search", "--jobs", "2")
        second_out, second_err = second.communicate(timeout=300)
        first_out, first_err = first.communicate(timeout=300)
    finally:
        first.kill()
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second_err
    assert second_err.startswith(f"waiting: another build is writing into {out}\n"), second_err
    assert first_out.startswith("built 120 essay(s)") and second_out.startswith("built 120 essay(s)")
    assert stagings(out) == []
    assert len(list(out.glob("essays/*/index.html"))) == 120


def start_time(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as handle:
        return int(handle.read().rsplit(")", 1)[1].split()[19])


@pytest.mark.skipif(not LINUX, reason="process start times are read from /proc")
def test_a_staging_folder_is_removed_only_once_its_owner_is_gone(tmp_path: Path) -> None:
    """Another process's staging folder (serve's search index, a build into the folder by
    other means) is left alone while that process runs; one whose process has exited, or
    whose number now belongs to a newer process, is removed."""
    root = make_site(tmp_path / "site", {"content/essays/tides/index.md": essay("Tides")})
    out = root / "public"
    out.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        alive = out / f"{output.STAGING_PREFIX}stage-{sleeper.pid}-{start_time(sleeper.pid)}-abc"
        reused = out / f"{output.STAGING_PREFIX}stage-{sleeper.pid}-{start_time(sleeper.pid) - 1}-abc"
        finished = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
        )
        dead = out / f"{output.STAGING_PREFIX}stage-{int(finished.stdout)}-1-abc"
        legacy = out / f"{output.STAGING_PREFIX}stage-killed"  # named before owners were recorded
        for folder in (alive, reused, dead, legacy):
            (folder / "essays").mkdir(parents=True)
            (folder / "essays/half.html").write_text("half", "utf-8")
        report = Engine(root, jobs=1, search=False, use_cache=False).build()
        assert report.ok, report.errors
        assert sorted(p.name for p in stagings(out)) == [alive.name]
        assert (alive / "essays/half.html").read_text("utf-8") == "half"
    finally:
        sleeper.communicate(b"")
    assert Engine(root, jobs=1, search=False, use_cache=False).build().ok
    assert stagings(out) == []


# --------------------------------------------------------------------------- case 6: kill -9


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="the workers' parent-death signal is Linux's; processes are read from /proc")
def test_workers_end_with_a_build_killed_with_sigkill(tmp_path: Path) -> None:
    """kill -9 of a build: its worker processes end too (they rendered on for a minute,
    orphaned); the next build removes the staging folder the killed one left."""
    root = big_site(tmp_path / "big", 150)
    out = root / "public"
    build = counterpoint("build", str(root), "--no-cache", "--no-search", "--jobs", "3")  # two workers
    workers: list[int] = []
    try:
        assert wait_until(lambda: len(children(build.pid)) >= 2 or build.poll() is not None, 120)
        workers = children(build.pid)
        assert build.poll() is None and len(workers) == 2, workers
        assert wait_until(lambda: stagings(out) or build.poll() is not None, 120)  # it is writing
        os.kill(build.pid, signal.SIGKILL)
        build.wait(timeout=60)  # (not communicate: orphaned workers would hold its pipes open)
        assert wait_until(lambda: not any(running(pid) for pid in workers), 30), [state(pid) for pid in workers]
    finally:
        build.kill()
        for pid in workers:  # orphans, when the test fails: not left rendering
            if running(pid):
                os.kill(pid, signal.SIGKILL)
    left = stagings(out)
    assert left, "the killed build left no staging folder: it had finished"
    again = counterpoint("build", str(root), "--no-search", "--jobs", "2")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert stagings(out) == []


# --------------------------------------------------------------------------- cases 14, 15: serve's socket


@pytest.mark.parametrize("port", ["70000", "65536", "-1"])
def test_a_port_out_of_range_is_a_usage_error(port: str, tmp_path: Path) -> None:
    """It was an internal error (OverflowError, exit 3)."""
    root = make_site(tmp_path / "site", {"content/essays/tides/index.md": essay("Tides")})
    serve = counterpoint("serve", str(root), "--port", port)
    out, err = serve.communicate(timeout=60)
    assert serve.returncode == 2, err
    assert err.endswith(
        f"error: argument --port: {port} is not a port: use a number from 0 to 65535 (0: any free port)\n"
    ), err
    assert "internal error" not in err and out == ""
    assert not (root / ".counterpoint").exists()  # nothing was built


CONNECTIONS = 200


def test_the_dev_server_answers_200_simultaneous_connections(tmp_path: Path) -> None:
    """All connect at once, before any is answered; each gets its page.  With a listen
    backlog of 5, connections beyond it waited on the client's SYN retries (1 s, 3 s,
    7 s, …) and some timed out."""
    site = tmp_path / "out"
    site.mkdir()
    (site / "index.html").write_text("<html><body>Home</body></html>", "utf-8")
    server = DevServer(site, port=0, out=open(os.devnull, "w"))
    gate = threading.Barrier(CONNECTIONS)
    answers: list[bytes] = []
    failures: list[BaseException] = []

    def client() -> None:
        try:
            gate.wait(30)
            with socket.create_connection(("127.0.0.1", server.port), timeout=0.9) as sock:
                sock.settimeout(60)  # connected: the answer may take its time on a busy machine
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
            answers.append(data)
        except BaseException as exc:  # noqa: BLE001 - counted below
            failures.append(exc)

    server.start()
    try:
        threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        server.stop()
    assert not failures, f"{len(failures)} of {CONNECTIONS} connections failed: {failures[:3]}"
    assert len(answers) == CONNECTIONS and all(
        a.startswith(b"HTTP/1.") and b" 200 " in a.split(b"\r\n")[0] for a in answers
    )
