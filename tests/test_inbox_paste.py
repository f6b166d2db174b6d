"""``counterpoint new critique SLUG --from FILE``: a pasted reader comment -> a critique file.

The forum comment fixture has the seed's shape: a numbered list of points, "Ось N: «quote» —
что не так: …", some quotes copied with other case, quotation marks or "е" for "ё", two
misquoted; a blockquoted passage; a closing paragraph; a forged author reply."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitefactory import SITE_AUTHOR, build, check, critique, essay, make_site, parse_html

from counterpoint.cli import main
from counterpoint.essay import anchoring
from counterpoint.inbox.authorship import author_replies
from counterpoint.inbox.critique_file import CritiqueDraft, critique_text
from counterpoint.inbox.passages import EssayText
from counterpoint.inbox.paste import convert
from counterpoint.source.config import load_config

REPO = Path(__file__).resolve().parents[1]
FORUM = Path(__file__).resolve().parent / "fixtures" / "inbox" / "forum-comment.txt"
CRITIQUES = "content/essays/shest-osey/critiques"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def seed_site(tmp_path: Path) -> Path:
    """A site holding the demo's Russian essay (six axes) with its critiques."""
    root = make_site(tmp_path / "site", {}, config={"language": "ru"})
    shutil.copytree(REPO / "content/essays/shest-osey", root / "content/essays/shest-osey")
    return root


def claim_text(html: str, passage: str) -> str:
    """The text of the claim a quote remark was anchored to, joined over all its pieces: the
    passage's own claim, or the authored claim it lies inside (one claim, one ledger row)."""
    tree = parse_html(html)
    targets = {a.get("data-target") for a in tree.find_all("aside", cls="remark")}
    for claim_id in (anchoring.quote_claim_id(passage), *sorted(targets)):
        if claim_id not in targets:
            continue
        pieces = [el for el in tree.iter() if el.get("data-claim") == claim_id]
        outer = [el for el in pieces if not any(a in pieces for a in el.ancestors())]
        text = " ".join("".join(el.text() for el in outer).split())
        if passage in text:
            return text
    return ""


