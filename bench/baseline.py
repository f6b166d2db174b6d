"""The lower bound of issue 7: a plain single-process loop over the same corpus.

    python bench/baseline.py SITE_DIR OUT_DIR

reads every ``content/essays/<slug>/index.md`` and its ``critiques/*.md``, strips the front
matter with a plain split, renders each file with one shared
``MarkdownIt("commonmark").enable("table")`` instance, puts essay and critiques into one
Jinja2 template (a minimal HTML page: title and body, critiques appended) and writes
``OUT_DIR/<slug>/index.html``.  Nothing more: no claims, no remarks, no sanitizer, no
highlighting, no index pages, no cache.  It is the floor a real build is compared against.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from jinja2 import Environment
from markdown_it import MarkdownIt

TEMPLATE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<article class="essay">
<h1>{{ title }}</h1>
{{ body | safe }}
</article>
{% for cid, html in critiques %}<article class="critique" id="critique-{{ cid }}">
{{ html | safe }}
</article>
{% endfor %}</body></html>
"""


def _split_front_matter(text: str) -> tuple[str, str]:
    if text.startswith("---"):
        parts = text.split("\n---", 1)
        if len(parts) == 2:
            return parts[0], parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    return "", text


def _title(front: str, default: str) -> str:
    for line in front.splitlines():
        if line.startswith("title:"):
            return line[6:].strip().strip('"')
    return default


def plain_loop(root: Path, out: Path) -> float:
    """Render every essay of the site at ``root`` into ``out``; return the seconds it took."""
    t0 = time.perf_counter()
    root, out = Path(root), Path(out)
    md = MarkdownIt("commonmark").enable("table")
    template = Environment(autoescape=True).from_string(TEMPLATE)
    for bundle in sorted((root / "content" / "essays").iterdir()):
        index = bundle / "index.md"
        if not index.is_file():
            continue
        front, body = _split_front_matter(index.read_text(encoding="utf-8"))
        critiques = []
        cdir = bundle / "critiques"
        if cdir.is_dir():
            for cfile in sorted(cdir.glob("*.md")):
                _, cbody = _split_front_matter(cfile.read_text(encoding="utf-8"))
                critiques.append((cfile.stem, md.render(cbody)))
        page = template.render(title=_title(front, bundle.name), body=md.render(body), critiques=critiques)
        dest = out / bundle.name
        dest.mkdir(parents=True, exist_ok=True)
        (dest / "index.html").write_text(page, encoding="utf-8")
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python bench/baseline.py SITE_DIR OUT_DIR", file=sys.stderr)
        return 2
    print(f"{plain_loop(Path(args[0]), Path(args[1])):.6f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
