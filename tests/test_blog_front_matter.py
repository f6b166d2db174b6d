"""Front matter as real blogs write it: TOML (``+++``), ``extra:``, the keys of Hugo
and Jekyll (read as counterpoint's, with a note in ``check``), Jekyll's dated file
names, ``aliases:`` (old addresses that redirect) and hints only for real typos."""

from __future__ import annotations

import subprocess
import sys

from sitefactory import build, check, critique, essay, make_site, parse_html

TOML_ESSAY = """\
+++
title = "Tides: a TOML post"
date = 2024-03-05T10:30:00+02:00
tags = ["physics", "sea"]
description = "Why the sea rises twice a day."
draft = false

[extra]
hero = "waves.jpg"
+++

The Moon pulls.
"""


def test_toml_front_matter_builds(tmp_path):
    root = make_site(tmp_path, {"content/essays/tides.md": TOML_ESSAY})
    built = build(root)
    assert built.ok, built.report.errors
    page = parse_html(built.page("essays/tides/"))
    assert page.find("h1").text().strip() == "Tides: a TOML post"
    assert page.find("time").get("datetime").startswith("2024-03-05")
    home = built.page("")
    assert "Why the sea rises twice a day." in home  # description is the summary
    assert "/tags/physics/" in home and "/tags/sea/" in home


def test_toml_errors_have_lines_like_yaml(tmp_path):
    root = make_site(
        tmp_path,
        {
            "content/essays/a.md": '+++\ntitle = "A"\ndate = 2024-13-40\n+++\nText.\n',
            "content/essays/b.md": '+++\ntitle = "B"\ndate = 2024-01-01\ndifficulty = "medum"\nweight = 3\n+++\nText.\n',
            "content/essays/c.md": "+++\ndate = 2024-01-01\n+++\nText.\n",
            "content/essays/d.md": '+++\ntitle = "D"\n\nText without a closing fence.\n',
        },
    )
    found = sorted((e.path, e.line, e.col, e.message, e.hint) for e in check(root) if e.severity == "error")
    assert found[0][:2] == ("content/essays/a.md", 3) and "invalid TOML" in found[0][3]
    assert found[1][:2] == ("content/essays/b.md", 4) and "'difficulty' must be one of" in found[1][3]
    assert found[1][4] == "did you mean 'medium'?"
    assert found[2][:2] == ("content/essays/b.md", 5) and found[2][3] == "unknown key 'weight' in essay front matter"
    assert found[3][:2] == ("content/essays/c.md", 1) and "missing 'title'" in found[3][3]
    assert found[4][:3] == ("content/essays/d.md", 1, 1) and "not closed" in found[4][3]
    assert len(found) == 5


def test_toml_cannot_build_anything_dangerous(tmp_path):
    deep = '+++\ntitle = "T"\ndate = 2024-01-01\nx = ' + "[" * 5000 + "]" * 5000 + "\n+++\nText.\n"
    root = make_site(tmp_path, {"content/essays/deep.md": deep})
    errors = check(root)
    assert (
        len(errors) == 1 and errors[0].line in (2, 4) and "nested" in errors[0].message or "TOML" in errors[0].message
    )


def test_extra_is_free_and_reaches_the_theme(tmp_path):
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "Text.", extra=None).replace(
                "---\n\n", "extra:\n  hero: waves.jpg\n  colours: [blue, green]\n  nested: {deep: yes}\n---\n\n"
            ),
            "templates/partials/essay_meta.html": (
                "{% if meta is defined %}<p class=\"hero\">{{ meta.extra.hero }} {{ meta.extra.colours|join('+') }}</p>{% endif %}"
            ),
        },
    )
    built = build(root)
    assert built.ok, built.report.errors
    hero = parse_html(built.page("essays/e/")).find("p", cls="hero")
    assert hero is not None and hero.text() == "waves.jpg blue+green"
    # extra must be a mapping
    root2 = make_site(tmp_path / "two", {"content/essays/e.md": essay("E", extra="just text")})
    errors = check(root2)
    assert [(e.line, e.message) for e in errors] == [(4, "'extra' must be 'key: value' lines indented under 'extra:'")]


JEKYLL_POST = """\
---
layout: post
title: "Welcome to Jekyll!"
categories: jekyll update
tags: [intro]
excerpt: The first post.
last_modified_at: 2024-02-01
published: true
---
You'll find this post in your `_posts` directory.
"""


