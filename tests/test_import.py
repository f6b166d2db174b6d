"""``counterpoint import DIR`` on a Hugo and a Jekyll blog in their own formats
(tests/fixtures/blogs): front matter mapped, bundles and static files copied,
shortcodes and Liquid tags converted or reported at file:line, a summary table;
then the round trip: the imported site builds, its internal links resolve, old
addresses redirect, and its formulas are MathML the Nu checker accepts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from sitefactory import make_site, parse_html
from test_html_validity import vnu

BLOGS = Path(__file__).parent / "fixtures" / "blogs"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "counterpoint", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def front(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.load(head, Loader=yaml.BaseLoader), body


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", {})


def test_hugo_blog(site: Path):
    result = run("import", str(BLOGS / "hugo"), "--site", str(site))
    assert result.returncode == 0, result.stderr
    essays = site / "content" / "essays"
    meta, body = front(essays / "first-post.md")
    assert meta == {
        "title": "Why the sea rises twice a day",
        "date": "2023-03-05T10:30:00+02:00",
        "summary": "The Moon, the Sun and a rotating Earth.",
        "tags": ["Physics", "tides", "moon"],
        "draft": "false",
        "updated": "2023-04-01T09:00:00+02:00",
        "toc": "true",
        "aliases": ["/posts/first-post/"],
        "extra": {"weight": "10", "series": ["Oceans"], "cover": {"image": "/img/logo.png", "alt": "The blog's logo"}},
    }
    assert "```python\ndef tidal(m, r):" in body and "{{<" not in body.split("```go")[0].replace(
        "{{< youtube w7Ft2ymGmfc >}}", ""
    )
    assert '![A logo](/img/logo.png "Not a diagram")' in body
    assert "[second post](../second-post/)" in body and "[its last section](../second-post/#spring-tides)" in body
    assert "// a shortcode inside code is an example, not a shortcode: {{< youtube x >}}" in body  # code is left alone
    meta, _ = front(essays / "second-post.md")
    assert meta["aliases"] == ["/posts/second-post/", "/2023/03/sun-tides/"] and meta["author"] == "Vera Lind"
    assert meta["extra"] == {"images": ["/img/logo.png"]}
    # a page bundle: its own slug, its resources beside it
    bundle = essays / "tide-chart"
    meta, body = front(bundle / "index.md")
    assert meta["aliases"] == ["/posts/tide-chart/"] and meta["extra"] == {"params": {"mood": "calm"}}
    assert (bundle / "chart.png").read_bytes() == (BLOGS / "hugo/content/posts/bundle-post/chart.png").read_bytes()
    assert (bundle / "data" / "heights.csv").is_file()
    assert (site / "content" / "img" / "logo.png").is_file()  # static/ keeps its addresses
    assert not (essays / "_index.md").exists() and not (essays / "about.md").exists()
    # reported at file:line, as counterpoint reports its own problems
    assert (
        "content/posts/first-post.md:33:1: warning: Hugo shortcode {{< youtube >}} has no counterpart in counterpoint: kept as text"
        in result.stderr
    )
    assert "content/posts/bundle-post/index.md:18:1: warning: Hugo shortcode {{% notice %}}" in result.stderr
    assert "content/posts/bundle-post/index.md:20:1: warning: Hugo shortcode {{% /notice %}}" in result.stderr
    assert "content/about.md: warning: a page, not a post: not imported" in result.stderr
    table = result.stdout.splitlines()
    assert table[0].split() == ["post", "essay", "files", "converted", "kept"]
    assert table[2].split() == [
        "content/posts/bundle-post/index.md",
        "content/essays/tide-chart/index.md",
        "2",
        "1",
        "2",
    ]
    assert table[3].split() == ["content/posts/first-post.md", "content/essays/first-post.md", "0", "5", "1"]
    assert table[-1] == "Hugo: 3 of 3 post(s) imported, 1 static file(s) copied, 4 warning(s)"


def test_jekyll_blog(site: Path):
    result = run("import", str(BLOGS / "jekyll" / "_posts"), "--site", str(site))
    assert result.returncode == 0, result.stderr
    essays = site / "content" / "essays"
    meta, body = front(essays / "welcome-to-jekyll.md")
    assert meta == {
        "title": "Welcome to Jekyll!",
        "date": "2024-01-15 10:30:00 +0300",
        "tags": ["jekyll", "update"],
        "aliases": ["/jekyll/update/2024/01/15/welcome-to-jekyll.html"],
    }
    assert "```ruby\ndef print_hi(name)" in body and "{% highlight" not in body and "{% endhighlight" not in body
    assert "[about Liquid and math](../liquid-and-math/)" in body
    meta, body = front(essays / "liquid-and-math.md")
    assert meta["summary"] == "What comes across from a Jekyll post." and meta["updated"] == "2024-02-03"
    assert meta["aliases"] == ["/2024/02/01/liquid-and-math.html", "/old/liquid/"]
    assert meta["extra"] == {"header": {"teaser": "/assets/diagram.png"}}
    assert "![diagram](/assets/diagram.png)" in body and "![the same](/assets/diagram.png)" in body
    assert "Liquid in a raw block stays as written: {{ page.title }}" in body and "{% raw %}" not in body
    assert "[the first post](../welcome-to-jekyll/)" in body
    meta, _ = front(essays / "draft-idea.md")
    assert meta["draft"] == "true" and meta["date"] == "2024-03-01"
    assert (site / "content" / "assets" / "diagram.png").is_file()
    assert (
        "_posts/2024-02-01-liquid-and-math.md:17:1: warning: Liquid tag {% include %} has no counterpart"
        in result.stderr
    )
    assert (
        "_posts/2024-02-01-liquid-and-math.md:29:1: warning: Liquid output {{ page.title }} is kept as text"
        in result.stderr
    )
    assert result.stdout.splitlines()[-1] == "Jekyll: 3 of 3 post(s) imported, 1 static file(s) copied, 2 warning(s)"


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, Path]:
    """Both blogs imported into one new site (made by init) and built with the command line."""
    work = tmp_path_factory.mktemp("import")
    assert run("init", str(work / "site")).returncode == 0
    site = work / "site"
    for blog in (BLOGS / "hugo", BLOGS / "jekyll"):
        result = run("import", str(blog), "--site", str(site), "-q")
        assert result.returncode == 0 and result.stdout == "", result.stderr
    built = run("build", str(site), "--no-search")
    assert built.returncode == 0, built.stderr
    return site, site / "public"


def _targets(out: Path, page: Path) -> list[tuple[str, str]]:
    """(link as written, site path it points at) of every internal href and src."""
    url = "/" + page.relative_to(out).as_posix().removesuffix("index.html")
    found = []
    for element in parse_html(page.read_text(encoding="utf-8")).iter():
        for name in ("href", "src"):
            value = element.get(name)
            if not value or urlsplit(value).scheme or value.startswith("//"):
                continue
            found.append((value, urljoin(url, value)))
    return found


def test_round_trip_builds_and_links_resolve(imported):
    _, out = imported
    checked = 0
    for page in sorted((out / "essays").rglob("index.html")):
        for written, target in _targets(out, page):
            path, _, fragment = target.partition("#")
            file = out / unquote(path).lstrip("/")
            if file.is_dir() or path.endswith("/"):
                file = file / "index.html"
            assert file.is_file(), f"{page.relative_to(out)}: {written} -> {target} is missing"
            if fragment and file.suffix == ".html":
                ids = {e.get("id") for e in parse_html(file.read_text(encoding="utf-8")).iter()}
                assert unquote(fragment) in ids, f"{page.relative_to(out)}: {written}: no id {fragment}"
            checked += 1
    assert checked > 50
    assert (out / "essays" / "tide-chart" / "chart.png").is_file() and (out / "img" / "logo.png").is_file()


def test_round_trip_old_addresses_redirect(imported):
    _, out = imported
    for old, new in [
        ("posts/first-post/index.html", "/essays/first-post/"),
        ("2023/03/sun-tides/index.html", "/essays/second-post/"),
        ("jekyll/update/2024/01/15/welcome-to-jekyll.html", "/essays/welcome-to-jekyll/"),
        ("old/liquid/index.html", "/essays/liquid-and-math/"),
    ]:
        tree = parse_html((out / old).read_text(encoding="utf-8"))
        assert tree.find("link", rel="canonical").get("href") == new
    redirects = (out / "_redirects").read_text().splitlines()
    assert "/posts/first-post/ /essays/first-post/ 301" in redirects
    assert not (out / "essays" / "draft-idea").exists()  # published: false stays out


def test_round_trip_math_is_valid_mathml(imported):
    _, out = imported
    pages = [out / "essays" / "first-post" / "index.html", out / "essays" / "liquid-and-math" / "index.html"]
    for page in pages:
        maths = parse_html(page.read_text(encoding="utf-8")).find_all("math")
        assert len(maths) >= 2 and "$" not in "".join(m.text() for m in maths)
    assert vnu(pages) == []


def test_a_broken_post_writes_nothing(tmp_path, site: Path):
    blog = tmp_path / "blog"
    shutil.copytree(BLOGS / "jekyll", blog)
    (blog / "_posts" / "2024-04-01-broken.md").write_text("---\ntitle: [unclosed\n---\nText.\n")
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    result = run("import", str(blog), "--site", str(site))
    assert result.returncode == 1
    assert "_posts/2024-04-01-broken.md:3:1: error: invalid YAML in front matter" in result.stderr
    assert "1 error(s); nothing was written" in result.stdout
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


def test_posts_that_would_not_build_are_errors_and_nothing_is_written(tmp_path, site: Path):
    """The importer says what ``check`` would say of each essay it writes, before it
    writes any: a date that does not exist, no date at all, an address that leaves
    the site."""
    blog = tmp_path / "blog"
    shutil.copytree(BLOGS / "jekyll", blog)
    (blog / "_posts" / "2023-02-30-bad.md").write_text("---\ntitle: Bad\n---\nText.\n")
    (blog / "_posts" / "2023-03-01-fmdate.md").write_text("---\ntitle: T\ndate: not a date\n---\nText.\n")
    (blog / "_posts" / "nodate.md").write_text("---\ntitle: No date\n---\nText.\n")
    (blog / "_posts" / "2023-03-05-perm.md").write_text("---\ntitle: P\npermalink: /../../etc/x/\n---\nText.\n")
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    result = run("import", str(blog), "--site", str(site))
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 4, result.stderr
    for name in ("2023-02-30-bad.md", "2023-03-01-fmdate.md", "nodate.md", "2023-03-05-perm.md"):
        assert any(line.startswith(f"_posts/{name}:") for line in errors), (name, errors)
    assert "4 error(s); nothing was written" in result.stdout
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


def test_a_counterpoint_site_is_not_a_blog_to_import(site: Path):
    (site / "content" / "essays").mkdir(parents=True)
    (site / "content" / "essays" / "a.md").write_text("---\ntitle: A\ndate: 2026-01-01\n---\nText.\n")
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    for source in (site, site / "content"):
        result = run("import", str(source), "--site", str(site))
        assert result.returncode == 2 and "is a counterpoint site" in result.stderr, result.stderr
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    # a blog copied into a folder of the site is imported as any other
    shutil.copytree(BLOGS / "jekyll", site / "old-blog")
    result = run("import", "old-blog", "--site", ".", cwd=site)
    assert result.returncode == 0 and "Jekyll: 3 of 3 post(s) imported" in result.stdout, result.stderr


def test_existing_essays_are_never_overwritten_and_dry_run_writes_nothing(site: Path):
    mine = site / "content" / "essays" / "2020-01-01-first-post.md"  # the essay first-post
    mine.parent.mkdir(parents=True)
    mine.write_text("---\ntitle: Mine\ndate: 2026-01-01\n---\nMine.\n")
    dry = run("import", str(BLOGS / "hugo"), "--site", str(site), "--dry-run")
    assert dry.returncode == 0 and sorted(p.name for p in (site / "content" / "essays").iterdir()) == [mine.name]
    assert not (site / "content" / "img").exists()
    result = run("import", str(BLOGS / "hugo"), "--site", str(site))
    assert result.returncode == 0
    assert mine.read_text().startswith("---\ntitle: Mine")
    assert (
        "content/posts/first-post.md: warning: not imported: the site has an essay 'first-post' already"
        in result.stderr
    )
    assert "Hugo: 2 of 3 post(s) imported" in result.stdout


def test_a_folder_that_is_no_blog_is_a_usage_error(tmp_path, site: Path):
    (tmp_path / "empty").mkdir()
    result = run("import", str(tmp_path / "empty"), "--site", str(site))
    assert result.returncode == 2 and "neither a Hugo content/ folder nor a Jekyll _posts/ folder" in result.stderr
    result = run("import", str(BLOGS / "hugo"), "--site", str(tmp_path / "nosite"))
    assert result.returncode == 2 and "no site.yml" in result.stderr


def test_import_blog_is_the_same_command(site: Path):
    result = run("import", "blog", str(BLOGS / "jekyll"), "--site", str(site), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("Jekyll: 3 of 3 post(s) imported")
    assert not (site / "content" / "essays").exists()
