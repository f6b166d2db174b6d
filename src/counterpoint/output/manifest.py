"""The manifest: what the last successful build wrote into an output folder, so the next
one knows which files are its own (to replace or remove) and which are in place already."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from counterpoint.model import OutputRef
from counterpoint.output.output import atomic_write


@dataclass(frozen=True)
class Manifest:
    """What the last successful build wrote: rel path -> (digest, size).

    On disk: the whole list (JSON), and beside it a log of the entries each later build
    changed, one JSON line each, so an edit in ``serve`` saves a few lines, not the
    45,000 entries of a 10,000-essay site; a full save (``save``) starts the log anew.
    """

    files: dict[str, tuple[str, int]]
    trusted: bool = False  # the output is known to be as recorded: skip the stat per file

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text("utf-8"))
            files = {k: (v[0], int(v[1])) for k, v in data["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return cls({})
        _replay(files, _log_of(path), data.get("id"))
        return cls(files)

    def save(self, path: Path) -> None:
        # in the order the build made them (no sort); a new id: the log of the last one no longer applies
        made = {"id": os.urandom(8).hex(), "files": self.files}
        atomic_write(path, json.dumps(made, separators=(",", ":")).encode())
        _log_of(path).unlink(missing_ok=True)

    def save_edits(self, path: Path, edits: dict[str, tuple[str, int] | None]) -> bool:
        """Append what changed since the manifest saved at ``path`` (None: a file removed);
        False when there is no log to append to (then ``save``)."""
        log = _log_of(path)
        try:
            with open(path, "rb") as handle:  # the id is at the start of the file
                head = handle.read(64)
            base = json.loads(head[: head.index(b",")] + b"}")["id"]
            size = log.stat().st_size if log.exists() else 0
        except (OSError, ValueError, KeyError):
            return False
        if size > path.stat().st_size // 4:  # long enough: the next full save starts it anew
            return False
        lines = [json.dumps([base, rel, *(entry or ())], separators=(",", ":")) for rel, entry in edits.items()]
        with open(log, "a", encoding="utf-8") as handle:
            handle.write("".join(line + "\n" for line in lines))
        return True

    def all_intact(self, out: Path) -> bool:
        """Every file this manifest records is in ``out`` at its recorded size
        (one stat each, plain strings: a no-op build checks thousands)."""
        folder = str(out)
        for rel, (_, size) in self.files.items():
            try:
                if os.stat(os.path.join(folder, rel)).st_size != size:
                    return False
            except OSError:
                return False
        return True

    def intact(self, out: Path, ref: OutputRef) -> bool:
        """The file is in the output as this manifest recorded it."""
        known = self.files.get(ref.rel)
        if known is None or known != (ref.digest, ref.size):
            return False
        if self.trusted:
            return True
        try:  # plain strings, as in all_intact: a warm start checks every output file
            return os.stat(os.path.join(out, ref.rel)).st_size == ref.size
        except OSError:
            return False


def _log_of(path: Path) -> Path:
    return path.with_suffix(".log")


def _replay(files: dict[str, tuple[str, int]], log: Path, base: object) -> None:
    """The log's entries onto the list they were made for (each line names its id): a line
    left half-written by a killed build, and whatever follows it, is ignored."""
    try:
        text = log.read_text("utf-8")
    except OSError:
        return
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            if entry[0] != base:
                continue
            if len(entry) == 2:
                files.pop(entry[1], None)
            else:
                files[entry[1]] = (entry[2], int(entry[3]))
        except (ValueError, TypeError, IndexError):
            return
