"""The output of the demo site and of a generated bench corpus, byte for byte as recorded.

A change that alters the output on purpose re-records the list in the same commit:
``python scripts/output_hashes.py --record``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "output_hashes.py"


def _script():
    spec = importlib.util.spec_from_file_location("counterpoint_output_hashes", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_every_output_file_is_as_recorded() -> None:
    hashes = _script()
    expected = hashes.recorded()
    actual = hashes.current()
    assert len(actual) > 100  # both sites were built
    diff = hashes.differences(expected, actual)
    assert not diff, (
        f"{len(diff)} output files differ from tests/fixtures/output_hashes.txt:\n"
        + "\n".join(diff[:40])
        + "\nIf the change is intended, re-record: python scripts/output_hashes.py --record"
    )
