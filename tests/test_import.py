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
from sitefactory import make_site, parse_html, write_files
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
    assert "_posts/2024-04-01-broken.md:2:8: error: invalid YAML in front matter" in result.stderr
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
    assert len(errors) == 3, result.stderr
    for name in ("2023-02-30-bad.md", "2023-03-01-fmdate.md", "2023-03-05-perm.md"):
        assert any(line.startswith(f"_posts/{name}:") for line in errors), (name, errors)
    assert "3 error(s); nothing was written" in result.stdout
    # a file of _posts/ without a date in its name is no post for Jekyll: left out, with a warning
    assert "_posts/nodate.md: warning: no date in its name" in result.stderr
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    # a Hugo post can have no date at all
    hugo = write_files(
        tmp_path / "hugo", {"hugo.toml": "", "content/posts/nodate.md": "---\ntitle: No date\n---\nText.\n"}
    )
    result = run("import", str(hugo), "--site", str(site))
    assert result.returncode == 1
    assert "content/posts/nodate.md: error: essay front matter is missing 'date'" in result.stderr
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


# --------------------------------------------------------------------------- what real blogs hold
# Each case below is a defect found by importing real blogs (hugo-PaperMod, hugoDocs, Jekyll's
# docs, minima, poole), reduced to a few files: "N of N imported" and then ``check`` failing,
# posts lost without a word, Liquid and shortcodes Hugo and Jekyll read otherwise.

HUGO = "hugo.toml"


def post(title: str, *lines: str, body: str = "Text.\n", date: str = "2024-01-01") -> str:
    head = [f"title: {title}"] + ([f"date: {date}"] if date else []) + list(lines)
    return "---\n" + "\n".join(head) + "\n---\n" + body


