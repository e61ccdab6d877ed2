"""Screenshot built pages in headless Chromium: python scripts/screenshots.py [OUTPUT_DIR] [--out screenshots/].

Serves the output folder on 127.0.0.1 at the site's base path, then captures desktop (1280 px, light and
dark) and phone (390 px) views of the main page kinds, and prints the seed briefing to PDF.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def first(output: Path, pattern: str) -> str | None:
    found = sorted(output.glob(pattern))
    return found[0].parent.relative_to(output).as_posix() + "/" if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", nargs="?", default="output")
    parser.add_argument("--out", default="screenshots")
    args = parser.parse_args()
    output, out = Path(args.output).resolve(), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    pages = {
        "home": "",
        "briefing": first(output, "briefings/*/index.html"),
        "country": first(output, "countries/*/index.html"),
        "countries": "countries/",
        "timeline": "timeline/" if (output / "timeline").is_dir() else None,
    }
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for scheme in ("light", "dark"):
                for label, width in (("desktop", 1280), ("phone", 390)):
                    if scheme == "dark" and label == "phone":
                        continue
                    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
                    for name, path in pages.items():
                        if path is None:
                            continue
                        page.goto(base + path)
                        target = out / f"{name}-{label}-{scheme}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target)
                    page.close()
            if pages["briefing"]:
                page = browser.new_page()
                page.goto(base + pages["briefing"])
                page.pdf(path=str(out / "briefing.pdf"), format="A4", print_background=True)
                print(out / "briefing.pdf")
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