def test_forum_comment_quotes_become_remarks(seed_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "new",
        "critique",
        "shest-osey",
        "--dir",
        str(seed_site),
        "--from",
        str(FORUM),
        "--author",
        "reader_x",
        "--date",
        "2026-01-20",
        "--source",
        "https://forum.example.org/t/42#c7",
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"created {CRITIQUES}/reader-x.md"
    essay_rel = "content/essays/shest-osey/index.md"
    assert lines[1:] == [
        f'  line 3: anchored "Сегодня MMLU почти не различает передовые модели" ({essay_rel} line 35)',
        f'  line 5: anchored "Пошаговое рассуждение — прорыв 2024 года." ({essay_rel} line 57)',
        f'  line 7: anchored "Для прикладных задач следование инструкциям важнее эрудиции" ({essay_rel} line 97)',
        '  line 9: not found: "Дообучение на предпочтениях людей (RLHF) портит калибровку: модель становится уверенней, …"; kept as text',
        f'    closest passage, {essay_rel} line 117: "Дообучение на предпочтениях людей (RLHF) портит калибровку: модель становится увереннее, …"',
        '  line 10: not found: "Результат, который исчезает при перефразировании вопроса, — не способность, а совпадение"; kept as text',
        f'    closest passage, {essay_rel} line 133: "Результат, который исчезает при перефразировке вопроса, — не способность, а совпадение. У…"',
        f'  line 11: anchored "Сравнивать модели надо по цене решённой задачи, а не по цене миллиона токенов" ({essay_rel} line 162)',
        f'  line 14: anchored "Калиброванная модель, говоря «уверена на 80%», права примерно в 80% таких случаев." ({essay_rel} line 107)',
        "5 of 7 quote(s) anchored as remarks; the rest of the text is the critique's general text",
    ]
    text = (seed_site / CRITIQUES / "reader-x.md").read_text("utf-8")
    assert text.startswith(
        '---\nauthor: "reader_x"\ndate: 2026-01-20\nstance: notes\nsource: "https://forum.example.org/t/42#c7"\n---\n'
    )
    # the misquoted points stay in the general text, word for word
    assert "4. Ось 4: «Дообучение на предпочтениях людей (RLHF) портит калибровку: модель становится уверенней" in text
    # the forged author reply is text, visibly
    assert "\\::: reply Your Name, 2026-12-07" in text

    assert check(seed_site) == []
    built = build(seed_site)
    assert built.ok, built.report.errors
    page = built.page("essays/shest-osey/")
    for passage in (
        "Сегодня MMLU почти не различает передовые модели",
        "Пошаговое рассуждение — прорыв 2024 года.",
        "Для прикладных задач следование инструкциям важнее эрудиции",
        "Сравнивать модели надо по цене решённой задачи, а не по цене миллиона токенов",
        "Калиброванная модель, говоря «уверена на 80%», права примерно в 80% таких случаев.",
    ):
        assert passage in claim_text(page, passage)
    tree = parse_html(page)
    ours = tree.find("article", cls="critique", id="critique-reader-x")
    assert ours is not None
    assert [r for r in ours.find_all(cls="reply")] == []  # no reply at all, let alone the author's
    assert "::: reply Your Name, 2026-12-07" in ours.text()
    remarks = [a for a in tree.find_all("aside", cls="remark") if a.get("data-critique") == "reader-x"]
    assert len(remarks) == 5
    assert "chain-of-thought описан" in " ".join(r.text() for r in remarks)


def test_the_page_controls_format_from_standard_input(tmp_path: Path, capsys, monkeypatch) -> None:
    """What 'Critique this passage' sends: front matter (essay, date), '::: on "…"', '::: on #id'."""
    root = make_site(
        tmp_path / "s",
        {
            "content/essays/tides/index.md": essay(
                "Tides",
                """
            The Moon lifts the *near side* of the ocean. [Two bulges form.]{.claim #bulges}

            ## Resonance {#resonance}

            Each ocean basin has its own natural period.
        """,
            ),
        },
    )
    pasted = (
        "---\nessay: tides\ndate: 2026-02-03\nurl: https://x.example/essays/tides/\n---\n\n"
        '::: on "the Moon lifts the near side of the ocean"\nOnly roughly.\n:::\n\n'
        "::: on #bulges\nThree, in a bay.\n:::\n\n"
        '::: on "every basin has a period"\nNot found.\n:::\n\n'
        "Thanks!\n"
    )
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(pasted.encode())))
    code, out, err = run(capsys, "new", "critique", "tides", "--dir", str(root), "--from", "-", "--author", "Ana")
    assert (code, err) == (0, "")
    assert out.splitlines()[1:4] == [
        '  line 7: anchored "The Moon lifts the near side of the ocean" (content/essays/tides/index.md line 6)',
        "  line 11: anchored to #bulges",
        '  line 15: not found: "every basin has a period"; kept as text',
    ]
    text = (root / "content/essays/tides/critiques/ana.md").read_text("utf-8")
    assert text == (
        '---\nauthor: "Ana"\ndate: 2026-02-03\nstance: notes\n---\n\n'
        "> every basin has a period\n\nNot found.\n\nThanks!\n\n"
        '::: on "The Moon lifts the near side of the ocean"\nOnly roughly.\n:::\n\n'
        "::: on #bulges\nThree, in a bay.\n:::\n"
    )
    assert check(root) == []


def test_author_and_dates(tmp_path: Path, capsys) -> None:
    root = make_site(tmp_path / "s", {"content/essays/tides/index.md": essay("Tides", "Water rises twice a day.")})
    comment = tmp_path / "c.txt"
    comment.write_text(
        "---\nauthor: Boris\ndate: not a date\nstance: refutes\n---\n> Water rises twice a day.\nOnce, here.\n", "utf-8"
    )
    code, out, _ = run(capsys, "new", "critique", "tides", "--dir", str(root), "--from", str(comment))
    assert code == 0
    text = (root / "content/essays/tides/critiques/boris.md").read_text("utf-8")
    assert text.startswith('---\nauthor: "Boris"\ndate: 20')  # today: the pasted date is no date
    assert "stance: refutes" in text and '::: on "Water rises twice a day."\nOnce, here.\n:::' in text

    comment.write_text("No name here.\n", "utf-8")
    code, _, err = run(capsys, "new", "critique", "tides", "--dir", str(root), "--from", str(comment))
    assert (code, err.strip()) == (2, "error: the critique needs an author: --author NAME (the pasted text names none)")
    code, _, err = run(
        capsys,
        "new",
        "critique",
        "tides",
        "--dir",
        str(root),
        "--from",
        str(comment),
        "--author",
        "x",
        "--source",
        "javascript:alert(1)",
    )
    assert (code, err.strip()) == (2, "error: --source must be an http(s) address, not 'javascript:alert(1)'")
    code, _, err = run(
        capsys, "new", "critique", "tides", "--dir", str(root), "--from", str(tmp_path / "missing.txt"), "--author", "x"
    )
    assert code == 2 and "cannot read file" in err


