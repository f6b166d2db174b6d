"""How much memory a process holds: what decides whether a build shares work out
(forked processes, Pagefind services side by side) or keeps it to fewer processes."""

from __future__ import annotations


def resident_mb(pid: int | str = "self") -> float:
    """A process's resident memory in MB (Linux; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0
