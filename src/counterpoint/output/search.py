"""Static full-text search with Pagefind, kept up to date shard by shard.

Pagefind (PyPI ``pagefind[bin]``) indexes the built pages; the theme's search page
loads the result in the browser, so search works on any static host.  Essay pages
mark their article (the essay with its critiques) with ``data-pagefind-body``, so
listings are not indexed twice.  The whole site is indexed as one language (the
site's), so the search page finds an English essay on a Russian site too.

Pagefind has no incremental mode, and indexing costs about 10 ms of CPU per essay
page (the words, not the HTML: fed plain text it costs the same).  So the pages are
split into shards by a hash of their address, each shard is one Pagefind index,
and the search page merges them in the browser (Pagefind's ``mergeIndex``).  A
shard is indexed again only when the digest of one of its pages changed, so an edit
costs one shard.  The shards are a function of the set of pages alone, so an index
updated edit by edit is the one a cold build makes, byte for byte.

Layout of ``<output>/pagefind/``: Pagefind's UI files and ``shards.json`` (the shard
folders, the first one the primary index); ``<n>/`` per non-empty shard, with its
index and its own ``pagefind.js`` (Pagefind finds the primary index next to it).

Pagefind runs as a service (``pagefind --service``: requests on stdin, answers on
stdout, the protocol of its Python and Node APIs), fed the pages' HTML one by one
in a fixed order and asked for the index's files, which this module writes.

One module: the shards, their record and the service that indexes them change together.  The ``pagefind`` package's own client waits 0.1 s before reading
each answer, which would cost 100 s at 1,000 pages, so this module speaks the
protocol itself.  Each new shard is written aside and swapped in; without Pagefind
the build still succeeds and says how to add search.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from counterpoint.errors import say
from counterpoint.output.memory import resident_mb
from counterpoint.output.output import STAGING_PREFIX, atomic_write, digest_bytes, staging_prefix

BUNDLE = "pagefind"
SHARDS = "shards.json"
HINT = (
    "search index skipped: Pagefind is not installed. "
    "It is a dependency of counterpoint: reinstall it, or add it with: pip install 'pagefind[bin]'; "
    "turn search off with 'search: false' in site.yml or build --no-search"
)
FORMAT = 1  # of the record and the layout; a change re-indexes every shard
PAGES_PER_SHARD = 32  # an edit re-indexes about this many pages (~0.3 s of CPU)
MAX_SHARDS = 64  # the browser asks each shard for its part of every search
BODY_MARK = b"data-pagefind-body"
# what a shard folder keeps of Pagefind's output: the index, and what the primary
# index needs beside it (pagefind.js finds it there; the wasm and the worker load from there)
SHARD_KEEP = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "index", "fragment", "filter")
WORKERS = 2  # Pagefind services of a full index side by side, one shard each at a time
# over this, the calling process indexes with one service at a time: a build of ~10,000 essays
# holds ~210 MB once its pages are written (freed memory it cannot give back), and two services
# beside it (~110 MB each at that size's shards) put the whole build over 400 MB
SIDE_BY_SIDE_MB = 150
RENEW_MB = 64  # a service that holds more after a shard is replaced by a new one (_index_shards)


def available() -> bool:
    """Pagefind's Python package and its binary are importable."""
    try:
        return importlib.util.find_spec("pagefind") is not None and (
            importlib.util.find_spec("pagefind_bin") is not None or shutil.which("pagefind") is not None
        )
    except (ImportError, ValueError):
        return False


