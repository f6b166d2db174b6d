"""What one build did: the value the engine returns and the dev loop passes around.

It lives in its own module so the watcher, the rebuild loop and the dev server can be
written and tested against it without importing the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from counterpoint.errors import ContentError, UsageError

Problem = ContentError | UsageError  # in a file the user wrote / in how the build was asked for


@dataclass(frozen=True)
class BuildReport:
    ok: bool
    errors: tuple[str, ...]  # each problem as the user reads it: "path:line:col: error: message" (+ "\n  hint: ...")
    written: tuple[str, ...]  # output files written or removed, relative posix paths
    elapsed_ms: float
    trigger: tuple[str, ...]  # the changed source paths that caused it (display form); () for the first build
    rendered: tuple[int, int] | None = None  # (essays rendered, of all): the others came from the cache
    warnings: tuple[str, ...] = ()  # "path: warning: message" (symlinks not followed), ok or not
    problems: tuple[Problem, ...] = ()  # the same problems, typed

    @classmethod
    def failed(
        cls,
        problems: tuple[Problem, ...],
        elapsed_ms: float,
        trigger: tuple[str, ...] = (),
        warnings: tuple[str, ...] = (),
    ) -> BuildReport:
        return cls(
            False, tuple(describe(p) for p in problems), (), elapsed_ms, trigger, problems=problems, warnings=warnings
        )

    @property
    def exit_code(self) -> int:
        """0 built; 2 when the build was asked for wrongly (a usage error); 1 for content errors."""
        if self.ok:
            return 0
        return 2 if any(isinstance(p, UsageError) for p in self.problems) else 1


def describe(problem: Problem) -> str:
    return problem.format() if isinstance(problem, ContentError) else f"error: {problem}"
