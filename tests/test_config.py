"""site.yml loading: defaults, validation with lines and hints, CLI overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitefactory import essay, make_site

from counterpoint.build.engine import Engine
from counterpoint.errors import BuildFailed, UsageError
from counterpoint.source.config import SiteConfig, load_config, normalize_base_url


def site(tmp_path: Path, text: str) -> Path:
    (tmp_path / "site.yml").write_text(text, encoding="utf-8")
    return tmp_path


def failures(tmp_path: Path, text: str) -> list[tuple[str, int, str, str]]:
    with pytest.raises(BuildFailed) as info:
        load_config(site(tmp_path, text))
    return [(e.path, e.line, e.message, e.hint) for e in info.value.errors]


def test_defaults(tmp_path: Path) -> None:
    cfg = load_config(site(tmp_path, "title: My essays\nauthor: Anna\n"))
    assert isinstance(cfg, SiteConfig)
    assert cfg.root == tmp_path.resolve()
    assert (cfg.title, cfg.author) == ("My essays", "Anna")
    assert (cfg.base_url, cfg.base_path) == ("/", "/")
    assert (cfg.language, cfg.description, cfg.theme, cfg.timezone) == ("en", "", "default", "UTC")
    assert cfg.output == tmp_path.resolve() / "public"
    assert cfg.essays_per_page == 10
    assert cfg.strings == {} and cfg.search is True
    assert len(cfg.digest) == 32


def test_all_keys(tmp_path: Path) -> None:
    cfg = load_config(
        site(
            tmp_path,
            (
                "title: Заметки\nauthor: Анна\nbase_url: https://x.github.io/blog\nlanguage: ru\n"
                "description: about things\ntheme: mine\noutput: build/site\nessays_per_page: 5\n"
                "timezone: Europe/Moscow\nsearch: off\nstrings:\n  older: Дальше\n"
            ),
        )
    )
    assert cfg.base_url == "https://x.github.io/blog/" and cfg.base_path == "/blog/"
    assert (cfg.language, cfg.theme, cfg.timezone, cfg.essays_per_page) == ("ru", "mine", "Europe/Moscow", 5)
    assert cfg.output == tmp_path.resolve() / "build" / "site"
    assert cfg.search is False and cfg.strings == {"older": "Дальше"}


def test_required_keys(tmp_path: Path) -> None:
    assert failures(tmp_path, "description: x\n") == [
        ("site.yml", 1, "site.yml is missing 'author'", 'add a line "author: ..." to site.yml'),
        ("site.yml", 1, "site.yml is missing 'title'", 'add a line "title: ..." to site.yml'),
    ]


def test_unknown_key_hint(tmp_path: Path) -> None:
    assert failures(tmp_path, "author: A\ntitel: T\n") == [
        ("site.yml", 1, "site.yml is missing 'title'", 'add a line "title: ..." to site.yml'),
        ("site.yml", 2, "unknown key 'titel' in site.yml", "did you mean 'title'?"),
    ]


@pytest.mark.parametrize(
    ("given", "url", "path"),
    [
        ("https://x.github.io/blog", "https://x.github.io/blog/", "/blog/"),
        ("https://x.github.io/blog/", "https://x.github.io/blog/", "/blog/"),
        ("https://example.org", "https://example.org/", "/"),
        ("/blog", "/blog/", "/blog/"),
        ("/", "/", "/"),
    ],
)
def test_base_url_normalization(tmp_path: Path, given: str, url: str, path: str) -> None:
    cfg = load_config(site(tmp_path, f"title: T\nauthor: A\nbase_url: {given}\n"))
    assert (cfg.base_url, cfg.base_path) == (url, path)


@pytest.mark.parametrize("bad", ["blog/", "ftp://x.org/", "//cdn.example.org/", "https:///x", "/a?b=1"])
def test_bad_base_url(tmp_path: Path, bad: str) -> None:
    [(path, line, message, hint)] = failures(tmp_path, f"title: T\nauthor: A\nbase_url: '{bad}'\n")
    assert (path, line) == ("site.yml", 3)
    assert message.startswith(f"base_url: '{bad}'")
    with pytest.raises(ValueError):
        normalize_base_url(bad)


def test_bad_timezone_language_and_numbers(tmp_path: Path) -> None:
    errors = failures(
        tmp_path,
        ("title: T\nauthor: A\ntimezone: europe/moscow\nlanguage: klingon\nessays_per_page: 0\nsearch: sometimes\n"),
    )
    assert errors == [
        ("site.yml", 3, "unknown time zone 'europe/moscow'", "did you mean 'Europe/Moscow'?"),
        ("site.yml", 4, "unknown language 'klingon'", "use en or ru (any locale code Babel knows works)"),
        ("site.yml", 5, "'essays_per_page' must be at least 1, not 0", ""),
        ("site.yml", 6, "'search' must be true or false, not 'sometimes'", "write search: true or search: false"),
    ]
    [(_, line, message, _)] = failures(tmp_path, "title: T\nauthor: A\ntimezone: Mars/Olympus\n")
    assert (line, message) == (3, "unknown time zone 'Mars/Olympus'")


def test_output_may_not_overwrite_the_site(tmp_path: Path) -> None:
    for bad in (".", "content", "content/out", ".."):
        [(_, line, message, _)] = failures(tmp_path, f"title: T\nauthor: A\noutput: {bad}\n")
        assert line == 3 and message.startswith("output: ")


def test_yaml_errors_are_build_failures(tmp_path: Path) -> None:
    [(path, line, message, _)] = failures(tmp_path, "title: T\nauthor: A\ntitle: U\n")
    assert (path, line, message) == ("site.yml", 3, "duplicate key 'title' in site.yml")
    [(_, _, message, _)] = failures(tmp_path, "title: !!python/name:os.system T\n")
    assert message.startswith("YAML tags are not allowed")


def test_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "s").mkdir()
    root = site(tmp_path / "s", "title: T\nauthor: A\nbase_url: https://a.org/\noutput: public\n")
    cfg = load_config(root, base_url="https://b.org/docs", output=tmp_path / "out")
    assert (cfg.base_url, cfg.base_path) == ("https://b.org/docs/", "/docs/")
    assert cfg.output == tmp_path / "out"
    # serve's origin keeps site.yml's path
    moved = site(tmp_path / "s", "title: T\nauthor: A\nbase_url: https://a.org/blog\n")
    cfg = load_config(moved, origin="http://127.0.0.1:8000")
    assert (cfg.base_url, cfg.base_path) == ("http://127.0.0.1:8000/blog/", "/blog/")
    monkeypatch.chdir(tmp_path)
    assert load_config(root, output=Path("rel")).output == tmp_path / "rel"
    with pytest.raises(UsageError, match="--base-url"):
        load_config(root, base_url="nope")
    with pytest.raises(UsageError, match="--out"):
        load_config(root, output=root / "content")


def test_missing_site_yml(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        load_config(tmp_path)
    assert str(info.value) == (
        f"no site.yml in {tmp_path.resolve()}: run 'counterpoint init {tmp_path.resolve()}' "
        "to create a site, or pass the site folder"
    )


def test_critique_channels(tmp_path: Path) -> None:
    cfg = load_config(
        site(tmp_path, "title: T\nauthor: A\ncritiques:\n  github: vera-lind/margin-notes\n  email: vera@example.org\n")
    )
    assert dict(cfg.critiques) == {"github": "vera-lind/margin-notes", "email": "vera@example.org"}
    assert dict(load_config(site(tmp_path, "title: T\nauthor: A\n")).critiques) == {}


def test_critique_channels_are_validated(tmp_path: Path) -> None:
    found = failures(tmp_path, "title: T\nauthor: A\ncritiques:\n  githb: a/b\n  email: not an address\n")
    assert [(line, message, hint) for _, line, message, hint in found] == [
        (3, "critiques: email must be an e-mail address, not 'not an address'", "write e.g. email: vera@example.org"),
        (3, "unknown critique channel 'githb'", "did you mean 'github'?"),
    ]
    found = failures(tmp_path, "title: T\nauthor: A\ncritiques: {github: 'https://github.com/a/b'}\n")
    assert [m for _, _, m, _ in found] == ["critiques: github must be owner/repo, not 'https://github.com/a/b'"]
    found = failures(tmp_path, "title: T\nauthor: A\ncritique: {github: a/b}\n")
    assert [(m, h) for _, _, m, h in found] == [("unknown key 'critique' in site.yml", "did you mean 'critiques'?")]


@pytest.mark.parametrize("language, said", [("fr", True), ("de-AT", True), ("ru", False), ("en-GB", False)])
def test_check_says_when_the_interface_words_are_english(tmp_path, language: str, said: bool) -> None:
    """``language: fr`` gave French dates beside English interface words ("1 min read",
    "Critiques"), without a word: counterpoint has its words in English and Russian."""
    root = make_site(tmp_path, {"content/essays/e.md": essay("E")}, {"language": language})
    notes = [e for e in Engine(root).check() if e.severity == "note"]
    if not said:
        assert notes == []
        return
    (note,) = notes
    assert (note.path, note.line) == ("site.yml", 3)
    assert note.message.startswith(f"language '{language}': the interface's ")
    assert note.message.endswith(" words are English (counterpoint has its own in English and Russian)")
    assert note.hint == "write them under strings: in site.yml (the keys are in src/counterpoint/source/i18n.py)"


def test_the_note_goes_once_every_word_is_the_sites_own(tmp_path) -> None:
    from counterpoint.source.i18n import PLURAL_CATEGORIES, STRINGS

    strings = {
        key.rsplit(".", 1)[0] if key.rsplit(".", 1)[-1] in PLURAL_CATEGORIES else key: "x" for key in STRINGS["en"]
    }
    root = make_site(tmp_path, {"content/essays/e.md": essay("E")}, {"language": "fr", "strings": strings})
    assert [e for e in Engine(root).check() if e.severity == "note"] == []


def test_an_unclosed_bracket_is_said_where_it_opens(tmp_path: Path) -> None:
    # YAML notices it only at the end of the file, a line that is not there
    [(path, line, message, hint)] = failures(tmp_path, "title: T\nauthor: A\ncritiques: {email: a@b.org\n")
    assert (path, line) == ("site.yml", 3), message
    assert hint == "close the quote or bracket that starts here"
