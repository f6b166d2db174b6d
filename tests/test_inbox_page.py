"""The page hook of "Critique this passage": present only with a channel in site.yml, in the
page's language, naming the essay and the channels (the browser side is test_browser_critique)."""

from __future__ import annotations

from pathlib import Path

from sitefactory import build, essay, make_site, parse_html


def _page(tmp_path: Path, config: dict) -> str:
    root = make_site(
        tmp_path / "s", {"content/essays/tides/index.md": essay("Приливы", "Луна поднимает воду.")}, config=config
    )
    built = build(root)
    assert built.ok, built.report.errors
    return built.page("essays/tides/")


def test_the_hook_names_the_essay_the_channels_and_the_words_in_the_pages_language(tmp_path: Path) -> None:
    html = _page(
        tmp_path,
        {"language": "ru", "base_url": "https://vera.example/blog/", "critiques": {"email": "vera@example.org"}},
    )
    hook = parse_html(html).find("div", id="cp-critique")
    assert hook is not None and hook.has("hidden")
    assert (hook.get("data-essay"), hook.get("data-essay-title"), hook.get("data-url")) == (
        "tides",
        "Приливы",
        "https://vera.example/blog/essays/tides/",
    )
    assert (hook.get("data-email"), hook.get("data-github")) == ("vera@example.org", None)
    assert hook.get("data-label-passage") == "Возразить на этот фрагмент"
    assert hook.get("data-label-claim") == "Возразить на это утверждение"
    assert '<script src="/blog/static/critique.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/blog/static/critique.css">' in html


def test_no_channel_no_hook_and_no_script(tmp_path: Path) -> None:
    html = _page(tmp_path, {})
    assert "cp-critique" not in html and "critique.js" not in html and "critique.css" not in html
