"""Every failed build of the suite, built again on the parallel path.

A build with fewer than ``PARALLEL_THRESHOLD`` essays to render renders them in
its own process; above it, worker processes render them and send the results,
errors included, back through a pipe.  Most test sites are small, so an error
test alone would only ever see the first path.  ``conftest.py`` hands every
build that fails to ``rebuild_in_parallel``: the site (and its output folder)
is copied, enough valid essays are added to cross the threshold, the copy is
built with two worker processes, and it must fail with the same messages and
leave its output folder as it was.

A test whose fault the copy cannot reproduce (a patched call that names the
original output folder, say) is marked ``@pytest.mark.serial_only("why")``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from counterpoint.build.engine import Engine
from counterpoint.build.report import BuildReport
from counterpoint.build.scheduler import PARALLEL_THRESHOLD
from counterpoint.errors import BuildFailed

PADDING = PARALLEL_THRESHOLD  # never in the cache: all of them are rendered, so in a worker too


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry below ``folder``: file bytes, symlink targets, folders (as None)."""
    found: dict[str, object] = {}
    if not folder.is_dir():
        return found
    for current, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(current, name)
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[rel] = ("symlink", os.readlink(path))
            elif path.is_dir():
                found[rel] = None
            else:
                found[rel] = path.read_bytes()
    return found


def rebuild_in_parallel(real_build: Callable[..., BuildReport], engine: Engine, report: BuildReport) -> None:
    """Build a padded copy of ``engine``'s site on the parallel path; assert it
    fails with ``report``'s errors and writes nothing."""
    root, out = engine.root, engine.config.output
    if not (root / "content" / "essays").is_dir() or (root / "content" / "essays").is_symlink():
        return  # no essays folder to pad: nothing is rendered, in workers or not
    with tempfile.TemporaryDirectory(prefix="cp-twin-") as scratch:
        twin_root = Path(scratch) / root.name
        shutil.copytree(root, twin_root, symlinks=True)
        inside = out == root or root in out.parents
        twin_out = twin_root / out.relative_to(root) if inside else Path(scratch) / "out"
        if not inside and out.is_dir():
            shutil.copytree(out, twin_out, symlinks=True)
        for number in range(PADDING):
            (twin_root / f"content/essays/zz-parallel-{number:02}.md").write_text(
                f"---\ntitle: Padding {number}\ndate: 2026-01-01\n---\n\nText.\n", "utf-8"
            )
        before = snapshot(twin_out)
        # the same options (persist, and the start method: fork, not serve's spawn, carries a
        # test's patched faults into the workers), two processes (this one and a worker), the copy's output folder
        options = replace(
            engine.options, jobs=2, search=False, out=twin_out if engine.options.out is not None or not inside else None
        )
        try:
            twin = Engine(twin_root, options)
        except BuildFailed as exc:
            errors = tuple(e.format() for e in exc.errors)
        else:
            errors = real_build(twin).errors

        def same(text: str) -> str:
            return text.replace(str(twin_out), str(out)).replace(str(twin_root), str(root))

        assert tuple(same(e) for e in errors) == report.errors, (
            "on the parallel path (the site padded to "
            f"{PADDING}+ essays, two processes) the build reported {errors!r} instead of {report.errors!r}"
        )
        assert snapshot(twin_out) == before, "the failed build on the parallel path changed its output folder"
