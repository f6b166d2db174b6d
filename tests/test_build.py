"""The build: content discovery, Markdown, themes, URLs and the command line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sitefactory import critique, essay, make_site, plain_page

from counterpoint import __version__
from counterpoint.build.engine import Engine

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "counterpoint", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def _build(root: Path, **kwargs) -> Path:
    engine = Engine(root, search=False, **kwargs)
    report = engine.build()
    assert report.ok, report.errors
    return engine.config.output


def test_bundles_single_files_pages_assets_and_drafts(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "content/essays/tides/index.md": essay("Tides", "![A chart](chart.svg)\n\nText."),
            "content/essays/tides/chart.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
            "content/essays/tides/critiques/r.md": critique("ana", "Fine."),
            "content/essays/Заметка о сносках.md": essay("Заметка", "Текст."),
            "content/essays/secret.md": essay("Secret", "Unfinished.", draft=True),
            "content/about.md": plain_page("About", "Who writes here."),
        },
    )
    out = _build(root)
    assert (out / "index.html").is_file()
    assert (out / "essays/tides/index.html").is_file()
    assert (out / "essays/tides/chart.svg").read_bytes().startswith(b"<svg")
    assert (out / "essays/zametka-o-snoskakh/index.html").is_file()  # Cyrillic file name -> ASCII slug
    assert "Who writes here." in (out / "about/index.html").read_text()
    assert '<a href="/about/">About</a>' in (out / "essays/tides/index.html").read_text()  # plain pages are linked
    assert not (out / "essays/secret").exists()
    assert "Secret" not in (out / "index.html").read_text()
    assert not list(out.rglob("critiques"))  # critiques are rendered into the page, never copied

    with_drafts = _build(root, drafts=True, out=tmp_path / "drafts")
    assert (with_drafts / "essays/secret/index.html").is_file()


def test_markdown_features(tmp_path: Path) -> None:
    body = """
    ## Ось первая

    ## Second {#custom-id}

    | a | b |
    |---|---|
    | 1 | 2 |

    ~~gone~~ and a note[^1].

    [^1]: The note.

    ```python
    def f(x):
        return x
    ```

    ![alt text](pic.png)
    """
    root = make_site(tmp_path / "site", {"content/essays/md/index.md": essay("Markdown", body)})
    html = (_build(root) / "essays/md/index.html").read_text()
    assert 'id="os-pervaia"' in html  # generated and transliterated
    assert 'id="custom-id"' in html and "{#custom-id}" not in html
    assert "<table>" in html and "<td>1</td>" in html
    assert "<s>gone</s>" in html
    assert 'class="footnote-ref"' in html and "The note." in html
    assert '<pre class="highlight" data-lang="python"><code><span class="k">def</span>' in html
    code = html[html.index('<pre class="highlight"') : html.index("</pre>")]
    assert "style=" not in code  # Pygments classes, no inline styles
    assert '<img src="pic.png" alt="alt text"' in html


def test_reading_time_counts_words(tmp_path: Path) -> None:
    long_text = " ".join(["word"] * 1200)  # 6 minutes at 200 words a minute
    root = make_site(tmp_path / "site", {"content/essays/long/index.md": essay("Long", long_text)})
    html = (_build(root) / "essays/long/index.html").read_text()
    assert "6 min read" in html


def test_site_template_overrides_one_template(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "content/essays/a/index.md": essay("An essay", "Text."),
            "templates/404.html": "<!doctype html><title>gone</title><p>Custom not found page</p>",
        },
    )
    out = _build(root)
    assert "Custom not found page" in (out / "404.html").read_text()
    assert 'class="essay"' in (out / "essays/a/index.html").read_text()  # the rest is the default theme


def test_theme_key_selects_a_site_theme_folder(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "content/essays/a/index.md": essay("An essay", "Text."),
            "themes/plain/templates/404.html": "<!doctype html><title>x</title><p>Plain theme 404</p>",
            "themes/plain/static/counterpoint.css": "body { color: teal }",
        },
        config={"theme": "plain"},
    )
    out = _build(root)
    assert "Plain theme 404" in (out / "404.html").read_text()
    assert (out / "static/counterpoint.css").read_text() == "body { color: teal }"
    assert (out / "static/counterpoint.js").is_file()  # what the theme does not have comes from default


@pytest.mark.parametrize("name", ["pygments.css", "Pygments.css"])
def test_a_theme_file_where_the_build_writes_the_code_colours_is_an_error(tmp_path: Path, name: str) -> None:
    """The build writes static/pygments.css itself: a theme's own file there was replaced by
    it on a full build and won on the next partial one, the page's code colours flipping."""
    root = make_site(
        tmp_path / "site",
        {
            "content/essays/a/index.md": essay("An essay", "```python\nx = 1\n```\n"),
            f"themes/plain/static/{name}": "/* the theme's code colours */",
        },
        config={"theme": "plain"},
    )
    report = Engine(root, search=False).build()
    assert not report.ok
    assert report.errors[0].startswith(
        f"themes/plain/static/{name}:1:1: error: this file would be published as 'static/{name}'"
    ), report.errors
    assert "the code colours" in report.errors[0] and "hint: rename" in report.errors[0], report.errors
    assert not (root / "public" / "index.html").exists()


