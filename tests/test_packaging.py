"""What ``pip install counterpoint`` installs: every module and every file the code reads
at run time (the default theme, the scaffold of ``counterpoint new``, the reload script).
An editable install (``pip install -e .``, the tests' own) reads them from the repository
and would not notice one missing from the wheel; these read the packaging's settings."""

from __future__ import annotations

import fnmatch
import sys
from pathlib import Path, PurePosixPath

from browser import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # the backport, a dependency on Python 3.10
    import tomli as tomllib

SETUPTOOLS = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]


def _folder(package: str) -> Path:
    """The folder ``package`` is read from (``[tool.setuptools.package-dir]``)."""
    dirs = SETUPTOOLS["package-dir"]
    parts = package.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in dirs:
            return REPO.joinpath(dirs[prefix], *parts[cut:])
    return REPO.joinpath(*parts)


def test_every_python_package_is_in_the_wheel() -> None:
    """``counterpoint import`` was missing from the wheel: its package was not listed."""
    source = REPO / "src" / "counterpoint"
    found = {
        ".".join(("counterpoint", *init.parent.relative_to(source).parts))
        for init in source.rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found - set(SETUPTOOLS["packages"]) == set()


def test_every_file_the_code_reads_is_in_the_wheel() -> None:
    """Each file that is not Python, in a listed package's folder, is matched by its
    ``package-data`` patterns (setuptools' globs, relative to the package's folder)."""
    data = SETUPTOOLS["package-data"]
    missing = []
    for package in SETUPTOOLS["packages"]:
        folder = _folder(package)
        for path in folder.rglob("*"):
            rel = PurePosixPath(path.relative_to(folder).as_posix())
            if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in rel.parts:
                continue
            if _inside_another(package, rel):
                continue
            patterns = data.get(package, [])
            if not any(_glob(rel, pattern) for pattern in patterns):
                missing.append(f"{package}: {rel}")
    assert missing == []


def _inside_another(package: str, rel: PurePosixPath) -> bool:
    """``rel`` lies in a sub-package listed on its own, whose own patterns decide."""
    return any(f"{package}.{'.'.join(rel.parts[:cut])}" in SETUPTOOLS["packages"] for cut in range(1, len(rel.parts)))


def _glob(rel: PurePosixPath, pattern: str) -> bool:
    """``rel`` matches ``pattern`` as setuptools reads it: ``**`` is any number of folders."""
    if pattern.startswith("**/"):
        return _glob(rel, pattern[3:]) or any(
            _glob(PurePosixPath(*rel.parts[cut:]), pattern) for cut in range(1, len(rel.parts))
        )
    head, _, rest = pattern.partition("/")
    if not rest:
        return len(rel.parts) == 1 and fnmatch.fnmatchcase(rel.parts[0], head)
    return len(rel.parts) > 1 and fnmatch.fnmatchcase(rel.parts[0], head) and _glob(PurePosixPath(*rel.parts[1:]), rest)
