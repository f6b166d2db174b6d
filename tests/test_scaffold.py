"""``counterpoint init`` and ``counterpoint new``: through the command line, as a user runs them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from counterpoint import scaffold
from counterpoint.cli import main
from counterpoint.errors import UsageError
from counterpoint.source.frontmatter import parse_document


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def front_matter(path: Path, root: Path) -> dict:
    return parse_document(path.read_bytes(), path, root).meta


@pytest.fixture()
def site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "my-blog"
    code, out, err = run(capsys, "init", str(root))
    assert code == 0, err
    return root


def test_init_build_check_in_an_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    code, out, err = run(capsys, "init", str(root))
    assert code == 0, err
    assert str(root) in out
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} == {
        ".gitignore",
        "site.yml",
        "content/about.md",
        "content/essays/welcome/index.md",
        "content/essays/welcome/critiques/first-reader.md",
    }
    code, out, err = run(capsys, "build", str(root), "--no-search")
    assert code == 0, err
    code, out, err = run(capsys, "check", str(root))
    assert code == 0, err
    assert "no problems found" in out
    public = root / "public"
    essay = (public / "essays/welcome/index.html").read_text("utf-8")
    # the sample shows what the generator is for: a claim with remarks, a critique, a UPD answering it
    assert re.search(r'<[^>]*data-claim="one-file"[^>]*data-corrected-by="upd-', essay)
    assert re.search(r'<aside class="remark"[^>]*data-critique="first-reader"', essay)
    assert re.search(r'<article class="critique" id="critique-first-reader"[^>]*data-status="addressed"', essay)
    assert re.search(r'<[^>]*class="reply"[^>]*data-by-author', essay)
    for rel in ("index.html", "about/index.html", "corrections/index.html", "feed.xml", "sitemap.xml", "404.html"):
        assert (public / rel).is_file(), rel
    assert "Welcome to your annotated blog" in (public / "index.html").read_text("utf-8")
    meta = front_matter(root / "content/essays/welcome/index.md", root)
    assert meta["date"] == dt.date.today().isoformat()


def test_init_refuses_to_overwrite(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "site.yml").write_text("title: Mine\nauthor: Me\n", "utf-8")
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    code, out, err = run(capsys, "init", str(site))
    assert code == 2
    assert "site.yml" in err and "content/essays/welcome/index.md" in err and "nothing was written" in err
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_init_keeps_an_existing_gitignore_and_other_files(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".gitignore").write_text("node_modules/\n", "utf-8")
    (root / "README.md").write_text("mine\n", "utf-8")
    scaffold.init_site(root, title="Заметки: о главном", author="Анна Ковалёва")
    assert (root / ".gitignore").read_text("utf-8") == "node_modules/\n"
    assert (root / "README.md").read_text("utf-8") == "mine\n"
    from counterpoint.source.config import load_config

    config = load_config(root)
    assert (config.title, config.author) == ("Заметки: о главном", "Анна Ковалёва")


def test_init_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        scaffold.init_site(target)


def test_init_where_no_folder_can_be_made_says_so_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under a file, or in a folder that cannot take files: an error naming the folder,
    not an internal error, and none of the site's files half written."""
    (tmp_path / "afile").write_text("x")
    code, _out, err = run(capsys, "init", str(tmp_path / "afile" / "sub"))
    assert code == 2 and "cannot create the site in" in err and "Traceback" not in err, err
    locked = tmp_path / "locked"
    (locked / "content").mkdir(parents=True)
    (locked / "content" / "essays").write_text("a file where a folder goes")
    code, _out, err = run(capsys, "init", str(locked))
    assert code == 2 and f"cannot create the site in {locked}" in err, err
    assert sorted(p.name for p in locked.rglob("*")) == ["content", "essays"]


def test_new_essay_transliterates_the_title(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "new", "essay", "Заголовок", "--dir", str(site))
    assert code == 0, err
    path = site / "content/essays/zagolovok/index.md"
    assert path.is_file() and str(path) in out
    meta = front_matter(path, site)
    assert meta["title"] == "Заголовок"
    assert dt.date.fromisoformat(meta["date"])
    code, _, err = run(capsys, "build", str(site), "--no-search")
    assert code == 0, err
    assert "Заголовок" in (site / "public/essays/zagolovok/index.html").read_text("utf-8")
    # the same title again would overwrite: refused, and the file is untouched
    path.write_text(path.read_text("utf-8") + "\nMy text.\n", "utf-8")
    code, _, err = run(capsys, "new", "essay", "заголовок", "--dir", str(site))
    assert code == 2 and "content/essays/zagolovok already exists" in err
    assert path.read_text("utf-8").endswith("My text.\n")


def test_new_essay_quotes_titles_for_yaml(site: Path) -> None:
    path = scaffold.new_essay(site, 'Part 1: "Axes" # and #hash')
    assert path == site / "content/essays/part-1-axes-and-hash/index.md"
    assert front_matter(path, site)["title"] == 'Part 1: "Axes" # and #hash'


