"""``counterpoint init`` and ``counterpoint new``: a working site, essays and critiques.

The sample site is package data (``counterpoint/scaffold/``), with ``{{today}}``,
``{{title}}`` and ``{{author}}`` filled in.  Nothing existing is ever
overwritten: a file in the way is a ``UsageError`` naming it, and nothing is
written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from counterpoint import __version__
from counterpoint.errors import UsageError
from counterpoint.markup.slugs import slug, slug_problem
from counterpoint.source.config import load_config
from counterpoint.source.frontmatter import did_you_mean

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

DEFAULT_AUTHOR = "Your Name"
_OPTIONAL = {".gitignore"}  # written only when absent: an existing one is the user's
_RENAMES = {"gitignore": ".gitignore"}  # dotfiles are stored without the dot
_CLAIM_ID = re.compile(r"\{[^}\n]*?#([A-Za-z][\w:-]*)[^}\n]*\}")


def yaml_str(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _sample_files() -> dict[str, str]:
    """Relative path -> text of the sample site."""
    files: dict[str, str] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name.startswith((".", "__")):
                continue
            rel = prefix + _RENAMES.get(child.name, child.name)
            if child.is_dir():
                walk(child, rel + "/")
            else:
                files[rel] = child.read_text("utf-8")

    walk(resources.files("counterpoint").joinpath("scaffold"), "")
    return files


def _create(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
        handle.write(text)


def _site_title(folder: Path) -> str:
    words = re.sub(r"[-_.]+", " ", folder.name).strip()
    return words[:1].upper() + words[1:] if words else "My essays"


def init_site(
    directory: Path, *, title: str | None = None, author: str | None = None, today: dt.date | None = None
) -> Path:
    """Create a new site in ``directory`` (made if missing): site.yml, content/ and a
    sample essay with a critique and a UPD, ready for ``build``, ``check`` and ``serve``."""
    folder = Path(directory).absolute()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder: choose a folder for the new site")
    values = {
        "{{today}}": (today or dt.date.today()).isoformat(),
        "{{title}}": yaml_str(title or _site_title(folder)),
        "{{author}}": author or DEFAULT_AUTHOR,
    }
    files = _sample_files()
    in_the_way = [rel for rel in files if rel not in _OPTIONAL and (folder / rel).exists()]
    if in_the_way:
        raise UsageError(
            f"{folder} already has " + ", ".join(in_the_way) + "; nothing was written. "
            "Run 'counterpoint init' with a new or empty folder"
        )
    made: list[Path] = []
    try:
        for rel, text in files.items():
            if rel in _OPTIONAL and (folder / rel).exists():
                continue
            for key, value in values.items():
                # the author's name stands unquoted in replies; YAML needs it quoted
                text = text.replace(key, yaml_str(value) if key == "{{author}}" and rel.endswith(".yml") else value)
            _create(folder / rel, text)
            made.append(folder / rel)
    except OSError as exc:
        for path in made:  # no half of a site: what was written goes again
            path.unlink(missing_ok=True)
        raise UsageError(
            f"cannot create the site in {folder}: {exc.strerror or exc}; choose a folder you can write to"
        ) from None
    return folder


WORKFLOW = ".github/workflows/pages.yml"
GITHUB_PAGES = """\
# Builds the site with counterpoint and publishes it on GitHub Pages at every push to main.
# In the repository: Settings -> Pages -> Source: GitHub Actions.
name: Publish the site

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # the whole history: when each critique, reply and UPD was first published
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "counterpoint=={{version}}"
      # The last build's cache and output: unchanged essays are not rendered again
      # (the cache trusts a page only while the output still holds it).
      - uses: actions/cache@v4
        with:
          path: |
            .counterpoint
            public
          key: counterpoint-${{ runner.os }}-${{ github.sha }}
          restore-keys: counterpoint-${{ runner.os }}-
      - id: pages
        uses: actions/configure-pages@v5
      - run: counterpoint build --out public --base-url "${{ steps.pages.outputs.base_url }}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: public

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def github_pages_workflow() -> str:
    """The Actions workflow that ``init --github-pages`` writes, for this version."""
    return GITHUB_PAGES.replace("{{version}}", __version__)


def add_github_pages(directory: Path) -> Path:
    """Write the GitHub Pages workflow into a site; an existing one is never replaced."""
    path = Path(directory).absolute() / WORKFLOW
    if path.exists():
        raise UsageError(f"{path} already exists; nothing was written. Remove it first to get a new one")
    _create(path, github_pages_workflow())
    return path


def _today(site_dir: Path) -> tuple[Path, dt.date]:
    config = load_config(Path(site_dir))  # UsageError when there is no site.yml
    return config.root, dt.datetime.now(ZoneInfo(config.timezone)).date()


