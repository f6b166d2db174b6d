"""Screenshots of the demo site (the repository root) in headless Chromium.

    python scripts/screenshots.py [--out screenshots] [--full]

Builds the site into a temporary folder, serves it on 127.0.0.1 and saves PNGs of
every essay, the index and the corrections page at 1280, 1024 and 390 px wide, in the
light and the dark scheme: ``<page>-<width>-<scheme>.png`` shows the first screen,
``…-full.png`` (with ``--full``) the whole page.  ``--docs`` saves instead the two
pictures the README's reading-experience section shows (``docs/reading-*.png``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser import StaticServer, build_site, chromium, new_page  # noqa: E402

SIZES = {1280: 900, 1024: 768, 390: 844}


def pages(out: Path) -> list[tuple[str, str]]:
    """(name, path) of every essay page, then the index and the corrections page."""
    essays = sorted(p.parent for p in (out / "essays").glob("*/index.html"))
    found = [(folder.name, f"essays/{folder.name}/") for folder in essays]
    return found + [("index", ""), ("corrections", "corrections/")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "screenshots", help="where to save the PNGs")
    parser.add_argument("--full", action="store_true", help="also save whole-page screenshots")
    parser.add_argument("--docs", action="store_true", help="save the README's pictures into docs/")
    args = parser.parse_args(argv)
    if args.docs:
        return docs_pictures()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="counterpoint-shots-") as work:
        site = build_site(REPO, Path(work), search=True)
        saved = 0
        with StaticServer(site) as server, chromium() as browser:
            for name, path in pages(site):
                for width, height in SIZES.items():
                    for dark in (False, True):
                        page = new_page(browser, width, height=height, dark=dark)
                        page.goto(server.url + path)
                        page.wait_for_load_state("load")
                        page.evaluate("document.fonts.ready")
                        stem = f"{name}-{width}-{'dark' if dark else 'light'}"
                        page.screenshot(path=str(args.out / f"{stem}.png"))
                        saved += 1
                        if args.full:
                            page.screenshot(path=str(args.out / f"{stem}-full.png"), full_page=True)
                            saved += 1
                        page.context.close()
    print(f"saved {saved} screenshot(s) into {args.out}")
    return 0


# The README's pictures: a corrected passage of the English demo essay (was=, a UPD listing the
# claim it corrects, an addressed remark with the author's reply) on a wide screen, and on a phone
# in the dark scheme with the claim's remarks unfolded.
DOCS = (
    (
        "reading-1280.png",
        1280,
        900,
        False,
        "essays/why-tests-lie/",
        "#mutation-history",
        {"x": 120, "y": 0, "width": 1040, "height": 640},
    ),
    (
        "reading-390-dark.png",
        390,
        844,
        True,
        "essays/why-tests-lie/",
        "#mutation-history",
        {"x": 0, "y": 0, "width": 390, "height": 700},
    ),
)


def docs_pictures() -> int:
    with tempfile.TemporaryDirectory(prefix="counterpoint-shots-") as work:
        site = build_site(REPO, Path(work))
        with StaticServer(site) as server, chromium() as browser:
            for name, width, height, dark, path, anchor, clip in DOCS:
                page = new_page(browser, width, height=height, dark=dark)
                page.goto(server.url + path)
                page.wait_for_load_state("load")
                page.evaluate("document.fonts.ready")
                # the claim a little below the top, and on a phone its remarks unfolded
                page.evaluate(f"document.querySelector('{anchor}').scrollIntoView(); scrollBy(0, -{height // 6})")
                if width < 900:
                    page.click(f".claim-marker[data-for='{anchor[1:]}']")
                page.mouse.move(0, 0)
                page.wait_for_timeout(300)
                page.screenshot(path=str(REPO / "docs" / name), clip=clip)
                page.context.close()
    print(f"saved {len(DOCS)} picture(s) into {REPO / 'docs'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