def import_and_check(blog: Path, site: Path) -> subprocess.CompletedProcess:
    """Import ``blog`` into ``site``, then assert ``check`` finds nothing wrong."""
    result = run("import", str(blog), "--site", str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    checked = run("check", str(site))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return result


def test_aliases_check_would_refuse_are_left_out_with_a_warning(tmp_path, site: Path):
    hugo = write_files(
        tmp_path / "hugo",
        {
            HUGO: "",
            "content/posts/one.md": post("One", "aliases: [/old/]"),
            "content/posts/two.md": post("Two", "aliases: [/old/, /tags/x/, /search/]"),
        },
    )
    result = import_and_check(hugo, site)
    essays = site / "content" / "essays"
    assert front(essays / "one.md")[0]["aliases"] == ["/posts/one/", "/old/"]
    assert front(essays / "two.md")[0]["aliases"] == ["/posts/two/"]
    assert (
        "content/posts/two.md:4:1: warning: alias '/old/' is also an alias of content/posts/one.md: left out here"
        in result.stderr
    )
    assert (
        "content/posts/two.md:4:1: warning: alias '/tags/x/' is inside the site's own /tags/ section" in result.stderr
    )
    assert (
        "content/posts/two.md:4:1: warning: alias '/search/' is inside the site's own /search/ section" in result.stderr
    )
    # Jekyll: a category that names one of the site's own sections makes the old address one of them
    jekyll = write_files(
        tmp_path / "jekyll", {"_posts/2024-01-01-post.md": post("Static sites", "categories: [static]", date="")}
    )
    result = import_and_check(jekyll, site)
    meta, _ = front(essays / "post.md")
    assert meta["tags"] == ["static"] and meta["aliases"] == []
    assert (
        "_posts/2024-01-01-post.md:3:1: warning: alias '/static/2024/01/01/post.html' is inside the site's own "
        "/static/ section" in result.stderr
    )


def test_empty_aliases_are_ignored_and_relative_url_gets_its_slash(tmp_path, site: Path):
    jekyll = write_files(
        tmp_path / "jekyll",
        {
            "_posts/2024-01-01-empty.md": post("Empty", "redirect_from:", date=""),
            "_posts/2024-01-02-none.md": post("None", "aliases: []", "redirect_from: ''", date=""),
            "_posts/2024-01-03-links.md": post(
                "Links",
                date="",
                body="See [about]({{ 'about' | relative_url }}) and ![x]({{ 'img/x.png' | absolute_url }}).\n",
            ),
            "about.md": "---\ntitle: About\n---\nMe.\n",
            "img/x.png": b"PNG",
        },
    )
    result = run("import", str(jekyll), "--site", str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    essays = site / "content" / "essays"
    assert front(essays / "empty.md")[0]["aliases"] == ["/2024/01/01/empty.html"]
    assert front(essays / "none.md")[0]["aliases"] == ["/2024/01/02/none.html"]
    assert "See [about](/about) and ![x](/img/x.png)." in front(essays / "links.md")[1]


def test_static_files_the_build_writes_itself_are_not_copied(tmp_path, site: Path):
    hugo = write_files(
        tmp_path / "hugo",
        {
            HUGO: "",
            "content/posts/a.md": post("A"),
            "static/robots.txt": "User-agent: *\n",
            "static/404.html": "<h1>Not found</h1>\n",
            "static/index.html": "<p>home</p>\n",
            "static/feed.xml": "<feed/>\n",
            "static/sitemap.xml": "<urlset/>\n",
            "static/notes.md": "# notes\n",
            "static/img/ok.png": b"PNG",
        },
    )
    result = import_and_check(hugo, site)
    content = site / "content"
    assert (content / "img" / "ok.png").is_file()
    for name in ("robots.txt", "404.html", "index.html", "feed.xml", "sitemap.xml", "notes.md"):
        assert not (content / name).exists()
        assert f"static/{name}: warning: not copied: " in result.stderr, name
    assert "static/robots.txt: warning: not copied: the build writes robots.txt there" in result.stderr
    assert "static/notes.md: warning: not copied: a Markdown file in content/ is a page of the site" in result.stderr
    assert "1 static file(s) copied, 6 warning(s)" in result.stdout


def test_every_file_in_a_posts_folder_is_imported_or_reported(tmp_path, site: Path):
    jekyll = write_files(
        tmp_path / "jekyll",
        {
            "_posts/2024-01-01-kept.md": post("Kept", date=""),
            "_posts/2024-01-02-mkdn-post.mkdn": post("Mkdn", date=""),
            "_posts/2024-01-03-mkdown-post.mkdown": post("Mkdown", date=""),
            "_posts/2024-01-05-old.html": post("Old", date="", body="<p>Old.</p>\n"),
            "_posts/2024-01-06-older.textile": post("Older", date=""),
            "blog/_posts/2024-01-04-in-blog.md": post("In blog", date=""),
            "_drafts/a-draft.md": post("Draft", date=""),
        },
    )
    result = import_and_check(jekyll, site)
    essays = site / "content" / "essays"
    assert sorted(p.name for p in essays.iterdir()) == ["in-blog.md", "kept.md", "mkdn-post.md", "mkdown-post.md"]
    meta, _ = front(essays / "in-blog.md")
    assert meta["aliases"] == ["/blog/2024/01/04/in-blog.html"] and meta["tags"] == ["blog"]
    assert "_drafts/a-draft.md: warning: a draft: not imported" in result.stderr
    assert "_posts/2024-01-05-old.html: warning: not Markdown: not imported" in result.stderr
    assert "_posts/2024-01-06-older.textile: warning: not Markdown: not imported" in result.stderr
    assert "Jekyll: 4 of 4 post(s) imported" in result.stdout
    hugo = write_files(
        tmp_path / "hugo",
        {
            HUGO: "",
            "content/posts/a.md": post("A"),
            **{
                f"content/posts/b{n}.{ext}": post("B") for n, ext in enumerate(("html", "org", "adoc", "rst", "pandoc"))
            },
        },
    )
    result = run("import", str(hugo), "--site", str(site), "--dry-run")
    for n, ext in enumerate(("html", "org", "adoc", "rst", "pandoc")):
        assert f"content/posts/b{n}.{ext}: warning: not Markdown: not imported" in result.stderr
    assert "Hugo: 1 of 1 post(s) imported" in result.stdout


def test_hugo_translations_and_bundle_resources(tmp_path, site: Path):
    hugo = write_files(
        tmp_path / "hugo",
        {
            HUGO: 'defaultContentLanguage = "en"\n[languages.en]\n[languages.fr]\n',
            "content/posts/trip/index.en.md": post("Trip", body="![map](map.png)\n"),
            "content/posts/trip/index.fr.md": post("Voyage", body="![carte](map.png)\n"),
            "content/posts/trip/map.png": b"PNG",
            "content/posts/hello.md": post("Hello"),
            "content/posts/hello.fr.md": post("Bonjour"),
            "content/posts/walk/index.md": post("Walk"),
            "content/posts/walk/day1.md": post("Day one (a resource, not a page)"),
        },
    )
    result = import_and_check(hugo, site)
    essays = site / "content" / "essays"
    assert sorted(p.name for p in essays.iterdir()) == ["hello.md", "trip", "walk"]
    assert sorted(p.name for p in (essays / "trip").iterdir()) == ["index.md", "map.png"]
    assert front(essays / "trip" / "index.md")[0]["aliases"] == ["/posts/trip/"]
    assert sorted(p.name for p in (essays / "walk").iterdir()) == ["day1.md", "index.md"]
    assert "content/posts/hello.fr.md: warning: a translation (fr): not imported" in result.stderr
    assert "content/posts/trip/index.fr.md: warning: a translation (fr): not imported" in result.stderr
    assert "Hugo: 3 of 3 post(s) imported" in result.stdout


def test_the_same_name_in_two_sections_gets_a_distinct_slug(tmp_path, site: Path):
    hugo = write_files(
        tmp_path / "hugo",
        {
            HUGO: "",
            "content/news/introduction.md": post(
                "News intro", body='See [the docs]({{< ref "docs/introduction" >}}).\n'
            ),
            "content/docs/introduction.md": post(
                "Docs intro", body='See [the news]({{< ref "news/introduction.md" >}}).\n'
            ),
        },
    )
    result = import_and_check(hugo, site)
    essays = site / "content" / "essays"
    assert front(essays / "introduction.md")[0]["title"] == "Docs intro"
    meta, body = front(essays / "news-introduction.md")
    assert meta["title"] == "News intro" and meta["aliases"] == ["/news/introduction/"]
    assert "[the docs](../introduction/)" in body
    assert "[the news](../news-introduction/)" in front(essays / "introduction.md")[1]
    assert (
        "content/news/introduction.md: warning: imported as 'news-introduction': "
        "content/docs/introduction.md is the essay 'introduction'" in result.stderr
    )
    assert "Hugo: 2 of 2 post(s) imported" in result.stdout
    # imported again: each post's essay exists now
    again = run("import", str(hugo), "--site", str(site))
    assert "the site has an essay 'news-introduction' already" in again.stderr
    assert "Hugo: 0 of 2 post(s) imported" in again.stdout


def test_jekyll_front_matter_as_jekyll_reads_it(tmp_path, site: Path):
    jekyll = write_files(
        tmp_path / "jekyll",
        {
            "_posts/2024-01-01-keys.md": "---\ntitle: Keys\ntags: jekyll ruby\ncategory: news\nimage: /assets/cover.png\n---\nText.\n",
            "_posts/2024-01-02-codeblocks-ahoy.md": "---\nlayout: post\n---\nText.\n",
            "_posts/2020-1-5-short-date.md": "---\ntitle: Short\n---\nText.\n",
            "_posts/README.md": "How to write posts here.\n",
            "assets/cover.png": b"PNG",
        },
    )
    result = import_and_check(jekyll, site)
    essays = site / "content" / "essays"
    meta, _ = front(essays / "keys.md")
    assert meta["tags"] == ["jekyll", "ruby", "news"] and meta["image"] == "/assets/cover.png"
    assert meta["aliases"] == ["/news/2024/01/01/keys.html"] and "extra" not in meta
    assert front(essays / "codeblocks-ahoy.md")[0]["title"] == "Codeblocks Ahoy"
    meta, _ = front(essays / "short-date.md")
    assert meta["date"] == "2020-01-05" and meta["aliases"] == ["/2020/01/05/short-date.html"]
    assert (
        "_posts/README.md: warning: no date in its name (YYYY-MM-DD-title.md), so not a post: not imported"
        in result.stderr
    )
    assert "Jekyll: 3 of 3 post(s) imported" in result.stdout
    hugo = write_files(
        tmp_path / "hugo",
        {
            HUGO: "",
            "content/posts/hkeys.md": '+++\ntitle = "K"\ndate = 2024-01-01\ncategories = "Web Development"\n+++\nText.\n',
        },
    )
    import_and_check(hugo, site)
    assert front(essays / "hkeys.md")[0]["tags"] == ["Web Development"]


def test_liquid_raw_and_comments_and_escaped_or_long_shortcodes(tmp_path, site: Path):
    jekyll = write_files(
        tmp_path / "jekyll",
        {
            "_posts/2024-01-01-raw.md": post(
                "Raw",
                date="",
                body="```liquid\n{% raw %}{{ page.title }}{% endraw %}\n```\n\n"
                "{% comment %}\nPrivate note: do not publish.\n{% endcomment %}\nAfter. {% comment %}aside{% endcomment %}\n",
            ),
        },
    )
    result = import_and_check(jekyll, site)
    _, body = front(site / "content" / "essays" / "raw.md")
    assert "```liquid\n{{ page.title }}\n```" in body and "raw %}" not in body
    assert "Private note" not in body and "aside" not in body and "comment %}" not in body and "After." in body
    assert "_posts/2024-01-01-raw.md:8:1: warning: a Liquid comment: left out" in result.stderr
    hugo = write_files(
        tmp_path / "hugo",
        {
            HUGO: "",
            "content/posts/sc.md": post(
                "Shortcodes",
                body='Write `{{</* figure src="x.png" */>}}` to show a figure:\n\n```text\n{{%/* notice */%}}\n```\n\n'
                '{{< figure\n  src="/img/a.png"\n  alt="An A"\n>}}\n\n{{< gallery\n  dir="x"\n>}}\n',
            ),
            "static/img/a.png": b"PNG",
        },
    )
    result = import_and_check(hugo, site)
    _, body = front(site / "content" / "essays" / "sc.md")
    assert 'Write `{{< figure src="x.png" >}}` to show a figure:' in body and "{{% notice %}}" in body
    assert "![An A](/img/a.png)" in body and "/*" not in body
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        "content/posts/sc.md:16:1: warning: Hugo shortcode {{< gallery >}} has no counterpart in counterpoint: kept as text"
    ]


def test_links_import_cannot_resolve_keep_a_target(tmp_path, site: Path):
    jekyll = write_files(
        tmp_path / "jekyll",
        {
            "_posts/2024-01-01-links.md": post(
                "Links",
                date="",
                body="See [about]({% link about.md %}) and [old]({% post_url 2019-01-01-gone %}).\n"
                "And [the history]({% link _docs/history.md %}).\n",
            ),
            "about.md": "---\ntitle: About\n---\nMe.\n",
        },
    )
    result = run("import", str(jekyll), "--site", str(site))
    assert result.returncode == 0, result.stderr
    _, body = front(site / "content" / "essays" / "links.md")
    assert "See [about](/about/) and [old](../gone/).\nAnd [the history](/docs/history/)." in body
    assert "{% post_url %} points at '2019-01-01-gone', which is not among the imported posts" in result.stderr
    checked = run("check", str(site))
    assert "broken link '../gone/'" in checked.stderr and "broken link '/about/'" in checked.stderr


def test_an_error_the_import_finds_is_at_the_line_of_its_key(tmp_path, site: Path):
    jekyll = write_files(
        tmp_path / "jekyll",
        {
            "_posts/2024-01-01-bad.md": "---\ntitle: Bad date\nlayout: post\ntags: [a]\ndate: 2024-01-01 10:00:00 UTC\n---\nText.\n"
        },
    )
    result = run("import", str(jekyll), "--site", str(site))
    assert result.returncode == 1
    assert "_posts/2024-01-01-bad.md:5:1: error: invalid date '2024-01-01 10:00:00 UTC'" in result.stderr


def test_jekyll_permalink_styles_and_placeholders(tmp_path, site: Path):
    # permalink: pretty; the URL's date is the front matter's, its :title keeps the file name's case and "_"
    pretty = write_files(
        tmp_path / "pretty",
        {
            "_config.yml": "permalink: pretty\n",
            "_posts/2024-01-01-Hello_World.md": "---\ntitle: Hello\n---\nText.\n",
            "_posts/2024-01-02-moved.md": post("Moved date", date="2024-02-10 09:00:00"),
            "_posts/2024-01-03-own.md": post("Own", "permalink: /own/:year/:title/", date=""),
        },
    )
    import_and_check(pretty, site)
    essays = site / "content" / "essays"
    assert front(essays / "hello-world.md")[0]["aliases"] == ["/2024/01/01/Hello_World/"]
    assert front(essays / "moved.md")[0]["aliases"] == ["/2024/02/10/moved/"]
    assert front(essays / "own.md")[0]["aliases"] == ["/own/2024/own/"]  # a post's own permalink wins
    # collections.posts.permalink wins over permalink:; categories are lowercased, as Jekyll does
    custom = write_files(
        tmp_path / "custom",
        {
            "_config.yml": "permalink: none\ncollections:\n  posts:\n    permalink: "
            "/:categories/:short_year/:i_month/:i_day/:y_day/:slug:output_ext\n",
            "_posts/2024-03-05-Big_News.md": post("Big", "categories: [News, Web]", date=""),
        },
    )
    import_and_check(custom, site)
    assert front(essays / "big-news.md")[0]["aliases"] == ["/news/web/24/3/5/065/big-news.html"]
    for style, alias in (
        ("ordinal", "/2024/065/Ord.html"),
        ("none", "/Ord.html"),
        ("weekdate", "/2024/W10/Tue/Ord.html"),
    ):
        blog = write_files(
            tmp_path / style, {"_config.yml": f"permalink: {style}\n", "_posts/2024-03-05-Ord.md": post("O", date="")}
        )
        result = run("import", str(blog), "--site", str(site), "--dry-run")
        assert result.returncode == 0, result.stderr
        ordinal = make_site(tmp_path / f"site-{style}", {})
        import_and_check(blog, ordinal)
        assert front(ordinal / "content" / "essays" / "ord.md")[0]["aliases"] == [alias], style


def test_hugo_permalinks_urls_and_relative_aliases(tmp_path, site: Path):
    hugo = write_files(
        tmp_path / "hugo",
        {
            HUGO: '[permalinks]\n  posts = "/:year/:month/:slug/"\n  notes = "/:section/:filename/"\n',
            "content/posts/my_post.md": post("Underscore", "aliases: [old-name, ../up/path, /abs/]"),
            "content/posts/other.md": post("Other", "slug: Own_Slug", date="2024-03-04T10:00:00+02:00"),
            "content/notes/Big Note.md": post("Note"),
            "content/pages/my_page.md": post("Page", "aliases: [old-page, ../../../../top, '..']"),
        },
    )
    result = import_and_check(hugo, site)
    essays = site / "content" / "essays"
    # a relative alias is relative to the page's own address, as Hugo resolves it
    assert front(essays / "my-post.md")[0]["aliases"] == [
        "/2024/01/underscore/",
        "/2024/01/old-name/",
        "/2024/up/path/",
        "/abs/",
    ]
    assert front(essays / "own_slug.md")[0]["aliases"] == ["/2024/03/own_slug/"]
    assert front(essays / "big-note.md")[0]["aliases"] == ["/notes/big-note/"]
    # no permalink for the section: its path, "_" kept
    assert front(essays / "my-page.md")[0]["aliases"] == ["/pages/my_page/", "/pages/old-page/", "/top/"]
    assert "content/pages/my_page.md:4:1: warning: alias '/' is the site's home page: left out" in result.stderr
    # the config in config/_default/, YAML, and permalinks by kind (Hugo 0.112+)
    split = write_files(
        tmp_path / "split",
        {
            "config/_default/hugo.yaml": "title: x\n",
            "config/_default/permalinks.yaml": "page:\n  posts: /blog/:year/:contentbasename/\n",
            "archetypes/default.md": "",
            "content/posts/trip/index.md": post("Trip"),
        },
    )
    other = make_site(tmp_path / "site2", {})
    import_and_check(split, other)
    assert front(other / "content" / "essays" / "trip.md")[0]["aliases"] == ["/blog/2024/trip/"]


def test_hugo_content_never_published_is_not_imported(tmp_path, site: Path):
    hugo = write_files(
        tmp_path / "hugo",
        {
            HUGO: "",
            "content/posts/expired.md": post("Expired", "expiryDate: 2021-01-01", date="2020-01-01"),
            "content/posts/later.md": post("Later", "expiryDate: 2999-01-01"),
            "content/posts/headless.md": post("Headless", "build:", "  render: never"),
            "content/posts/old.md": post("Old build", "_build:", "  render: false"),
            "content/posts/linked.md": post("Linked", "_build: {render: link}"),
            "content/posts/kept.md": post("Kept", "build: {render: always, list: never}"),
            "content/posts/bundle/index.md": post("Bundle", "headless: true"),
            "content/posts/snippets/_index.md": "---\ncascade:\n  build:\n    render: never\n    list: never\n---\n",
            "content/posts/snippets/snip.md": post("Private snippet"),
            "content/posts/snippets/own.md": post("Rendered after all", "build: {render: always}"),
        },
    )
    result = import_and_check(hugo, site)
    essays = site / "content" / "essays"
    assert sorted(p.name for p in essays.iterdir()) == ["expired.md", "kept.md", "later.md", "own.md"]
    meta, _ = front(essays / "expired.md")
    assert meta["draft"] == "true"
    assert "draft" not in front(essays / "later.md")[0]
    assert (
        "content/posts/expired.md: warning: expired on 2021-01-01 (expiryDate): Hugo no longer publishes it, "
        "so it is imported as a draft" in result.stderr
    )
    for name, why in (
        ("headless.md", "build: render: never"),
        ("old.md", "_build: render: false"),
        ("linked.md", "_build: render: link"),
        ("bundle/index.md", "headless: true"),
        ("snippets/snip.md", "build: render: never, cascaded from content/posts/snippets/_index.md"),
    ):
        assert f"content/posts/{name}: warning: Hugo does not publish it ({why}): not imported" in result.stderr, name
    assert "Hugo: 4 of 4 post(s) imported" in result.stdout


def test_a_time_zone_in_the_config_dates_the_posts(tmp_path, site: Path):
    jekyll = write_files(
        tmp_path / "jekyll",
        {
            "_config.yml": "timezone: Asia/Tokyo\n",
            "_posts/2024-01-01-morning.md": post(
                "Morning", "last_modified_at: 2024-07-01 10:30", date="2024-01-01 08:00:00"
            ),
            "_posts/2024-01-02-offset.md": post("Offset", date="2024-01-02T08:00:00+01:00"),
            "_posts/2024-01-03-day.md": post("Day", date=""),
        },
    )
    import_and_check(jekyll, site)
    essays = site / "content" / "essays"
    meta, _ = front(essays / "morning.md")
    assert meta["date"] == "2024-01-01T08:00:00+09:00" and meta["updated"] == "2024-07-01T10:30:00+09:00"
    assert front(essays / "offset.md")[0]["date"] == "2024-01-02T08:00:00+01:00"
    assert front(essays / "day.md")[0]["date"] == "2024-01-03"
    hugo = write_files(
        tmp_path / "hugo",
        {
            HUGO: 'timeZone = "America/New_York"\n',
            "content/posts/summer.md": post("Summer", date="2024-07-01T08:00:00"),
            "content/posts/winter.md": '+++\ntitle = "Winter"\ndate = 2024-01-01T08:00:00\n+++\nText.\n',
        },
    )
    import_and_check(hugo, site)
    assert front(essays / "summer.md")[0]["date"] == "2024-07-01T08:00:00-04:00"
    assert front(essays / "winter.md")[0]["date"] == "2024-01-01T08:00:00-05:00"


def test_a_jekyll_site_in_a_folder_of_a_repository_is_found(tmp_path, site: Path):
    repo = write_files(
        tmp_path / "repo",
        {
            "docs/_config.yml": "title: Docs\n",
            "docs/_posts/2024-01-01-release.md": post("Release", date=""),
            "docs/_docs/usage.md": "---\ntitle: Usage\n---\nHow.\n",
            "README.md": "# The project\n",
        },
    )
    result = import_and_check(repo, site)
    assert "Jekyll: 1 of 1 post(s) imported" in result.stdout
    assert front(site / "content" / "essays" / "release.md")[0]["aliases"] == ["/2024/01/01/release.html"]


def test_kramdown_toc_becomes_toc_and_other_attribute_lists_are_reported(tmp_path, site: Path):
    """kramdown's "* TOC" + "{:toc}" (minimal-mistakes, minima) was shown as a list item
    "TOC {:toc}", and "{: .notice}" as text, without a word."""
    jekyll = write_files(
        tmp_path / "jekyll",
        {
            "_posts/2024-01-01-kram.md": post(
                "Kram",
                body="* TOC\n{:toc}\n\n## First {#first}\n\nA notice.\n{: .notice--info}\n\n## Not in the toc\n{:.no_toc}\n",
            ),
        },
    )
    result = import_and_check(jekyll, site)
    meta, body = front(site / "content" / "essays" / "kram.md")
    assert meta["toc"] == "true"
    assert "TOC" not in body and "{:toc}" not in body and "{:.no_toc}" not in body
    assert "{: .notice--info}" in body  # kept, and said
    assert (
        "_posts/2024-01-01-kram.md:11:1: warning: a kramdown attribute list {: .notice--info}: kept as text"
        in result.stderr
    )


def test_an_image_the_blog_does_not_have_is_left_out_with_a_warning(tmp_path, site: Path):
    """image: naming a file the blog lacks was imported as it was, and check failed."""
    jekyll = write_files(
        tmp_path / "jekyll",
        {
            "_posts/2024-01-01-has.md": post("Has", "image: /assets/cover.png"),
            "_posts/2024-01-02-lacks.md": post("Lacks", "image: /assets/none.png"),
            "_posts/2024-01-03-far.md": post("Far", "image: https://example.org/x.png"),
            "assets/cover.png": b"PNG",
        },
    )
    result = import_and_check(jekyll, site)
    essays = site / "content" / "essays"
    assert front(essays / "has.md")[0]["image"] == "/assets/cover.png"
    assert front(essays / "far.md")[0]["image"] == "https://example.org/x.png"
    lacks, _ = front(essays / "lacks.md")
    assert "image" not in lacks and lacks["extra"] == {"image": "/assets/none.png"}
    assert (
        "_posts/2024-01-02-lacks.md:4:1: warning: image: /assets/none.png is not in the blog: left out" in result.stderr
    )


def test_relative_links_between_hugo_posts_follow_them(tmp_path, site: Path):
    """A relative link between posts of nested sections (PaperMod's
    '../papermod/papermod-faq/#custom-head') pointed at nothing once the posts were essays."""
    hugo = write_files(
        tmp_path / "hugo",
        {
            HUGO: "",
            "content/posts/math.md": post(
                "Math",
                body="See [the FAQ](../papermod/papermod-faq/#custom-head), [a sibling](../sibling/), "
                "[outside](https://example.org/a/../b) and [below](#custom).\n\n## Custom\n\n```md\n[code](../papermod/papermod-faq/)\n```\n",
            ),
            "content/posts/sibling.md": post("Sibling"),
            "content/posts/papermod/papermod-faq.md": post("FAQ", body="## Custom head\n\nText.\n"),
        },
    )
    import_and_check(hugo, site)
    _, body = front(site / "content" / "essays" / "math.md")
    assert "[the FAQ](../papermod-faq/#custom-head)" in body and "[a sibling](../sibling/)" in body
    assert "[outside](https://example.org/a/../b)" in body and "[below](#custom)" in body
    assert "[code](../papermod/papermod-faq/)" in body  # code is an example