def new_essay(site_dir: Path, title: str, *, today: dt.date | None = None) -> Path:
    """``content/essays/<slug>/index.md`` with front matter; the slug is the
    transliterated title ("Заголовок" -> ``zagolovok``)."""
    root, date = _today(site_dir)
    date = today or date
    title = " ".join(title.split())
    if not title:
        raise UsageError('the essay needs a title: counterpoint new essay "Title"')
    name = slug(title)
    if not name:
        raise UsageError(f"cannot make a URL slug from the title {title!r}: use a title with letters or digits")
    problem = slug_problem(name)
    if problem:
        raise UsageError(f"{problem}; choose another title (you can change the title later and keep the folder)")
    essays = root / "content" / "essays"
    for taken in (essays / name, essays / f"{name}.md"):
        if taken.exists():
            raise UsageError(
                f"{taken.relative_to(root).as_posix()} already exists; nothing was written. "
                "Choose another title, or edit the existing essay"
            )
    path = essays / name / "index.md"
    _create(
        path,
        "---\n"
        f"title: {yaml_str(title)}\n"
        f"date: {date.isoformat()}\n"
        'summary: ""\n'
        "tags: []\n"
        "# difficulty: easy        # easy | medium | hard\n"
        "# draft: true             # leave it out of `build` until it is ready\n"
        "---\n"
        "\n"
        "<!-- Mark what readers can point at: [a sentence]{.claim #an-id}, or a line {.claim #an-id}\n"
        "     before a paragraph. Add critiques with: counterpoint new critique " + name + " --author NAME -->\n"
        "\n"
        "Write the essay here.\n",
    )
    return path


def _bundles(root: Path) -> dict[str, Path]:
    """Essay slug -> bundle folder, by folder name and by a ``slug:`` in front matter."""
    from counterpoint.source.frontmatter import parse_document  # lazily: YAML, only for new critique

    essays = root / "content" / "essays"
    found: dict[str, Path] = {}
    if not essays.is_dir():
        return found
    for folder in sorted(p for p in essays.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        index = folder / "index.md"
        if not index.is_file():
            continue
        found.setdefault(folder.name, folder)
        found.setdefault(slug(folder.name) or folder.name, folder)
        try:
            meta = parse_document(index.read_bytes(), index, root).meta
        except Exception:  # noqa: BLE001 - a broken essay is reported by build/check, not here
            continue
        if isinstance(meta.get("slug"), str) and meta["slug"].strip():
            found.setdefault(meta["slug"].strip(), folder)
    return found


def critique_path(site_dir: Path, essay_slug: str, author: str) -> tuple[Path, Path, dt.date]:
    """(site root, a new critique file named after ``author``, today): ``-2``… when the
    author has one already; UsageError for an unknown essay."""
    root, date = _today(site_dir)
    bundles = _bundles(root)
    folder = bundles.get(essay_slug)
    if folder is None:
        single = root / "content" / "essays" / f"{essay_slug}.md"
        if single.is_file():
            raise UsageError(
                f"essay '{essay_slug}' is a single file; critiques live in an essay bundle: "
                f"move content/essays/{essay_slug}.md to content/essays/{essay_slug}/index.md"
            )
        known = sorted({p.name for p in bundles.values()})
        hint = did_you_mean(essay_slug, known)
        raise UsageError(
            f"unknown essay '{essay_slug}'"
            + (f"; {hint}" if hint else "")
            + ("; known essays: " + ", ".join(known) if known else "; the site has no essay bundles yet")
        )
    base = slug(author) or "critique"
    critiques = folder / "critiques"
    path = critiques / f"{base}.md"
    number = 2
    while path.exists():
        path = critiques / f"{base}-{number}.md"
        number += 1
    return root, path, date


def new_critique(site_dir: Path, essay_slug: str, author: str, *, today: dt.date | None = None) -> Path:
    """``content/essays/<slug>/critiques/<author>.md`` (``-2``… when the author has one)."""
    author = " ".join(author.split())
    if not author:
        raise UsageError("the critique needs an author: --author NAME")
    _root, path, date = critique_path(site_dir, essay_slug, author)
    date = today or date
    folder = path.parent.parent
    try:
        text = re.sub(r"<!--.*?-->", "", (folder / "index.md").read_text("utf-8", errors="replace"), flags=re.S)
        claims = sorted(dict.fromkeys(_CLAIM_ID.findall(text)))
    except OSError:
        claims = []
    where = "ids in this essay: " + ", ".join(claims) if claims else "ids: a claim's or a heading's {#id}"
    _create(
        path,
        "---\n"
        f"author: {yaml_str(author)}\n"
        f"date: {date.isoformat()}\n"
        "stance: notes            # refutes | disputes | supports | questions | notes\n"
        "# pinned: true           # pinned critiques are listed first\n"
        "# source: https://...    # where it was first posted\n"
        "#\n"
        "# Remarks go in the text below, anchored to a claim or to an exact quote:\n"
        "#   ::: on #ID           (" + where + ")\n"
        '#   ::: on "a passage of the essay"\n'
        "#   The remark.\n"
        "#   :::\n"
        "---\n"
        "The critique's general text.\n",
    )
    return path
