"""``counterpoint import github ISSUES.json``: reader issues -> critique files.

Reads what ``gh issue list --state all --json number,title,body,author,createdAt,
url,labels,state,stateReason,comments`` prints; nothing is fetched.  An issue
becomes ``content/essays/<slug>/critiques/github-<number>.md`` when it names an
essay: a label ``essay:<slug>`` (or the bare slug), the ``essay:`` line the
page's control writes, or a link to the essay.  Its body goes through the same
conversion as ``new critique --from`` (quotes -> remarks); its comments become
replies.  A comment is the site author's reply only when its login is one of
the author's logins (the owner of ``critiques: {github: owner/repo}``, or
``--author-login``): every other name is written ``@login``, which can never
equal the author's name.

Each file records a digest of what was imported (a comment line in its front
matter): an unchanged issue is skipped, a changed one rewritten only with
``--update``, and never over the author's own edits.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from counterpoint.errors import ContentError, UsageError, display_path, say
from counterpoint.inbox.commands import ISSUES_LIMIT, outcome_lines, read_input
from counterpoint.inbox.critique_file import CritiqueDraft, ReplyDraft, critique_text, one_line
from counterpoint.inbox.passages import EssayText
from counterpoint.inbox.paste import convert
from counterpoint.model import STANCES
from counterpoint.source.config import SiteConfig, load_config
from counterpoint.source.frontmatter import _is_http_url

_NOTE = re.compile(r"^# imported from GitHub issue #(\d+) by counterpoint; digest ([0-9a-f]{32})\n", re.M)
_ESSAY_LINK = re.compile(r"essays/([^\s/?#)\]>\"']+)")
_LOGIN = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class Planned:
    """What one issue gives: the file, its text, and what to say about it."""

    number: int
    path: Path
    text: str  # the file's text, note line included
    digest: str
    summary: str
    outcomes: tuple[str, ...]


def run_import(args: argparse.Namespace) -> int:
    # Long: one import, step by step, in the order it is reported.
    config = load_config(Path(args.dir))
    issues = _read_issues(args.issues)
    owner = config.critiques.get("github", "").partition("/")[0]
    logins = {login.lower() for login in args.author_login} or ({owner.lower()} if owner else set())
    if not logins:
        say(
            "note: no author login (set critiques: {github: owner/repo} in site.yml or pass --author-login LOGIN): "
            "no comment is imported as the author's reply",
            sys.stderr,
        )
    from counterpoint import scaffold  # lazily: YAML and the site's files, only when a critique is written

    bundles = scaffold._bundles(config.root)
    existing = {p.name: p for folder in set(bundles.values()) for p in (folder / "critiques").glob("github-*.md")}
    essays: dict[Path, EssayText] = {}
    counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    writes: list[tuple[Path, str]] = []
    report: list[str] = []
    for issue in issues:
        number = issue["number"]
        slug = _essay_of(issue, bundles)
        if slug is None:
            counts["skipped"] += 1
            report.append(f"skipped #{number}: names no essay (a label essay:SLUG, or a link to the essay in its text)")
            continue
        folder = bundles[slug]
        if folder not in essays:
            try:
                essays[folder] = EssayText(folder / "index.md", config.root)
            except ContentError as exc:
                raise UsageError(f"essay '{slug}' cannot be read: {exc.format()}; fix it, then import again") from None
        essay = essays[folder]
        name = f"github-{number}.md"
        path = existing.get(name, folder / "critiques" / name)
        if path.parent.parent != folder:
            counts["skipped"] += 1
            report.append(
                f"skipped #{number}: it names essay '{slug}', but its critique is {display_path(path, config.root)}; move or delete that file"
            )
            continue
        planned = _plan(issue, path, essay, config, logins)
        rel = display_path(path, config.root)
        if not path.exists():
            writes.append((path, planned.text))
            counts["created"] += 1
            report.append(f"created {rel} ({planned.summary})")
            report += planned.outcomes
            continue
        current = path.read_text("utf-8", errors="replace")
        note = _NOTE.search(current)
        if note is None:
            counts["skipped"] += 1
            report.append(f"skipped #{number}: {rel} exists and was not written by import; left as it is")
            continue
        stored = note.group(2)
        if stored == planned.digest:
            counts["unchanged"] += 1
            report.append(f"unchanged {rel}")
            continue
        edited = _digest(_NOTE.sub("", current, count=1)) != stored
        if edited:
            counts["skipped"] += 1
            report.append(
                f"not updated {rel}: issue #{number} changed on GitHub, and the file was edited since it was imported; "
                "your edits are kept (to take the issue's new text, delete the file and import again)"
            )
        elif not args.update:
            counts["skipped"] += 1
            report.append(f"changed {rel}: issue #{number} changed on GitHub; run with --update to rewrite the file")
        else:
            writes.append((path, planned.text))
            counts["updated"] += 1
            report.append(f"updated {rel} ({planned.summary})")
            report += planned.outcomes
    for path, text in writes:
        _write(path, text)
    for line in report:
        say(line)
    say(
        ", ".join(f"{n} {what}" for what, n in counts.items())
        + (
            "; run 'counterpoint check' to see the critiques as the build will"
            if counts["created"] + counts["updated"]
            else ""
        )
    )
    return 0


def _plan(issue: dict, path: Path, essay: EssayText, config: SiteConfig, logins: set[str]) -> Planned:
    pasted = convert(issue["body"], essay, essay.ids)
    general = pasted.general
    if "essay" not in pasted.meta and issue["title"].strip():
        general = f"**{one_line(issue['title'])}**" + ("\n\n" + general if general else "")
    labels = {label.lower() for label in issue["labels"]}
    stance = pasted.meta.get("stance", "")
    for label in labels:
        name = label.removeprefix("stance:")
        if name in STANCES:
            stance = name
    declined = "declined" in labels or (issue["state"] == "CLOSED" and issue["stateReason"] == "NOT_PLANNED")
    authors = {config.author.casefold(), essay.author.casefold()} - {""}
    replies = tuple(
        ReplyDraft(_reply_name(c["login"], logins, config.author, authors), _day(c["createdAt"], config), c["body"])
        for c in issue["comments"]
    )
    draft = CritiqueDraft(
        author=one_line(issue["login"]) or "ghost",
        date=_day(issue["createdAt"], config),
        general=general,
        remarks=pasted.remarks,
        replies=replies,
        stance=stance if stance in STANCES else "notes",
        source=issue["url"] if _is_http_url(issue["url"]) else "",
        status="declined" if declined else "",
    )
    digest = _digest(critique_text(draft))
    note = f"imported from GitHub issue #{issue['number']} by counterpoint; digest {digest}"
    text = critique_text(CritiqueDraft(**{**draft.__dict__, "notes": (note,)}))
    by_author = sum(1 for r in replies if r.name == config.author)
    parts = [
        f"#{issue['number']}",
        f"{len(pasted.remarks)} remark(s)",
        f"{len(replies)} repl(ies), {by_author} by the author",
    ]
    if declined:
        parts.append("declined")
    return Planned(
        issue["number"], path, text, digest, ", ".join(parts), tuple(outcome_lines(pasted.outcomes, essay.rel))
    )


def _reply_name(login: str, logins: set[str], site_author: str, authors: set[str]) -> str:
    """The site author's name for the author's logins; '@login' for everyone else,
    never a name that would be marked as the author's."""
    if login.lower() in logins:
        return site_author
    name = "@" + _safe_login(login)
    while name.casefold() in authors:
        name += " (GitHub)"
    return name


