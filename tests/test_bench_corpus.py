"""Fast checks of the benchmark corpus generator and the plain-loop baseline (bench/)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"counterpoint_bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


corpus = _load("corpus")
baseline = _load("baseline")

N = 4
STANCES = {"refutes", "disputes", "supports", "questions", "notes"}


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _split(text: str) -> tuple[dict, str]:
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bench-site")
    corpus.generate_site(root, N, seed=1)
    return root


def _bundles(site: Path) -> list[Path]:
    return sorted(p for p in (site / "content" / "essays").iterdir() if p.is_dir())


def test_deterministic(site, tmp_path):
    again = tmp_path / "again"
    corpus.generate_site(again, N, seed=1)
    assert _files(again) == _files(site)
    other = tmp_path / "other"
    corpus.generate_site(other, N, seed=2)
    assert _files(other) != _files(site)


def test_smaller_corpus_is_a_prefix(site, tmp_path):
    small = tmp_path / "small"
    corpus.generate_site(small, 2, seed=1)
    big = _files(site)
    for name, data in _files(small).items():
        assert big[name] == data


def test_expected_files(site):
    cfg = yaml.safe_load((site / "site.yml").read_text(encoding="utf-8"))
    assert cfg == {"title": cfg["title"], "author": "Автор Бенчмарка", "language": "ru", "base_url": "/"}
    bundles = _bundles(site)
    assert len(bundles) == N
    langs = []
    for b in bundles:
        assert sorted(p.name for p in b.iterdir()) == ["critiques", "index.md"]
        assert len(list((b / "critiques").glob("*.md"))) == 3
        meta, body = _split((b / "index.md").read_text(encoding="utf-8"))
        assert {"title", "date", "summary", "tags", "difficulty", "lang"} <= meta.keys()
        assert meta["difficulty"] in {"easy", "medium", "hard"}
        assert 2020 <= meta["date"].year <= 2026
        langs.append(meta["lang"])
        assert 1200 <= len(body.split()) <= 2200
        assert re.search(r"^```(python|js|bash)$", body, re.M)
        assert re.search(r"^\|---\|", body, re.M)
        assert re.search(r"^- ", body, re.M) and re.search(r"^1\. ", body, re.M)
        assert re.search(r"^## ", body, re.M)
        claims = re.findall(r"\]\{\.claim #(claim-\d+)\}", body)
        assert 4 <= len(claims) <= 8 and len(set(claims)) == len(claims)
        assert 1 <= len(re.findall(r"^\{\.claim #block-\d+\}\n\S", body, re.M)) <= 2
        assert 1 <= len(re.findall(r"^::: upd ", body, re.M)) <= 2
    assert sorted(langs) == ["en", "en", "ru", "ru"]


def _essay_ids(body: str) -> set[str]:
    return set(re.findall(r"\{[^{}\n]*#([\w-]+)\}", body))


def test_critiques_are_consistent(site):
    for b in _bundles(site):
        _, body = _split((b / "index.md").read_text(encoding="utf-8"))
        ids = _essay_ids(body)
        critiques = {p.stem: _split(p.read_text(encoding="utf-8")) for p in (b / "critiques").glob("*.md")}
        upds = re.findall(r"^::: upd (\S+) re=(\S+) corrects=#(\S+)$", body, re.M)
        cited = set()
        for date, re_, corrects in upds:
            for cid in re_.split(","):
                assert cid in critiques, f"{b.name}: UPD cites missing critique {cid}"
                assert str(critiques[cid][0]["date"]) <= date
                cited.add(cid)
            assert corrects in ids
        for cid, (meta, cbody) in critiques.items():
            assert meta["author"] and meta["date"]
            assert meta["stance"] in STANCES
            if meta.get("status") == "addressed":
                assert cid in cited
            if cid in cited:
                assert meta.get("status") != "declined"
            quotes = re.findall(r'^::: on "([^"]+)"$', cbody, re.M)
            assert quotes, f"{b.name}/{cid}: no quoted remark"
            for q in quotes:
                assert body.count(q) == 1, f"{b.name}/{cid}: {q!r}"
                assert not re.search(r"[*_`\[\]{}<>#|~!\\]", q)
            targets = re.findall(r"^::: on #(\S+)$", cbody, re.M)
            assert 2 <= len(quotes) + len(targets) <= 3
            for t in targets:
                assert t in ids, f"{b.name}/{cid}: remark on missing id #{t}"
            assert re.search(r"^::: reply Автор Бенчмарка, \d{4}-\d\d-\d\d$", cbody, re.M)


def test_plain_loop_writes_one_page_per_essay(site, tmp_path):
    out = tmp_path / "out"
    seconds = baseline.plain_loop(site, out)
    assert seconds > 0
    pages = sorted(out.rglob("*.html"))
    assert [p.parent.name for p in pages] == [b.name for b in _bundles(site)]
    assert all(p.name == "index.html" for p in pages)
    html = pages[0].read_text(encoding="utf-8")
    assert "<table>" in html and 'class="critique"' in html