def test_hugo_and_jekyll_keys_are_read_with_a_note(tmp_path):
    root = make_site(tmp_path, {"content/essays/2024-01-15-welcome-to-jekyll.md": JEKYLL_POST})
    built = build(root)
    assert built.ok, built.report.errors
    page = built.page("essays/welcome-to-jekyll/")
    tree = parse_html(page)
    assert tree.find("time").get("datetime") == "2024-01-15"  # from the file name
    updated = tree.find("span", cls="updated")
    assert updated is not None and updated.find("time").get("datetime") == "2024-02-01"
    tags = {a.get("href") for a in tree.find_all("a") if "/tags/" in (a.get("href") or "")}
    assert {"/tags/intro/", "/tags/jekyll/", "/tags/update/"} <= tags
    assert "The first post." in built.page("")
    notes = check(root)
    assert all(n.severity == "note" for n in notes)
    said = {(n.line, n.message) for n in notes}
    assert said == {
        (1, "the date 2024-01-15 is taken from the file name"),
        (2, "'layout' has no effect: counterpoint has one layout for essays"),
        (4, "'categories' is read as more 'tags'"),
        (6, "'excerpt' is read as 'summary'"),
        (7, "'last_modified_at' is read as 'updated'"),
        (8, "'published' (Jekyll) is read as 'draft' the other way round"),
    }
    assert all(
        n.format().startswith(f"content/essays/2024-01-15-welcome-to-jekyll.md:{n.line}:1: note: ") for n in notes
    )


