"""What a build keeps in memory: the command line's build lets go of its cache and of
every essay's result once the cache is saved, before Pagefind runs beside it; the
search index starts a Pagefind process per shard, whose memory is that shard's."""

from __future__ import annotations

import gc
import shutil
import subprocess
from pathlib import Path

import pytest
from sitefactory import critique, essay, make_site

from counterpoint.build.engine import Engine
from counterpoint.model import EssayResult
from counterpoint.output import search


def _site(tmp_path: Path, n: int = 30) -> Path:
    files: dict[str, str] = {}
    for i in range(n):
        files[f"content/essays/e{i}/index.md"] = essay(
            f"Essay {i}", f"[Claim number {i} stands here.]{{.claim #c{i}}}\n\nMore text {i}.", tags=["t"]
        )
        files[f"content/essays/e{i}/critiques/r{i}.md"] = critique("reader", f"::: on #c{i}\nNot so, {i}.\n:::")
    return make_site(tmp_path / "site", files)


def _results_alive() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, EssayResult))


@pytest.mark.parametrize("once", [True, False])
def test_a_build_that_is_its_engines_only_one_lets_go_of_the_results_before_the_search_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, once: bool
) -> None:
    root = _site(tmp_path)
    seen: list[int] = []

    def index_site(*args: object, **kwargs: object) -> search.Indexed:  # what Pagefind would share memory with
        seen.append(_results_alive())
        return search.Indexed(None, 0, 0)

    monkeypatch.setattr(search, "index_site", index_site)
    engine = Engine(root, once=once, jobs=1)
    report = engine.build()
    assert report.ok, report.errors
    assert engine.last_stats is not None and (engine.last_stats.essays, engine.last_stats.rendered) == (30, 30)
    if once:
        assert seen == [0]
    else:
        assert seen[0] >= 30  # serve and the tests' engines keep them for their next build
    # the cache was saved all the same: a new engine renders nothing
    again = Engine(root, once=True, jobs=1)
    (root / "public" / "index.html").unlink()  # not a no-op: the build runs, from the cache
    assert again.build().ok
    assert again.last_stats is not None and again.last_stats.rendered == 0


@pytest.mark.parametrize("renew_mb", [0, search.RENEW_MB])
def test_a_pagefind_service_that_grew_is_replaced_after_its_shard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renew_mb: int
) -> None:
    if not search.available():
        pytest.fail("Pagefind is not installed (pip install 'pagefind[bin]')")
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 4)  # 30 essays in 8 shards (7 of them not empty)
    monkeypatch.setattr(search, "RENEW_MB", renew_mb)
    # two services side by side, however large this test process has grown by now (services()
    # asks for one above SIDE_BY_SIDE_MB: a full suite's process can be, and then started one)
    monkeypatch.setattr(search, "SIDE_BY_SIDE_MB", search.SIDE_BY_SIDE_MB * 100)
    root = _site(tmp_path)
    assert Engine(root, search=False).build().ok
    out = root / "public"
    started: list[subprocess.Popen] = []
    done = search.index_site(out, "en", started=started.append)
    assert done.warning is None and done.indexed == done.shards > search.WORKERS
    # over the bound (0 MB: always), a new process for each shard; tiny shards stay far under it
    assert len(started) == (done.shards if renew_mb == 0 else search.WORKERS)
    assert all(proc.returncode == 0 for proc in started)
    assert search.bundle_complete(out)


def test_a_large_build_process_indexes_with_one_pagefind_service_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not search.available():
        pytest.fail("Pagefind is not installed (pip install 'pagefind[bin]')")
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 4)  # 30 essays in 8 shards (7 of them not empty)
    root = _site(tmp_path)
    assert Engine(root, search=False).build().ok
    out = root / "public"
    bundles = []
    for side_by_side_mb in (search.SIDE_BY_SIDE_MB * 100, 0):  # this process small, then large (0 MB: always)
        monkeypatch.setattr(search, "SIDE_BY_SIDE_MB", side_by_side_mb)
        shutil.rmtree(out / "pagefind", ignore_errors=True)
        shutil.rmtree(root / ".counterpoint", ignore_errors=True)  # the shards' record: index every shard
        started: list[subprocess.Popen] = []
        done = search.index_site(out, "en", started=started.append)
        assert done.warning is None and done.indexed == done.shards > search.WORKERS
        assert len(started) == (search.WORKERS if side_by_side_mb else 1)
        assert search.bundle_complete(out)
        bundles.append(
            {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}
        )
    assert bundles[0] == bundles[1]