def test_new_essay_needs_a_sluggable_title_and_a_site(site: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="slug"):
        scaffold.new_essay(site, "!!!")
    with pytest.raises(UsageError, match="counterpoint init"):
        scaffold.new_essay(tmp_path / "nowhere", "Title")


def test_new_critique_in_a_bundle(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "new", "critique", "welcome", "--author", "Дмитрий К.", "--dir", str(site))
    assert code == 0, err
    path = site / "content/essays/welcome/critiques/dmitrii-k.md"
    assert path.is_file() and str(path) in out
    meta = front_matter(path, site)
    assert meta["author"] == "Дмитрий К." and meta["stance"] == "notes"
    # the claim ids the critique can point at are listed for its writer
    assert "one-file" in path.read_text("utf-8") and "weak-points" in path.read_text("utf-8")
    second = scaffold.new_critique(site, "welcome", "Дмитрий К.")
    assert second.name == "dmitrii-k-2.md"
    code, out, err = run(capsys, "check", str(site))
    assert code == 0, err
    code, _, err = run(capsys, "build", str(site), "--no-search")
    assert code == 0, err
    assert 'id="critique-dmitrii-k"' in (site / "public/essays/welcome/index.html").read_text("utf-8")


def test_new_critique_for_an_unknown_slug_names_the_known_ones(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scaffold.new_essay(site, "Second essay")
    code, _, err = run(capsys, "new", "critique", "welcom", "--author", "x", "--dir", str(site))
    assert code == 2
    assert "unknown essay 'welcom'" in err and "did you mean 'welcome'?" in err
    assert "second-essay" in err and "welcome" in err
    assert not list(site.glob("content/essays/*/critiques/x.md"))


def test_new_critique_for_a_single_file_essay_says_how_to_make_a_bundle(site: Path) -> None:
    (site / "content/essays/note.md").write_text("---\ntitle: Note\ndate: 2026-01-01\n---\nText.\n", "utf-8")
    with pytest.raises(UsageError, match="content/essays/note/index.md"):
        scaffold.new_critique(site, "note", "ana")


def test_new_critique_finds_an_essay_by_its_front_matter_slug(site: Path) -> None:
    path = scaffold.new_essay(site, "Long folder name")
    path.write_text(path.read_text("utf-8").replace("tags: []", "tags: []\nslug: short"), "utf-8")
    made = scaffold.new_critique(site, "short", "ana")
    assert made.parent.parent == path.parent


# --------------------------------------------------------------------------- init --github-pages


def test_init_github_pages_writes_a_workflow_that_builds_what_it_uploads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shlex

    import yaml

    from counterpoint import __version__

    root = tmp_path / "blog"
    code, out, err = run(capsys, "init", "--github-pages", str(root))
    assert code == 0, err
    workflow_path = root / ".github/workflows/pages.yml"
    assert f"created {workflow_path}" in out
    workflow = yaml.safe_load(workflow_path.read_text("utf-8"))
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    steps = workflow["jobs"]["build"]["steps"]
    uses = {step.get("uses", "").split("@")[0]: step for step in steps}
    assert uses["actions/checkout"]["with"]["fetch-depth"] == 0  # git dates of critiques and replies
    cache = uses["actions/cache"]["with"]
    assert ".counterpoint" in cache["path"].split() and "public" in cache["path"].split()
    assert cache["restore-keys"] and cache["key"].startswith(cache["restore-keys"])
    runs = [step["run"] for step in steps if "run" in step]
    assert runs[0] == f'pip install "counterpoint=={__version__}"'
    build = shlex.split(runs[1].replace("${{ steps.pages.outputs.base_url }}", "https://vera.github.io/blog"))
    uploaded = uses["actions/upload-pages-artifact"]["with"]["path"]
    assert build[:2] == ["counterpoint", "build"] and build[build.index("--out") + 1] == uploaded
    assert workflow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    # the step's command line, run here, builds the site into the folder the next step uploads
    import os

    cwd = os.getcwd()
    os.chdir(root)
    try:
        assert main(build[1:] + ["--no-search"]) == 0
    finally:
        os.chdir(cwd)
    index = (root / uploaded / "index.html").read_text("utf-8")
    assert '<link rel="canonical" href="https://vera.github.io/blog/">' in index


def test_init_github_pages_in_an_existing_site_adds_only_the_workflow(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    code, out, err = run(capsys, "init", "--github-pages", str(site))
    assert code == 0, err
    after = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert sorted(set(after) - set(before)) == [".github/workflows/pages.yml"]
    # a second time: refused, the file kept
    (site / ".github/workflows/pages.yml").write_text("mine\n", "utf-8")
    code, out, err = run(capsys, "init", "--github-pages", str(site))
    assert code == 2 and "already exists; nothing was written" in err
    assert (site / ".github/workflows/pages.yml").read_text("utf-8") == "mine\n"
