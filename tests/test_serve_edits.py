"""serve's edits start from the last build's output and handle only what they changed
(``build/essays.py``, ``Listing.with_edits``, ``Stage.carry_over``, the manifest's log).
Whatever path an edit takes, the output must be the one a cold build of the same
files makes, byte for byte, and the saved manifest must say what the folder holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitefactory import critique, essay, make_site

from counterpoint.build.engine import Engine
from counterpoint.build.options import BuildOptions
from counterpoint.build.record import manifest_file
from counterpoint.output.manifest import Manifest
from counterpoint.output.output import digest_bytes
from counterpoint.site import feeds
from counterpoint.site import listing as listed_essays

N = 12


def _essay(i: int) -> str:
    tags = ["physics", "maths"] if i % 2 else ["physics", "solo" if i == 0 else f"t{i % 3}"]
    body = f"Text {i}.\n\n[A claim {i}.]{{.claim #c{i}}}\n\nMore text {i}.\n"
    if i % 4 == 0:
        body += f"\n::: upd 2026-02-{i + 1:02d} corrects=#c{i}\nCorrected {i}.\n:::\n"
    aliases = [f"old/e{i}/"] if i == 5 else None
    return essay(f"Essay {i}", body, date=f"2026-01-{i + 1:02d}", tags=tags, aliases=aliases)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(feeds, "FEED_SIZE", 3)  # so that some essays are in no feed
    files: dict[str, str | bytes] = {f"content/essays/e{i}/index.md": _essay(i) for i in range(N)}
    files["content/essays/e2/critiques/r.md"] = critique("reader", "::: on #c2\nWrong.\n:::")
    return make_site(tmp_path / "site", files, {"essays_per_page": 2})


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): digest_bytes(p.read_bytes())  # as the manifest has them
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def site_files(served: Served) -> set[str]:
    """The files the last build wrote, but those of the essays themselves."""
    assert served.engine.last_stats is not None
    return {rel for rel in served.engine.last_stats.written if not rel.startswith("essays/")}


class Served:
    """One engine as serve keeps it, and a cold build of the same files to compare with."""

    def __init__(self, root: Path):
        self.root = root
        self.out = root / "served"
        self.engine = Engine(root, BuildOptions(out=self.out, persist=False, index_search=False, search=False))
        assert self.engine.build().ok
        self.cold = 0

    def edit(self, i: int, old: str, new: str, *, ok: bool = True) -> Path:
        path = self.root / f"content/essays/e{i}/index.md"
        text = path.read_text()
        assert old in text, old
        path.write_text(text.replace(old, new))
        report = self.engine.build(frozenset({path}))
        assert report.ok == ok, report.problems
        return path

    def assert_as_cold(self) -> None:
        self.cold += 1
        reference = self.root.parent / f"cold{self.cold}"
        fresh = Engine(self.root, BuildOptions(out=reference, use_cache=False, search=False))
        assert fresh.build().ok
        assert _tree(self.out) == _tree(reference)
        saved = Manifest.load(manifest_file(self.root, self.out))
        assert {rel: digest for rel, (digest, _) in saved.files.items()} == _tree(self.out)


def test_every_kind_of_edit_leaves_the_output_a_cold_build_makes(site: Path) -> None:
    served = Served(site)
    served.edit(11, "More text 11.", "Edited text 11.")  # the newest essay's text: in the feeds
    served.assert_as_cold()
    served.edit(1, "More text 1.", "Edited text 1.")  # an old essay's text: in no feed
    served.assert_as_cold()
    served.edit(7, '"Essay 7"', '"Essay seven"')  # what the listings show
    served.assert_as_cold()
    served.edit(0, '"solo"', '"chemistry"')  # a tag gone, a tag new: their pages come and go
    assert (served.out / "tags/chemistry/index.html").exists()
    assert not (served.out / "tags/solo/index.html").exists()
    served.assert_as_cold()
    served.edit(3, "More text 3.", "More text 3.\n\n::: upd 2026-03-01 corrects=#c3\nFixed.\n:::")  # a UPD
    served.assert_as_cold()
    served.edit(5, "old/e5/", "older/e5/")  # an alias: its redirect page moves
    assert not (served.out / "old/e5/index.html").exists()
    served.assert_as_cold()
    served.edit(10, "More text 10.", "[Twice.]{.claim #c10}", ok=False)  # a failed build in between
    served.edit(6, "More text 6.", "Edited text 6.", ok=False)  # still failing: e10 is broken
    served.edit(10, "[Twice.]{.claim #c10}", "Mended 10.")
    served.assert_as_cold()
    critique_file = site / "content/essays/e2/critiques/r.md"
    critique_file.write_text(critique_file.read_text().replace("Wrong.", "Quite wrong."))
    assert served.engine.build(frozenset({critique_file})).ok
    served.assert_as_cold()
    for part in sorted((site / "content/essays/e4").rglob("*"), reverse=True):
        part.unlink() if part.is_file() else part.rmdir()
    (site / "content/essays/e4").rmdir()
    assert served.engine.build(frozenset({site / "content/essays/e4"})).ok  # a deleted essay: a walk
    assert not (served.out / "essays/e4/index.html").exists()
    served.assert_as_cold()
    served.edit(8, "More text 8.", "Edited text 8.")  # after the walk, edits start from it again
    served.assert_as_cold()


def test_an_edit_that_moves_no_essay_renders_only_the_pages_that_show_it(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = Served(site)
    listed: list[int] = []
    listing_of = listed_essays.listing_of
    monkeypatch.setattr(listed_essays, "listing_of", lambda s: (listed.append(len(s)), listing_of(s))[1])

    served.edit(1, "More text 1.", "Edited text 1.")  # its text, in no feed: no site page at all
    assert (served.engine.last_stats.rendered, served.engine.last_stats.pages_rendered) == (1, 0)
    assert site_files(served) == set()
    served.edit(11, "More text 11.", "Edited text 11.")  # the newest's text: the feeds that carry it
    feeds_of_11 = {"feed.xml", "tags/maths/feed.xml", "tags/physics/feed.xml"}
    assert site_files(served) == feeds_of_11
    served.edit(11, '"Essay 11"', '"Essay eleven"')  # its title: and the listing pages that show it
    shown = {"index.html", "tags/maths/index.html", "tags/physics/index.html"}
    assert site_files(served) == feeds_of_11 | shown
    served.edit(8, "Corrected 8.", "Corrected 8, and better.")  # a UPD's text: the corrections page too
    assert {"corrections/index.html", "corrections/feed.xml"} <= site_files(served)
    assert listed == []  # the listing was never made again...
    served.assert_as_cold()
    listed.clear()  # (the cold build made one)
    served.edit(11, "2026-01-12", "2025-12-01")  # ...until an edit moves an essay in it
    assert listed == [N]
    served.assert_as_cold()


def test_a_serve_edit_saves_the_manifest_as_a_few_lines(site: Path) -> None:
    served = Served(site)
    saved = manifest_file(site, served.out)
    whole = saved.read_bytes()
    served.edit(1, "More text 1.", "Edited text 1.")
    assert saved.read_bytes() == whole  # the whole list is not written again...
    log = saved.with_suffix(".log")
    lines = log.read_text().splitlines()
    assert len(lines) == 1 and '"essays/e1/index.html"' in lines[0]  # ...only the entry that changed
    served.assert_as_cold()


def test_the_manifest_log_is_replayed_only_onto_its_own_list(tmp_path: Path) -> None:
    path = tmp_path / "manifest-x.json"
    first = Manifest({"a.html": ("1" * 32, 1), "b.html": ("2" * 32, 2)})
    first.save(path)
    assert first.save_edits(path, {"a.html": ("3" * 32, 3), "b.html": None, "c.html": ("4" * 32, 4)})
    expected = {"a.html": ("3" * 32, 3), "c.html": ("4" * 32, 4)}
    assert Manifest.load(path).files == expected
    with open(path.with_suffix(".log"), "a") as log:
        log.write('["half a line')  # a build killed while appending: the rest is ignored
    assert Manifest.load(path).files == expected
    Manifest({"z.html": ("5" * 32, 5)}).save(path)  # a whole save: the old log no longer applies
    assert not path.with_suffix(".log").exists()
    assert Manifest.load(path).files == {"z.html": ("5" * 32, 5)}


def test_a_log_grown_past_a_quarter_of_the_list_asks_for_a_whole_save(tmp_path: Path) -> None:
    path = tmp_path / "manifest-x.json"
    manifest = Manifest({f"essays/e{i}/index.html": ("0" * 32, 1000 + i) for i in range(40)})
    manifest.save(path)
    appended = 0
    while manifest.save_edits(path, {"essays/e0/index.html": (f"{appended:032d}", 1)}) and appended < 100:
        appended += 1
    assert 0 < appended < 40  # then the caller saves the whole list, and the log starts anew
    assert path.with_suffix(".log").stat().st_size > path.stat().st_size // 4
    assert Manifest.load(path).files["essays/e0/index.html"] == (f"{appended - 1:032d}", 1)
