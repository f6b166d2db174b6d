"""Screenshots of the demo site (the repository root) in headless Chromium.

    python scripts/screenshots.py [--out screenshots] [--full]

Builds the site into a temporary folder, serves it on 127.0.0.1 and saves PNGs of
every essay, the index and the corrections page at 1280 px and 390 px wide, in the
light and the dark scheme: ``<page>-<width>-<scheme>.png`` shows the first screen,
``…-full.png`` (with ``--full``) the whole page.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser import StaticServer, build_site, chromium, new_page  # noqa: E402

SIZES = {1280: 900, 390: 844}


def pages(out: Path) -> list[tuple[str, str]]:
    """(name, path) of every essay page, then the index and the corrections page."""
    essays = sorted(p.parent for p in (out / "essays").glob("*/index.html"))
    found = [(folder.name, f"essays/{folder.name}/") for folder in essays]
    return found + [("index", ""), ("corrections", "corrections/")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "screenshots", help="where to save the PNGs")
    parser.add_argument("--full", action="store_true", help="also save whole-page screenshots")
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    raise SystemExit(main())