def bundle_complete(out: Path) -> bool:
    """The search page finds its UI and every shard that ``shards.json`` lists."""
    bundle = Path(out) / BUNDLE
    try:
        shards = json.loads((bundle / SHARDS).read_text("utf-8"))["shards"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return (bundle / "pagefind-ui.js").is_file() and all(
        (bundle / name / "pagefind-entry.json").is_file() for name in shards
    )


def shard_count(pages: int) -> int:
    """A power of two, so that doubling splits each shard in two."""
    count = 1
    while count < MAX_SHARDS and count * PAGES_PER_SHARD < pages:
        count *= 2
    return count


def shard_of(rel: str, count: int) -> int:
    """Stable across builds and machines: a hash of the page's path in the output."""
    return int.from_bytes(hashlib.blake2b(rel.encode(), digest_size=8).digest(), "big") % count


class Stopped(Exception):
    """Pagefind was stopped on purpose (a server shutting down, Ctrl-C)."""


class Service:
    """One ``pagefind --service`` process, spoken to one request at a time."""

    def __init__(self, executable: Path, cwd: Path, started: Callable[[subprocess.Popen], None] | None) -> None:
        self.proc = subprocess.Popen(
            [str(executable), "--service"],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._id = 0
        if started is not None:
            started(self.proc)

    def request(self, payload: dict) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._id += 1
        message = base64.b64encode(json.dumps({"message_id": self._id, "payload": payload}).encode())
        try:
            self.proc.stdin.write(message + b",")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self._ended()
        answer = bytearray()
        while not answer.endswith(b","):
            chunk = self.proc.stdout.read1(1 << 20)  # type: ignore[attr-defined]  # a BufferedReader: Popen with bytes
            if not chunk:
                self._ended()
            answer += chunk
        # decoded in place, and the raw answer let go first: a shard's files (GetFiles) make
        # an answer of megabytes, and each copy of it stays in the process's size
        decoded = base64.b64decode(memoryview(answer)[:-1])
        del answer
        reply = json.loads(decoded)
        del decoded
        result = reply.get("payload") or {}
        if result.get("type") == "Error":
            raise RuntimeError(result.get("message") or "pagefind reported an error")
        return result

    def _ended(self) -> None:
        code = self.proc.wait()
        if code in (-signal.SIGTERM, -signal.SIGINT):
            raise Stopped
        raise RuntimeError(f"pagefind stopped unexpectedly (exit code {code})")

    def index(
        self,
        out: Path,
        rels: Iterable[str],
        language: str | None,
        dest: Path,
        keep: Callable[[str], bool] = lambda top: True,
    ) -> None:
        """One index of the pages ``rels`` (paths in ``out``), written into ``dest``: the
        files whose first path part ``keep`` accepts.

        The files come back in the answer (``GetFiles``) and are written here, complete
        when this returns. Pagefind's own ``WriteFiles`` answers before its writes are done
        (1.5.2: a ``pagefind.js`` read right after its answer was once 45,056 of 45,555
        bytes), and a service that exits then can leave a file empty."""
        config = {"force_language": language} if language else {}
        index_id = self.request({"type": "NewIndex", "config": config})["index_id"]
        for rel in rels:  # in order: the same pages give the same bytes
            html = (out / rel).read_text("utf-8", errors="replace")
            self.request(
                {"type": "AddFile", "index_id": index_id, "file_path": rel, "url": None, "file_contents": html}
            )
        files = self.request({"type": "GetFiles", "index_id": index_id}).get("files") or []
        self.request({"type": "DeleteIndex", "index_id": index_id})
        folders: set[Path] = set()
        while files:  # each file's text let go once it is written
            file = files.pop()
            name = PurePosixPath(file["path"])
            if name.is_absolute() or ".." in name.parts:
                raise RuntimeError(f"pagefind named a file outside its index: {file['path']}")
            if not keep(name.parts[0]):
                continue
            target = dest / name
            if target.parent not in folders:  # one mkdir per folder, not per fragment
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            target.write_bytes(base64.b64decode(file["content"]))

    def resident_mb(self) -> float:
        """The service's resident memory (Linux; 0 elsewhere, where it is never renewed)."""
        return resident_mb(self.proc.pid)

    def close(self) -> None:
        # End of input makes the service exit by itself; terminated only if it does not.
        if self.proc.poll() is None:
            if self.proc.stdin is not None:
                with contextlib.suppress(OSError):
                    self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@dataclass(frozen=True)
class Plan:
    """The shards the pages make now: ``shards[n]`` is the sorted pages of shard n, ``keys[n]`` its key."""

    count: int
    shards: dict[int, tuple[str, ...]]
    keys: dict[int, str]
    bodies: dict[str, tuple[str, bool]]  # page -> (digest, marks data-pagefind-body)


def plan(out: Path, pages: Mapping[str, str], language: str | None, version: str, known: Mapping) -> Plan:
    """Which pages are indexed, in which shards, under which keys.

    ``pages``: every HTML page of the output, path -> digest (the build's manifest).
    Pagefind's rule is kept across shards: once any page marks ``data-pagefind-body``,
    only such pages are indexed.  Whether a page does is read from it only when its
    digest is new (``known``: the previous record's ``bodies``).
    """
    bodies: dict[str, tuple[str, bool]] = {}
    for rel, digest in pages.items():
        seen = known.get(rel)
        if seen is not None and seen[0] == digest:
            bodies[rel] = (digest, bool(seen[1]))
            continue
        try:
            bodies[rel] = (digest, BODY_MARK in (out / rel).read_bytes())
        except OSError:
            bodies[rel] = (digest, False)
    marked = [rel for rel, (_, body) in bodies.items() if body]
    chosen = sorted(marked or bodies)
    count = shard_count(len(chosen))
    shards: dict[int, list[str]] = {}
    for rel in chosen:
        shards.setdefault(shard_of(rel, count), []).append(rel)
    keys = {}
    for n, rels in shards.items():
        material = [FORMAT, version, language, count, n, [(rel, bodies[rel][0]) for rel in rels]]
        keys[n] = hashlib.blake2b(json.dumps(material).encode(), digest_size=16).hexdigest()
    return Plan(count, {n: tuple(r) for n, r in sorted(shards.items())}, keys, bodies)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # lazily: only when the index is made

    for name in ("pagefind_bin", "pagefind"):
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return "?"


def _executable() -> Path | None:
    try:
        from pagefind.service import get_executable  # lazily: an optional dependency
    except ImportError:
        return None
    return get_executable()


def _load_record(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        record = json.loads(path.read_text("utf-8"))
        return record if isinstance(record, dict) and record.get("format") == FORMAT else {}
    except (OSError, ValueError):
        return {}


@dataclass(frozen=True)
class Indexed:
    """What ``index_site`` did: ``warning`` (also printed) or None; shards indexed of all."""

    warning: str | None = None
    indexed: int = 0
    shards: int = 0
    stopped: bool = False  # Pagefind was stopped (a server stopping, Ctrl-C): no index was made


def index_site(
    out: Path,
    language: str | None = None,
    *,
    pages: Mapping[str, str] | None = None,
    record: Path | None = None,
    scratch: Path | None = None,
    started: Callable[[subprocess.Popen], None] | None = None,
) -> Indexed:
    """Bring ``out/pagefind`` up to date with the pages, indexing only the shards whose pages changed.

    ``pages``: every HTML page of the output, path -> digest (default: read and hash
    them all).  ``record``: where the shards' keys are kept between runs (none: every
    shard is indexed).  ``scratch``: where new shards are written before they are
    swapped in (default ``out``; ``serve`` keeps them out of the folder its rebuilds
    tidy up).  ``started`` gets each Pagefind process, so that a server shutting down
    can stop it; a run stopped that way is not reported as a failure.
    """
    executable = _executable() if available() else None
    if executable is None:
        say(HINT, sys.stderr)
        return Indexed(HINT)
    out = Path(out)
    if pages is None:
        pages = _all_pages(out)
    language = language.replace("_", "-").split("-")[0].lower() if language else None
    version = _version()
    old = _load_record(record)
    bundle = out / BUNDLE
    the_plan = plan(
        out, {rel: d for rel, d in pages.items() if rel.endswith(".html")}, language, version, old.get("bodies", {})
    )
    old_keys = old.get("keys", {}) if old.get("count") == the_plan.count else {}
    ui_ok = old.get("ui") == version and (bundle / "pagefind-ui.js").is_file()
    todo = [
        n
        for n in the_plan.shards
        if old_keys.get(str(n)) != the_plan.keys[n] or not (bundle / str(n) / "pagefind-entry.json").is_file()
    ]
    if not ui_ok and not todo and the_plan.shards:
        todo = [next(iter(the_plan.shards))]  # the UI files come with any shard Pagefind writes
    work = Path(tempfile.mkdtemp(prefix=staging_prefix("stage-search"), dir=scratch or out))
    try:
        ui_from = todo[0] if todo and not ui_ok else None  # the UI files come with one shard
        _index_shards(executable, out, the_plan, todo, language, work, started, ui_from)
        _put_in_place(bundle, work, the_plan, todo, ui_ok)
    except Stopped:
        return Indexed(stopped=True)
    except (RuntimeError, OSError, ValueError) as exc:
        message = f"search index failed (the site itself was built): {str(exc)[-500:]}"
        say(message, sys.stderr)
        return Indexed(message)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if record is not None:
        _save_record(record, the_plan, version)
    return Indexed(None, len(todo), len(the_plan.shards))


def _all_pages(out: Path) -> dict[str, str]:
    """Every HTML page of ``out`` with its digest, read from the files."""
    return {
        rel: digest_bytes((out / rel).read_bytes())
        for rel in (p.relative_to(out).as_posix() for p in sorted(out.rglob("*.html")))
        if not rel.startswith((BUNDLE + "/", STAGING_PREFIX))
    }


def _save_record(record: Path, the_plan: Plan, version: str) -> None:
    """The shards' keys, for the next run to index only what changed."""
    data = {
        "format": FORMAT,
        "ui": version,
        "count": the_plan.count,
        "keys": {str(n): k for n, k in the_plan.keys.items()},
        "bodies": {rel: [d, b] for rel, (d, b) in the_plan.bodies.items()},
    }
    try:
        atomic_write(record, json.dumps(data, sort_keys=True).encode())
    except OSError:
        record.unlink(missing_ok=True)


def services(todo: list[int]) -> int:
    """How many Pagefind services index side by side: ``WORKERS``, or one when this
    process is already large (``SIDE_BY_SIDE_MB``): the whole build's memory before speed."""
    side_by_side = WORKERS if resident_mb() <= SIDE_BY_SIDE_MB else 1
    return max(1, min(side_by_side, len(todo)))


def _index_shards(
    executable: Path,
    out: Path,
    the_plan: Plan,
    todo: list[int],
    language: str | None,
    work: Path,
    started: Callable[[subprocess.Popen], None] | None,
    ui_from: int | None = None,
) -> None:
    """Index the shards ``todo`` into ``work/<n>``, each with the files the bundle keeps of
    it (and shard ``ui_from`` with the UI files too): a few Pagefind services side by side,
    each one shard at a time.  A service that holds more than ``RENEW_MB`` after a shard
    is replaced by a new one: one that indexes shard after shard keeps the memory of the
    largest and more (47-88-page shards: 83-96 MB after 12 of them, against 41-69 MB for a
    new service each time), while small shards (a site of up to ~2,000 essays) keep theirs,
    since a new process costs its page faults again (about 1 s of CPU over 32 shards)."""
    queue = list(reversed(todo))
    lock = threading.Lock()

    def worker() -> None:
        service: Service | None = None
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    n = queue.pop()
                if service is None:
                    service = Service(executable, out, started)
                keep = functools.partial(_kept, with_ui=n == ui_from)
                service.index(out, the_plan.shards[n], language, work / str(n), keep)
                if service.resident_mb() > RENEW_MB:
                    service.close()
                    service = None
        finally:
            if service is not None:
                service.close()

    if not todo:
        return
    count = services(todo)
    with ThreadPoolExecutor(count) as pool:
        for future in [pool.submit(worker) for _ in range(count)]:
            future.result()


def _is_ui(name: str) -> bool:
    """Pagefind's UI scripts and styles: the search page loads them from the bundle's top."""
    return name.startswith("pagefind-") and name.endswith((".js", ".css")) and name != "pagefind-worker.js"


def _kept(top: str, with_ui: bool) -> bool:
    """Whether the bundle keeps a file of a shard's index, by its first path part: the
    shard's own (index, fragments, filters, entry, scripts, metadata, wasm), and the UI
    files when asked (from one shard; the other shards' copies are not written)."""
    return top in SHARD_KEEP or top.endswith(".pf_meta") or top.startswith("wasm.") or (with_ui and _is_ui(top))


def _put_in_place(bundle: Path, work: Path, the_plan: Plan, todo: list[int], ui_ok: bool) -> None:
    """Swap each new shard in (``_kept`` chose its files), refresh the UI files if asked,
    list the shards, remove the rest."""
    bundle.mkdir(parents=True, exist_ok=True)
    os.chmod(bundle, 0o755)
    if not ui_ok and todo:
        for entry in (work / str(todo[0])).iterdir():
            if entry.is_file() and _is_ui(entry.name):
                os.replace(entry, work / entry.name)
                os.replace(work / entry.name, bundle / entry.name)
    for n in todo:
        fresh = work / str(n)
        os.chmod(fresh, 0o755)
        _swap(fresh, bundle / str(n))
    names = [str(n) for n in the_plan.shards]
    atomic_write(bundle / SHARDS, json.dumps({"shards": [name + "/" for name in names]}).encode())
    os.chmod(bundle / SHARDS, 0o644)
    for entry in bundle.iterdir():  # shards that are gone, and the single index of older versions
        if entry.name in names or entry.name == SHARDS or (entry.is_file() and _is_ui(entry.name)):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _swap(fresh: Path, target: Path) -> None:
    """Put ``fresh`` in place of ``target``: the old folder is moved aside, then removed."""
    old = None
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        old = Path(tempfile.mkdtemp(prefix=staging_prefix("stage-old"), dir=fresh.parent))
        os.replace(target, old / target.name)
    os.replace(fresh, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
