"""CI cannot pass while skipping: the test tools are pinned in the repository, and
with ``CI=true`` a test whose tool is missing fails instead of skipping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from browser import REPO


def test_the_node_tools_are_pinned_in_the_repository() -> None:
    """package.json and package-lock.json name axe-core and vnu-jar, and ``.ci/run``
    installs exactly those with ``npm ci``, into this repository (npm installs into the
    folder of the nearest package.json: without one here, a folder above the clone)."""
    manifest = json.loads((REPO / "package.json").read_text("utf-8"))
    lock = json.loads((REPO / "package-lock.json").read_text("utf-8"))
    wanted = {"axe-core", "vnu-jar"}
    assert wanted <= set(manifest.get("devDependencies", {}))
    assert wanted <= {name.removeprefix("node_modules/") for name in lock["packages"]}
    for name in wanted:
        assert lock["packages"][f"node_modules/{name}"]["version"] == manifest["devDependencies"][name]
    script = (REPO / ".ci" / "run").read_text("utf-8")
    assert "npm ci" in script and "npm install" not in script


def _pytest(test: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", test],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_missing_tool_fails_under_ci_and_skips_elsewhere() -> None:
    """The HTML validity tests without java on the PATH: skipped on a developer's
    machine, failed (exit 1, no skip) with CI=true."""
    test = "tests/test_html_validity.py::test_the_checker_reports_errors"
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(Path(sys.executable).parent)  # python, and no java
    local = _pytest(test, env)
    assert local.returncode == 0 and "1 skipped" in local.stdout, local.stdout
    ci = _pytest(test, {**env, "CI": "true"})
    assert ci.returncode == 1, ci.stdout
    assert "1 failed" in ci.stdout and "skipped" not in ci.stdout
    assert "java is not installed" in ci.stdout
