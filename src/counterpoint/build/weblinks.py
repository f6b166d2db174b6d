"""``check --external``: links to other hosts, asked concurrently.

Each address is asked with HEAD first and, when a server does not answer HEAD
properly (405, 403, 501… or no answer), with GET; redirects are followed; a
status under 400 is good.  Answers are kept in ``.counterpoint/cache/external-links.json``:
an address found good is not asked again for ``MAX_AGE`` (a week), so a rerun
asks only the new and the broken ones.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag

from counterpoint.build.linkcheck import Link
from counterpoint.errors import ContentError
from counterpoint.output.output import atomic_write

CACHE_NAME = "external-links.json"
MAX_AGE = 7 * 24 * 3600  # seconds a good answer is trusted
TIMEOUT = 10.0
WORKERS = 8
USER_AGENT = "counterpoint-linkcheck (+https://pypi.org/project/counterpoint/)"
_RETRY_WITH_GET = {400, 403, 405, 406, 429, 500, 501, 502, 503}


@dataclass(frozen=True)
class Answer:
    ok: bool
    status: int  # 0 when no HTTP answer came
    reason: str  # "Not Found", "timed out", "Name or service not known"…
    checked: float  # when (UTC timestamp)


def ask(url: str, timeout: float = TIMEOUT) -> Answer:
    """HEAD, then GET when HEAD gives no usable answer."""
    first = _request(url, "HEAD", timeout)
    if first.ok or (first.status and first.status not in _RETRY_WITH_GET):
        return first
    return _request(url, "GET", timeout)


def _request(url: str, method: str, timeout: float) -> Answer:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, by Link.external
            return Answer(response.status < 400, response.status, response.reason or "", time.time())
    except urllib.error.HTTPError as exc:
        return Answer(False, exc.code, str(exc.reason or ""), time.time())
    except urllib.error.URLError as exc:
        reason = exc.reason
        text = (
            "timed out"
            if isinstance(reason, (socket.timeout, TimeoutError))
            else str(getattr(reason, "strerror", None) or reason)
        )
        return Answer(False, 0, text, time.time())
    except TimeoutError:
        return Answer(False, 0, "timed out", time.time())
    except (OSError, ValueError) as exc:  # a reset connection, an address urllib cannot use
        return Answer(False, 0, str(exc) or type(exc).__name__, time.time())


def load_cache(path: Path) -> dict[str, Answer]:
    try:
        data = json.loads(path.read_text("utf-8"))
        return {url: Answer(**entry) for url, entry in data.items()}
    except (OSError, ValueError, TypeError):
        return {}


def save_cache(path: Path, answers: dict[str, Answer]) -> None:
    data = {url: a.__dict__ for url, a in sorted(answers.items())}
    try:
        atomic_write(path, json.dumps(data, indent=0).encode())
    except OSError:  # a read-only site: the next run asks again
        pass


def check_external(
    links: Iterable[Link], cache: Path, *, timeout: float = TIMEOUT, workers: int = WORKERS, now: float | None = None
) -> tuple[list[ContentError], int, int]:
    """An error for each link whose address does not answer well; how many addresses
    there are, and how many of them were asked (the others came from the cache)."""
    links = list(links)
    now = time.time() if now is None else now
    known = load_cache(cache)
    urls = sorted({_address(link.url) for link in links})
    fresh = {u: known[u] for u in urls if u in known and known[u].ok and now - known[u].checked < MAX_AGE}
    todo = [u for u in urls if u not in fresh]
    if todo:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo)))) as pool:
            for url, answer in zip(todo, pool.map(lambda u: ask(u, timeout), todo)):
                fresh[url] = answer
    known.update(fresh)
    save_cache(cache, known)
    errors = []
    for link in links:
        answer = fresh[_address(link.url)]
        if answer.ok:
            continue
        said = (
            f"answers {answer.status} {answer.reason}".rstrip()
            if answer.status
            else f"cannot be reached: {answer.reason}"
        )
        errors.append(
            ContentError(
                link.rel,
                link.line,
                f"external link '{link.url}' {said}",
                "check the address in a browser; fix or remove the link",
                col=link.col,
            )
        )
    return errors, len(urls), len(todo)


def _address(url: str) -> str:
    """What is asked for a link: without its #fragment; ``//host`` as https."""
    url = urldefrag(url)[0]
    return "https:" + url if url.startswith("//") else url
