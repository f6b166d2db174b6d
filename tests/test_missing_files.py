"""Files that site.yml and front matter name must exist: an essay's ``image:`` (its
og:image) and the stylesheets of ``extra_css``.  A missing one is an error at the
key's line, from ``check`` and ``build`` alike (a missing ``favicon:`` already was),
never a published page that links a 404; an https:// address is not checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitefactory import build, check, essay, make_site, parse_html, plain_page

from counterpoint.build.engine import Engine
from counterpoint.errors import BuildFailed

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 24  # only its existence matters here
HINT = "put the file there or fix the path"


def og_image(built, url: str) -> str | None:
    for element in parse_html(built.page(url)).find_all("meta"):
        if element.get("property") == "og:image":
            return element.get("content")
    return None


def said(errors) -> list[str]:
    return [error.format() for error in errors if error.severity == "error"]


# --------------------------------------------------------------------------- image:


@pytest.mark.parametrize(
    ("image", "looked_for"),
    [
        ("cover.png", "content/essays/x/cover.png"),  # beside the essay, in its bundle
        ("/img/none.png", "content/img/none.png"),  # a file of the site, in content/
    ],
)
def test_a_missing_share_image_is_an_error_at_its_line(tmp_path: Path, image: str, looked_for: str) -> None:
    root = make_site(tmp_path / "site", {"content/essays/x/index.md": essay("X", "Text.", image=image)})
    expected = f"content/essays/x/index.md:4:1: error: image: {image} does not exist (looked for {looked_for})"
    built = build(root)
    assert not built.ok
    assert any(text.startswith(expected) and HINT in text for text in built.report.errors), built.report.errors
    assert not (built.out / "essays/x/index.html").exists()  # nothing published
    checked = said(check(root))
    assert any(text.startswith(expected) for text in checked), checked


def test_a_relative_image_of_a_single_file_essay_has_no_folder_to_be_in(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {"content/essays/note.md": essay("Note", "Text.", image="cover.png")})
    errors = build(root).report.errors
    expected = "content/essays/note.md:4:1: error: image: cover.png does not exist"
    assert any(text.startswith(expected) for text in errors), errors


def test_existing_share_images_and_https_ones_build(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "content/essays/x/index.md": essay("X", "Text.", image="cover.png"),
            "content/essays/x/cover.png": PNG,
            # its own address differs from its folder's: the image goes with it
            "content/essays/moved/index.md": essay("Moved", "Text.", image="cover.png", slug="elsewhere"),
            "content/essays/moved/cover.png": PNG,
            "content/essays/y.md": essay("Y", "Text.", image="/img/share.png"),
            "content/img/share.png": PNG,
            "content/essays/z.md": essay("Z", "Text.", image="https://cdn.example.net/none.png"),
        },
    )
    assert said(check(root)) == []
    built = build(root)
    assert built.ok, built.report.errors
    assert og_image(built, "essays/x/") == "/essays/x/cover.png"
    assert og_image(built, "essays/elsewhere/") == "/essays/elsewhere/cover.png"
    assert og_image(built, "essays/y/") == "/img/share.png"
    assert og_image(built, "essays/z/") == "https://cdn.example.net/none.png"  # not fetched, not checked
    for rel in ("essays/x/cover.png", "essays/elsewhere/cover.png", "img/share.png"):
        assert (built.out / rel).is_file(), rel


@pytest.mark.parametrize(
    ("files", "image", "looked_for"),
    [
        ({"content/about.md": None}, "/img/none.png", "content/img/none.png"),
        ({"content/about/index.md": None}, "team.png", "content/about/team.png"),  # beside the page's index.md
    ],
)
def test_a_plain_pages_missing_share_image_is_an_error_at_its_line(
    tmp_path: Path, files: dict, image: str, looked_for: str
) -> None:
    # a plain page's og:image was published pointing at nothing
    rel = next(iter(files))
    root = make_site(tmp_path / "site", {"content/essays/a.md": essay(), rel: plain_page("About", image=image)})
    expected = f"{rel}:3:1: error: image: {image} does not exist (looked for {looked_for})"
    built = build(root)
    assert any(text.startswith(expected) and HINT in text for text in built.report.errors), built.report.errors
    assert not (built.out / "about/index.html").exists()
    checked = said(check(root))
    assert any(text.startswith(expected) for text in checked), checked


def test_a_plain_pages_share_image_removed_after_a_cached_build_is_an_error(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "content/essays/a.md": essay(),
            "content/about/index.md": plain_page("About", image="team.png"),
            "content/about/team.png": PNG,
            "content/contact.md": plain_page("Contact", image="/img/share.png"),
            "content/img/share.png": PNG,
        },
    )
    built = build(root, use_cache=True)
    assert built.ok, built.report.errors
    assert og_image(built, "about/") == "/about/team.png"
    assert og_image(built, "contact/") == "/img/share.png"
    (root / "content/about/team.png").unlink()
    errors = build(root, use_cache=True).report.errors
    assert any(text.startswith("content/about/index.md:3:1: error: image: team.png does not exist") for text in errors)


# --------------------------------------------------------------------------- extra_css


def test_a_missing_extra_css_file_is_an_error_at_its_line(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {"content/essays/a.md": essay(), "content/css/site.css": "body { color: red }\n"},
        {"extra_css": ["css/site.css", "css/none.css"]},
    )
    expected = "site.yml:4:1: error: extra_css: content/css/none.css does not exist"
    for run in (lambda: Engine(root), lambda: check(root)):
        with pytest.raises(BuildFailed) as failed:
            run()
        text = failed.value.format()
        assert expected in text and HINT in text, text
        assert "css/site.css does not exist" not in text


def test_an_https_extra_css_is_not_checked(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {"content/essays/a.md": essay()},
        {"extra_css": ["https://fonts.example.net/none.css"]},
    )
    assert said(check(root)) == []
    built = build(root)
    assert built.ok, built.report.errors
    sheets = [link.get("href") for link in parse_html(built.page()).find_all("link", rel="stylesheet")]
    assert sheets[-1] == "https://fonts.example.net/none.css"


# --------------------------------------------------------------------------- with the cache


@pytest.mark.parametrize(
    ("image", "file"),
    [("cover.png", "content/essays/x/cover.png"), ("/img/share.png", "content/img/share.png")],
)
def test_adding_the_image_fixes_the_error_and_removing_it_brings_it_back(tmp_path: Path, image: str, file: str) -> None:
    """With the cache on: an essay whose own files did not change is not parsed again,
    yet the file its image names comes and goes, for ``build`` (a new engine each time,
    the cache on disk), ``serve`` (one engine, the last build in memory) and ``check``."""
    root = make_site(
        tmp_path / "site",
        {"content/essays/x/index.md": essay("X", "Text.", image=image), "content/essays/other.md": essay("Other")},
    )
    missing = f"content/essays/x/index.md:4:1: error: image: {image} does not exist"
    serve = Engine(root, use_cache=True, search=False, jobs=1, persist=False)

    def fails() -> None:
        for report in (build(root, use_cache=True).report, serve.build()):
            assert not report.ok and any(text.startswith(missing) for text in report.errors), report.errors
        assert any(text.startswith(missing) for text in said(check(root)))

    def passes() -> None:
        for report in (build(root, use_cache=True).report, serve.build()):
            assert report.ok, report.errors
        assert said(check(root)) == []

    fails()
    (root / file).parent.mkdir(parents=True, exist_ok=True)
    (root / file).write_bytes(PNG)
    passes()
    passes()  # from the cache now
    (root / file).unlink()
    fails()
    (root / file).write_bytes(PNG)
    passes()
