"""The sha256 of every output file of two reference sites, recorded and compared.

    python scripts/output_hashes.py            # compare with tests/fixtures/output_hashes.txt
    python scripts/output_hashes.py --record   # after an intended change of the output

The reference sites are the demo site of this repository (``content/`` and ``site.yml``)
and a generated benchmark corpus of ``CORPUS_ESSAYS`` essays (``bench/corpus.py``, seed 1).
Both are built with the command line (``--no-cache --no-search``: the Pagefind bundle is
Pagefind's output, not ours).  ``tests/test_output_hashes.py`` runs the comparison, so a
change that alters any byte of the output fails until the list is re-recorded with the
change; the diff of the recorded list then shows which files a commit changed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RECORD = REPO / "tests" / "fixtures" / "output_hashes.txt"
CORPUS_ESSAYS = 30


def _corpus_module():
    spec = importlib.util.spec_from_file_location("counterpoint_bench_corpus", REPO / "bench" / "corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _build(site: Path, out: Path) -> None:
    cmd = [
        sys.executable,
        "-m",
        "counterpoint",
        "build",
        str(site),
        "--out",
        str(out),
        "--allow-outside-output",
        "--no-cache",
        "--no-search",
        "--quiet",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def _hashes(out: Path, prefix: str) -> dict[str, str]:
    return {
        f"{prefix}/{path.relative_to(out).as_posix()}": hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def current() -> dict[str, str]:
    """Build both reference sites in a temporary folder; return ``{site/path: sha256}``."""
    with tempfile.TemporaryDirectory(prefix="counterpoint-hashes-") as tmp:
        work = Path(tmp)
        demo = work / "demo"
        demo.mkdir()
        shutil.copytree(REPO / "content", demo / "content")
        shutil.copy2(REPO / "site.yml", demo / "site.yml")
        corpus = work / "corpus"
        _corpus_module().generate_site(corpus, CORPUS_ESSAYS, seed=1)
        _build(demo, work / "demo-out")
        _build(corpus, work / "corpus-out")
        return {**_hashes(work / "demo-out", "demo"), **_hashes(work / "corpus-out", "corpus")}


def recorded() -> dict[str, str]:
    lines = RECORD.read_text(encoding="utf-8").splitlines()
    return {path: digest for digest, path in (line.split("  ", 1) for line in lines if line)}


def differences(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """One line per file that is missing, new or different."""
    lines = [f"missing  {p}" for p in sorted(expected.keys() - actual.keys())]
    lines += [f"new      {p}" for p in sorted(actual.keys() - expected.keys())]
    lines += [f"changed  {p}" for p in sorted(expected.keys() & actual.keys()) if expected[p] != actual[p]]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--record", action="store_true", help=f"write {RECORD.relative_to(REPO)}")
    args = ap.parse_args(argv)
    actual = current()
    if args.record:
        RECORD.write_text("".join(f"{digest}  {path}\n" for path, digest in sorted(actual.items())), encoding="utf-8")
        print(f"recorded {len(actual)} files in {RECORD.relative_to(REPO)}")
        return 0
    diff = differences(recorded(), actual)
    print("\n".join(diff) or f"all {len(actual)} files as recorded")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