def test_unknown_theme_is_an_error(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {"content/essays/a/index.md": essay()}, config={"theme": "nope"})
    report = Engine(root, search=False).build()
    assert not report.ok
    assert "theme 'nope' not found" in report.errors[0]


def test_sub_path_base_url_prefixes_every_internal_link(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "content/essays/a/index.md": essay("An essay", "[A claim.]{.claim #c}", tags=["x"]),
            "content/essays/a/critiques/r.md": critique("ana", "::: on #c\nNo.\n:::"),
        },
        config={"base_url": "https://example.org/sub/path/"},
    )
    out = _build(root)
    for page in out.rglob("*.html"):
        for url in re.findall(r'(?:href|src)="(/[^"]*)"', page.read_text()):
            assert url.startswith("/sub/path/"), (page, url)


def test_cli_version_and_module_entry_point() -> None:
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"counterpoint {__version__}"


def test_cli_exit_codes(tmp_path: Path) -> None:
    good = make_site(tmp_path / "good", {"content/essays/a/index.md": essay()})
    assert _run("build", str(good), "--no-search").returncode == 0
    bad = make_site(
        tmp_path / "bad",
        {
            "content/essays/a/index.md": essay("A", "No date.", date=None),
            "content/essays/b/index.md": essay("B", "[x]{.claim #c}"),
            "content/essays/b/critiques/r.md": critique("ana", "::: on #nope\nNo.\n:::"),
        },
    )
    result = _run("build", str(bad), "--no-search")
    assert result.returncode == 1
    assert "content/essays/a/index.md:1:1: error: essay front matter is missing 'date'" in result.stderr
    assert (
        "content/essays/b/critiques/r.md:5:8: error: remark targets unknown claim 'nope'" in result.stderr
    )  # every error listed
    assert "Traceback" not in result.stderr
    assert not (bad / "public").exists()
    assert _run("build", str(tmp_path / "nowhere")).returncode == 2
    assert _run("frobnicate").returncode == 2


def test_site_copied_outside_the_repository_builds_with_the_packaged_theme(tmp_path: Path) -> None:
    site = tmp_path / "copy"
    site.mkdir()
    shutil.copy(REPO / "site.yml", site / "site.yml")
    shutil.copytree(REPO / "content", site / "content")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-m", "counterpoint", "build", str(site), "--no-search"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = site / "public"
    assert (out / "index.html").is_file()
    published = [p.name for p in (REPO / "content/essays").iterdir() if (p / "index.md").is_file()]
    for slug in published:
        assert (out / "essays" / slug / "index.html").is_file()
    assert (out / "static/counterpoint.css").stat().st_size > 1000


@pytest.mark.parametrize("args", [("build", "--out"), ("serve", "--port", "notaport")])
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    assert _run(*args).returncode == 2


def test_slugs_do_not_depend_on_which_transliteration_package_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-slugify's "auto" backend prefers Unidecode when it is importable; its
    tables differ from text-unidecode's, so addresses would change with the machine."""
    import sys
    import types

    from counterpoint.markup import slugs

    impostor = types.ModuleType("unidecode")
    impostor.unidecode = lambda text: "impostor"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "unidecode", impostor)
    assert slugs.slug.__wrapped__("Заметка о сносках") == "zametka-o-snoskakh"
    assert slugs.slug.__wrapped__("Ёлка и щука") == "elka-i-shchuka"


@pytest.mark.parametrize("above", [0, 10_000])
def test_cards_are_kept_compressed_only_on_a_big_site_and_pages_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, above: int
) -> None:
    """Each essay's card and corrections entries are kept zlib-compressed only past
    ``COMPACT_ABOVE`` essays, where they weigh tens of MB; below it compressing them cost
    2 % of a build's CPU for nothing.  Either way every page is the same bytes."""
    from parallel_twin import snapshot

    import counterpoint.build.pipeline as pipeline
    import counterpoint.site.site_pages as site_pages

    files = {
        f"content/essays/e{n}/index.md": essay(
            f"E{n}", f"[A claim.]{{.claim #a}}\n\n::: upd 2026-01-2{n} corrects=#a\nFixed.\n:::\n", tags=["t"]
        )
        for n in range(3)
    }
    first = Engine(make_site(tmp_path / "ref", files), use_cache=False, search=False, jobs=1)
    first.build()
    reference = snapshot(first.config.output)
    made: list[int] = []
    real = site_pages.compact

    def counted(html: str) -> bytes:
        made.append(1)
        return real(html)

    monkeypatch.setattr(pipeline, "compact", counted)
    monkeypatch.setattr(site_pages, "COMPACT_ABOVE", above)
    root = make_site(tmp_path / "site", files)
    engine = Engine(root, use_cache=False, search=False, jobs=1)
    engine.build()
    assert bool(made) == (above == 0)  # 3 essays: compressed only when the bound is below that
    assert snapshot(engine.config.output) == reference
