"""The benchmark corpus in Hugo's layout, for ``hugo && pagefind`` on the same essays.

    python bench/hugo.py SITE HUGO_SITE     # SITE: a corpus from bench/corpus.py

Each essay's ``index.md`` becomes ``content/essays/<slug>.md`` with the same front matter
(title, date, summary, tags) and the same Markdown body; counterpoint's own syntax (claims,
UPD blocks) stays in the text as Hugo shows it, and the critiques are left out (Hugo has no
such thing), so Hugo and Pagefind get somewhat less text than counterpoint does.  A minimal
theme (a base, an essay page, lists for the home page and the tags) marks the essay's article
``data-pagefind-body``, as counterpoint's theme does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CONFIG = """\
baseURL = "/"
languageCode = "en"
title = "Benchmark"
disableKinds = ["RSS"]
[taxonomies]
  tag = "tags"
[markup.goldmark.renderer]
  unsafe = false
"""

LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><header><a href="{{ site.BaseURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "_default/single.html": """{{ define "main" }}<article data-pagefind-body>
<h1>{{ .Title }}</h1><p><time>{{ .Date.Format "2006-01-02" }}</time></p>
{{ with .Params.tags }}<ul>{{ range . }}<li><a href="{{ "tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul>{{ end }}
{{ .TableOfContents }}
{{ .Content }}
</article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary | plainify | truncate 200 }}</li>{{ end }}
</ul>{{ end }}
""",
}


def write_hugo_site(site: Path, dest: Path) -> int:
    """Write ``dest`` from the counterpoint corpus in ``site``; return the number of essays."""
    (dest / "content" / "essays").mkdir(parents=True, exist_ok=True)
    (dest / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for rel, text in LAYOUTS.items():
        path = dest / "layouts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    count = 0
    for essay in sorted((site / "content" / "essays").iterdir()):
        index = essay / "index.md"
        if not index.is_file():
            continue
        _, front, body = index.read_text(encoding="utf-8").split("---\n", 2)
        kept = [line for line in front.splitlines() if line.split(":", 1)[0] in ("title", "date", "summary", "tags")]
        (dest / "content" / "essays" / f"{essay.name}.md").write_text(
            "---\n" + "\n".join(kept) + "\n---\n" + body, encoding="utf-8"
        )
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("dest", type=Path)
    args = ap.parse_args(argv)
    print(f"wrote {write_hugo_site(args.site, args.dest)} essays to {args.dest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