def _safe_login(login: str) -> str:
    return _LOGIN.sub("", login)[:39] or "ghost"


def _essay_of(issue: dict, bundles: dict[str, Path]) -> str | None:
    for label in issue["labels"]:
        name = label.removeprefix("essay:").strip()
        if name in bundles and (label.startswith("essay:") or label == name):
            return name
    meta = re.match(r"---\r?\n(?:.*\r?\n)*?essay:[ \t]*\"?([^\s\"]+)\"?[ \t]*\r?\n", issue["body"])
    if meta and meta.group(1) in bundles:
        return meta.group(1)
    named = dict.fromkeys(unquote(m.group(1)) for m in _ESSAY_LINK.finditer(issue["body"] + "\n" + issue["title"]))
    known = [slug for slug in named if slug in bundles]
    return known[0] if len(set(bundles[s] for s in known)) == 1 else None


def _day(stamp: str, config: SiteConfig) -> str:
    """The day of a GitHub time stamp in the site's time zone."""
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    try:
        return moment.astimezone(ZoneInfo(config.timezone)).date().isoformat()
    except OverflowError:  # the first or last day of year 1 or 9999
        return moment.date().isoformat()


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    os.replace(temporary, path)


def _read_issues(name: str) -> list[dict]:
    """The issues, each checked and reduced to the fields used; UsageError when the
    file is not what 'gh issue list --json …' prints."""
    raw = read_input(name, sys.stdin, ISSUES_LIMIT, name)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UsageError(
            f"{name}: not JSON ({exc}); save it with: gh issue list --state all --json {FIELDS} > {name}"
        ) from None
    if not isinstance(data, list):
        raise UsageError(f"{name}: expected a list of issues, as 'gh issue list --state all --json {FIELDS}' prints")
    issues = []
    problems = []
    for position, item in enumerate(data):
        try:
            issues.append(_issue(item))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"issue {position + 1} in the list: {exc}")
    if problems:
        raise UsageError(
            f"{name}: " + "; ".join(problems[:5]) + f"; save it with: gh issue list --state all --json {FIELDS}"
        )
    return issues


FIELDS = "number,title,body,author,createdAt,url,labels,state,stateReason,comments"


def _issue(item: object) -> dict:
    if not isinstance(item, dict):
        raise TypeError("not an object")
    for key in ("number", "createdAt", "url"):
        if key not in item:
            raise KeyError(f"no '{key}'")
    if not isinstance(item["number"], int):
        raise ValueError("'number' is not a number")
    _check_stamp(item["createdAt"])
    comments = []
    for comment in item.get("comments") or []:
        if not isinstance(comment, dict):
            raise TypeError("a comment is not an object")
        _check_stamp(comment.get("createdAt"))
        comments.append(
            {
                "login": _login(comment.get("author")),
                "createdAt": comment["createdAt"],
                "body": _text(comment.get("body")),
            }
        )
    return {
        "number": item["number"],
        "title": _text(item.get("title")),
        "body": _text(item.get("body")),
        "login": _login(item.get("author")),
        "createdAt": item["createdAt"],
        "url": _text(item["url"]),
        "labels": [
            _text(label.get("name") if isinstance(label, dict) else label) for label in item.get("labels") or []
        ],
        "state": _text(item.get("state")).upper(),
        "stateReason": _text(item.get("stateReason")).upper(),
        "comments": comments,
    }


def _check_stamp(value: object) -> None:
    if not isinstance(value, str):
        raise ValueError("'createdAt' is not a time stamp")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        moment.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        raise ValueError(f"'createdAt' {value!r} is not a time stamp") from None


def _login(author: object) -> str:
    return _text(author.get("login")) if isinstance(author, dict) else ""


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
