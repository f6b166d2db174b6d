"""``counterpoint new critique SLUG --from FILE`` and ``counterpoint import github``:
what they write and the lines they print."""

from __future__ import annotations

from pathlib import Path

from counterpoint.errors import UsageError, terminal_text
from counterpoint.inbox.critique_file import CritiqueDraft, critique_text, one_line
from counterpoint.inbox.passages import EssayText
from counterpoint.inbox.paste import Pasted, QuoteOutcome, convert
from counterpoint.model import STANCES
from counterpoint.source.frontmatter import _is_http_url, parse_stamp

PASTE_LIMIT = 4 << 20  # a reader's comment, however long, is far less
ISSUES_LIMIT = 256 << 20  # 'gh issue list --json' of tens of thousands of issues


def read_input(name: str, stdin, limit: int, label: str) -> bytes:
    """A file, or standard input for '-', of at most ``limit`` bytes: /dev/zero or a pipe
    that never ends is refused there instead of read until memory runs out."""
    try:
        if name == "-":
            raw = stdin.buffer.read(limit + 1)
        else:
            with open(name, "rb") as handle:
                raw = handle.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"{label}: cannot read file: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise UsageError(f"{label}: over {limit >> 20} MB: not what it should hold")
    return raw


def read_pasted(name: str, stdin) -> str:
    """The pasted comment: a file, or standard input for '-'."""
    raw = read_input(name, stdin, PASTE_LIMIT, f"--from {name}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"--from {name}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from None


def critique_from(
    site_dir: Path, essay_slug: str, text: str, *, author: str | None, date: str | None, source: str | None
) -> tuple[Path, Pasted]:
    """Write a critique of ``essay_slug`` from a pasted comment; return its path and what was matched."""
    from counterpoint import scaffold  # lazily: YAML and the site's files, only when a critique is written

    if source and not _is_http_url(source):
        raise UsageError(f"--source must be an http(s) address, not '{source}'")
    if date:
        try:
            parse_stamp(date)
        except ValueError as exc:
            raise UsageError(f"--date '{date}': {exc}") from None
    _root, probe, _ = scaffold.critique_path(site_dir, essay_slug, "critique")  # the essay exists
    essay = EssayText(probe.parent.parent / "index.md", _root)
    pasted = convert(text, essay, essay.ids)
    name = one_line(author or pasted.meta.get("author", ""))
    if not name:
        raise UsageError("the critique needs an author: --author NAME (the pasted text names none)")
    root, path, today = scaffold.critique_path(site_dir, essay_slug, name)
    written_date = date or _valid_date(pasted.meta.get("date", "")) or today.isoformat()
    stance = pasted.meta.get("stance", "")
    draft = CritiqueDraft(
        author=name,
        date=written_date,
        general=pasted.general,
        remarks=pasted.remarks,
        stance=stance if stance in STANCES else "notes",
        source=source or "",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(critique_text(draft))
    return path, pasted


def _valid_date(text: str) -> str:
    try:
        return parse_stamp(text).text if text else ""
    except ValueError:
        return ""


def outcome_lines(outcomes: tuple[QuoteOutcome, ...], essay_rel: str) -> list[str]:
    """What matched and what did not, one line each (and a hint line for a near miss)."""
    lines: list[str] = []
    for outcome in outcomes:
        found = outcome.found
        quote = terminal_text(_short(found.quote))
        if outcome.target:
            lines.append(f"  line {outcome.line}: anchored to {terminal_text(outcome.target)}")
        elif found.passage:
            lines.append(
                f'  line {outcome.line}: anchored "{terminal_text(_short(found.passage))}" ({essay_rel} line {found.line})'
            )
        elif found.occurrences:
            lines.append(
                f'  line {outcome.line}: not anchored: "{quote}" occurs {found.occurrences} times in the essay; kept as text'
            )
        else:
            lines.append(f'  line {outcome.line}: not found: "{quote}"; kept as text')
            if found.closest:
                lines.append(
                    f'    closest passage, {essay_rel} line {found.line}: "{terminal_text(_short(found.closest))}"'
                )
    return lines


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