def test_check_prints_notes_and_exits_zero(tmp_path):
    root = make_site(tmp_path, {"content/essays/p.md": essay("P", description="Old-style summary.")})
    run = subprocess.run([sys.executable, "-m", "counterpoint", "check", str(root)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "content/essays/p.md:4:1: note: 'description' is read as 'summary'" in run.stderr
    assert "hint: rename it to 'summary'" in run.stderr
    assert "no problems found (1 note(s))" in run.stdout


def test_an_alias_and_its_key_together_is_an_error(tmp_path):
    root = make_site(tmp_path, {"content/essays/p.md": essay("P", summary="One.", description="Two.")})
    errors = [e for e in check(root) if e.severity == "error"]
    assert [(e.line, e.message) for e in errors] == [(5, "'description' means 'summary', and 'summary' is given too")]


def test_published_false_is_a_draft(tmp_path):
    root = make_site(
        tmp_path,
        {
            "content/essays/shown.md": essay("Shown"),
            "content/essays/hidden.md": essay("Hidden", published=False),
        },
    )
    built = build(root)
    assert built.ok, built.report.errors
    assert not (built.out / "essays" / "hidden").exists() and (built.out / "essays" / "shown").is_dir()
    assert (build(root, drafts=True, out=tmp_path / "with-drafts").out / "essays" / "hidden" / "index.html").is_file()


def test_jekyll_names_give_date_and_slug(tmp_path):
    root = make_site(
        tmp_path,
        {
            "content/essays/2023-07-04-dated-file.md": "---\ntitle: Dated file\n---\nText.\n",
            "content/essays/2023-08-09-dated-bundle/index.md": "---\ntitle: Dated bundle\n---\nText.\n",
            "content/essays/2023-08-09-dated-bundle/chart.png": b"\x89PNG\r\n",
            "content/essays/2020-01-01-written-date.md": essay("Written date", date="2021-05-06"),
            "content/essays/2020-01-01.md": essay("Only a date"),
        },
    )
    built = build(root)
    assert built.ok, built.report.errors
    assert parse_html(built.page("essays/dated-file/")).find("time").get("datetime") == "2023-07-04"
    assert parse_html(built.page("essays/dated-bundle/")).find("time").get("datetime") == "2023-08-09"
    assert (built.out / "essays" / "dated-bundle" / "chart.png").is_file()
    assert parse_html(built.page("essays/written-date/")).find("time").get("datetime") == "2021-05-06"
    assert (built.out / "essays" / "2020-01-01" / "index.html").is_file()  # nothing after the date: the name stays


def test_aliases_become_redirect_pages_and_a_redirects_file(tmp_path):
    root = make_site(
        tmp_path,
        {"content/essays/tides.md": essay("Tides", aliases=["/2019/05/old-tides/", "/posts/tides.html", "old-name"])},
        config={"base_url": "https://example.org/blog/"},
    )
    built = build(root)
    assert built.ok, built.report.errors
    for rel in ("2019/05/old-tides/index.html", "posts/tides.html", "old-name/index.html"):
        tree = parse_html((built.out / rel).read_text())
        canonical = tree.find("link", rel="canonical")
        refresh = tree.find("meta", http_equiv="refresh")
        assert canonical.get("href") == "https://example.org/blog/essays/tides/"
        assert refresh.get("content") == "0; url=https://example.org/blog/essays/tides/"
        assert tree.find("meta", name="robots").get("content") == "noindex"
    assert (built.out / "_redirects").read_text() == (
        "/blog/2019/05/old-tides/ /blog/essays/tides/ 301\n"
        "/blog/posts/tides.html /blog/essays/tides/ 301\n"
        "/blog/old-name/ /blog/essays/tides/ 301\n"
    )
    # the redirect pages are not in the sitemap
    assert "old-tides" not in (built.out / "sitemap.xml").read_text()


def test_no_redirects_file_without_aliases(tmp_path):
    built = build(make_site(tmp_path, {"content/essays/a.md": essay("A")}))
    assert built.ok and not (built.out / "_redirects").exists()


def test_bad_and_clashing_aliases_are_errors(tmp_path):
    root = make_site(
        tmp_path,
        {
            "content/essays/a.md": essay("A", aliases=["https://old.example/a", "/../etc/", "/x?page=2"]),
            "content/essays/d.md": essay("D", aliases=["/tags/", "/essays/b/"]),
            "content/essays/b.md": essay("B", aliases=["/shared/"]),
            "content/essays/c.md": essay("C", aliases=["/Shared/"]),
        },
    )
    messages = sorted((e.path, e.message) for e in build_errors(root))
    assert (
        "content/essays/a.md",
        "alias 'https://old.example/a' is a full address; only paths on this site can redirect",
    ) in messages
    assert ("content/essays/a.md", "alias '/../etc/' is not a usable path") in messages
    assert (
        "content/essays/a.md",
        "alias '/x?page=2' has a ?query or #fragment, which a static page cannot answer",
    ) in messages
    assert ("content/essays/d.md", "alias '/tags/' is inside the site's own /tags/ section") in messages
    assert ("content/essays/d.md", "alias '/essays/b/' is the address of content/essays/b.md") in messages
    assert any(path == "content/essays/c.md" and "shared" in message.lower() for path, message in messages), messages


def build_errors(root):
    built = build(root)
    assert not built.ok
    # the report has formatted lines: "path:line:col: error: message"
    found = []
    for line in built.report.errors:
        head = line.split("\n")[0]
        path, _, rest = head.partition(":")
        found.append(type("E", (), {"path": path, "message": rest.split(": error: ", 1)[1]}))
    return found


def test_hints_only_for_real_typos(tmp_path):
    root = make_site(
        tmp_path,
        {
            "content/essays/a/index.md": essay("A", tgas=["x"]),
            "content/essays/a/critiques/r.md": critique("ana", "Text.", math="true"),
        },
    )
    errors = {e.message: e.hint for e in check(root)}
    assert errors["unknown key 'tgas' in essay front matter"] == "did you mean 'tags'?"
    hint = errors["unknown key 'math' in critique front matter"]
    assert "did you mean" not in hint and hint.startswith("allowed keys:")


def test_an_alias_at_a_plain_pages_address_is_an_error(tmp_path):
    """``aliases: [/about/]`` beside content/about.md: the page was written and the
    alias lost without a word, while _redirects sent /about/ to the essay."""
    root = make_site(
        tmp_path,
        {
            "content/essays/a.md": essay("A", aliases=["/about/"]),
            "content/about.md": "---\ntitle: About\n---\nAbout.\n",
        },
    )
    assert [(e.path, e.message) for e in build_errors(root)] == [
        ("content/essays/a.md", "alias '/about/' is the address of content/about.md")
    ]


def test_tags_written_as_one_text_with_commas_are_an_error(tmp_path):
    """``tags: physics, waves`` made one tag, "physics, waves", with a page of its own."""
    root = make_site(
        tmp_path, {"content/essays/a.md": "---\ntitle: A\ndate: 2026-01-10\ntags: physics, waves\n---\nText.\n"}
    )
    (error,) = check(root)
    assert (error.path, error.line, error.message) == (
        "content/essays/a.md",
        4,
        "'tags: physics, waves' is one tag with a comma in it",
    )
    assert error.hint == "write a list: tags: [physics, waves]"
    one = make_site(
        tmp_path / "one", {"content/essays/a.md": "---\ntitle: A\ndate: 2026-01-10\ntags: physics\n---\nText.\n"}
    )
    assert check(one) == []