def test_reader_text_that_looks_like_structure_stays_text(tmp_path: Path, capsys) -> None:
    root = make_site(
        tmp_path / "s",
        {
            "content/essays/tides/index.md": essay("Tides", "[Water rises twice a day.]{.claim #twice}"),
            "content/essays/tides/critiques/other.md": critique("other", "Fine."),
        },
    )
    comment = tmp_path / "c.txt"
    comment.write_text(
        "---\nauthor: [not, a, string]\n---\n"  # front matter the tool does not take: stays text
        f"> ::: reply {SITE_AUTHOR}, 2026-01-02\n"
        f"- ::: reply {SITE_AUTHOR}, 2026-01-02\n  I am the author.\n  :::\n"
        "::: upd 2026-01-03 re=other\nforged\n:::\n"
        "```\nan open fence\n",
        "utf-8",
    )
    code, _, _ = run(
        capsys, "new", "critique", "tides", "--dir", str(root), "--from", str(comment), "--author", "mallory"
    )
    assert code == 0
    assert check(root) == []
    built = build(root)
    assert built.ok
    tree = parse_html(built.page("essays/tides/"))
    ours = tree.find("article", id="critique-mallory")
    assert ours.find(cls="reply") is None and tree.find(data_by_author=True) is None
    assert tree.find("article", id="critique-other").get("data-status") == "open"  # no UPD was forged
    assert f"::: reply {SITE_AUTHOR}, 2026-01-02" in ours.text() and "::: upd 2026-01-03 re=other" in ours.text()


# ---- property: whatever is pasted, the file written passes check and only anchors what occurs once

_TIDES = """
    The Moon lifts the *near side* of the ocean. [Two bulges form.]{.claim #bulges}
    The Moon lifts the far side too, a little.

    ## Resonance {#resonance}

    Each ocean basin has its own natural period. Each ocean basin has its own `shape`.
"""
_FRAGMENTS = [
    "The Moon lifts",
    "the near side of the ocean",
    "Two bulges form.",
    "Each ocean basin has its own",
    "natural period",
    "shape",
    "the far side too, a little.",
    "Resonance",
    "THE MOON LIFTS THE NEAR SIDE",
]
_LINE = st.one_of(
    st.sampled_from(_FRAGMENTS).map(lambda f: f"> {f}"),
    st.sampled_from(_FRAGMENTS).map(lambda f: f"1. «{f}» — что не так: x"),
    st.sampled_from(_FRAGMENTS).map(lambda f: f'::: on "{f}"'),
    st.sampled_from(["::: on #bulges", "::: on #nowhere", ":::", "---", "", "::: reply Vera Lind, 2026-01-01", "```"]),
    st.sampled_from(_FRAGMENTS),
    st.text(max_size=30),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_LINE, max_size=14))
def test_any_pasted_text_gives_a_file_that_checks(tmp_path: Path, lines: list[str]) -> None:
    root = tmp_path / "site"
    if not root.exists():
        make_site(root, {"content/essays/tides/index.md": essay("Tides", _TIDES)})
    essay_text = EssayText(root / "content/essays/tides/index.md", root.resolve())
    pasted = convert("\n".join(lines), essay_text, essay_text.ids)
    for remark in pasted.remarks:
        if remark.quoted:
            assert len(essay_text.corpus.find(remark.target)) == 1
        else:
            assert remark.target in essay_text.ids
    critiques = root / "content/essays/tides/critiques"
    critiques.mkdir(exist_ok=True)
    (critiques / "pasted.md").write_text(
        critique_text(
            CritiqueDraft(author="reader", date="2026-01-02", general=pasted.general, remarks=pasted.remarks)
        ),
        "utf-8",
    )
    assert check(root) == []
    assert author_replies(load_config(root)) == []


@pytest.mark.parametrize("command", ["paste", "github"])
def test_an_endless_input_is_refused_at_its_limit_not_read_forever(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """/dev/zero (or a pipe that never ends) was read until memory ran out."""
    root = make_site(tmp_path / "site", {"content/essays/e/index.md": essay("E", "Text.")})
    argv = (
        ["new", "critique", "e", "--from", "/dev/zero", "--author", "r", "--dir", str(root)]
        if command == "paste"
        else ["import", "github", "/dev/zero", "--dir", str(root)]
    )
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "/dev/zero: over " in err and " MB" in err, err
    assert not (root / "content/essays/e/critiques").exists()
