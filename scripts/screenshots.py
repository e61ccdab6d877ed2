"""Screenshot built pages in headless Chromium: python scripts/screenshots.py [OUTPUT_DIR] [--out screenshots/].

Serves the output folder on 127.0.0.1, then captures desktop (1280 px, light and dark) and phone (390 px)
views of home, a briefing, a country page, the countries map and the timeline, prints the seed briefing to
PDF (and to PNG pages with pdftoppm, when poppler-utils is installed), and with --axe reports axe-core
WCAG 2.1 AA violations of each page in light and dark mode. With --demo, first builds a sample site (the
shipped content plus generated briefings over many countries and months) so the maps and charts have data.
Images are written to --out and are not meant to be committed.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import random
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def first(output: Path, pattern: str) -> str | None:
    found = sorted(output.glob(pattern))
    return found[0].parent.relative_to(output).as_posix() + "/" if found else None


def build_demo(root: Path, count: int = 160) -> Path:
    """A sample project in `root`: the shipped site.yaml and content plus `count` generated briefings;
    returns its output."""
    import yaml

    from generator.build.builder import BuildOptions, build

    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copytree(ROOT / "content", root / "content", dirs_exist_ok=True)
    rng = random.Random(8)
    countries = [
        "Russia",
        "Ukraine",
        "United States",
        "China",
        "Taiwan",
        "Iran",
        "Israel",
        "Sudan",
        "Mali",
        "Niger",
        "Venezuela",
        "Brazil",
        "India",
        "Pakistan",
        "Germany",
        "France",
        "Ethiopia",
        "Singapore",
        "Kosovo",
    ]
    body = (
        "Officials said talks would continue next week, though few expected a breakthrough. "
        "[An earlier report](https://example.org/report) set out the stakes.\n\n## What happened\n\n"
        + "The parties restated their positions and blamed each other for the delay. " * 6
        + "\n\n## Why it matters\n\n"
        + "The outcome shapes alliances, markets and aid in the region. " * 6
        + "\n\n## What to watch\n\n- The next round of talks.\n- Troop movements near the border.\n"
    )
    people = ["Vladimir Putin", "Volodymyr Zelenskyy", "Sergey Lavrov", "Jane Doe"]
    directions = ["deteriorated", "unchanged", "unchanged", "improved"]
    for i in range(count):
        picked = rng.sample(countries, 2) if i % 3 else ["Russia", rng.choice(countries[1:])]
        meta = {
            "title": f"{picked[0]} and {picked[1]}: talks stall as pressure mounts ({i + 1})",
            "date": f"{2024 + i * 30 // count // 12}-{1 + i * 30 // count % 12:02d}-"
            f"{1 + i * 7 % 27:02d}T08:00:00+00:00",
            "summary": "What changed, and what it means for decision-makers, in two sentences at most.",
            "takeaways": [
                "The first thing a reader should know.",
                "The risk that follows from it.",
                "What to watch next.",
            ],
            "countries": picked,
            "people": [people[i % len(people)]],
            "organisations": ["United Nations"] if i % 4 else ["NATO", "United Nations"],
            "topics": [rng.choice(["Conflict", "Diplomacy", "Security", "Economy", "Elections"])],
            "source": {"name": "Example News", "url": "https://example.org/story"},
            "trend": {
                picked[0]: directions[rng.randrange(4)],
                picked[1]: directions[rng.randrange(4)],
            },
        }
        if i % 13 == 0:
            meta["alert"] = {picked[0]: "conflict-risk"}
        lead = f"Envoys said the leadership of {picked[1]} had hardened its position since the last round.\n\n"
        text = (
            "---\n"
            + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
            + "---\n\n"
            + lead
            + body
        )
        (root / "content" / "briefings" / f"demo-{i:02d}.md").write_text(text, encoding="utf-8")
    rich_briefing(root)
    report = build(root, BuildOptions(run_import=False))
    print(report.summary())
    return report.output


RICH = "briefings/sahel-juntas-close-ranks/"


def rich_briefing(root: Path) -> None:
    """A page bundle with a lead photo, a figure with caption and credit, callouts, a map, a chart, a table."""
    from PIL import Image, ImageDraw, ImageFilter

    folder = root / "content/briefings/sahel-juntas-close-ranks"
    folder.mkdir(parents=True, exist_ok=True)
    sky = Image.linear_gradient("L").resize((2400, 1600)).convert("RGB")
    photo = Image.merge(
        "RGB",
        [
            b.point(f)
            for b, f in zip(
                sky.split(),
                (lambda v: 120 + v // 3, lambda v: 150 + v // 4, lambda v: 200 + v // 5),
                strict=True,
            )
        ],
    )
    draw = ImageDraw.Draw(photo)
    draw.rectangle((0, 1000, 2400, 1600), fill=(176, 132, 84))
    for x in range(0, 2400, 160):
        draw.ellipse((x, 880 + (x * 7) % 90, x + 220, 1080), fill=(92, 110, 60))
    draw.rectangle((900, 760, 1500, 1040), fill=(210, 190, 160))
    photo = Image.blend(
        photo.filter(ImageFilter.GaussianBlur(2)),
        Image.effect_noise((2400, 1600), 40).convert("RGB"),
        0.12,
    )
    photo.save(folder / "niamey.jpg", quality=88)
    (root / "content/_data").mkdir(parents=True, exist_ok=True)
    (root / "content/_data/sahel-displacement.csv").write_text(
        "month,displaced\nJun,41200\nJul,44800\nAug,52300\nSep,58900\nOct,61750\nNov,66400\n",
        encoding="utf-8",
    )
    (folder / "index.md").write_text(
        """---
title: Sahel juntas close ranks as displacement climbs
date: 2026-11-24T08:00:00+00:00
summary: Mali, Burkina Faso and Niger are deepening their alliance while the number of people displaced rises.
takeaways: [The confederation now has a joint force., Displacement rose by 60% since June.]
countries: [Mali, Niger]
topics: [Security]
image: {src: niamey.jpg, alt: "The outskirts of Niamey at dusk"}
---

The three juntas met in Niamey on Saturday and announced a joint force of 5,000 troops.

!!! assessment "Assessment"
    The force is more political signal than military capability; expect little change on the ground before 2027.

## Where

{{< map countries="Mali, Niger" caption="Mali and Niger, where most of the displacement is." >}}

## Displacement

CHART

FIGURE

{{< table data="sahel-displacement" caption="Displaced people by month" source="UNHCR (illustrative figures)" >}}

!!! warning "Caveat"
    Figures for October and November are provisional.

!!! key-judgement "Key judgement"
    The alliance will likely hold through 2027 (moderate confidence).
""".replace("CHART", CHART).replace("FIGURE", FIGURE),
        encoding="utf-8",
    )


CHART = (
    '{{< chart data="sahel-displacement.csv" x="month" y="displaced" title="Displaced in Mali and Niger" '
    'unit="people" source="UNHCR (illustrative)" >}}'
)
FIGURE = (
    '![Market stalls on the road out of Niamey](niamey.jpg "The road out of Niamey, 22 November")'
    '{: credit="Photo: Example" licence="CC BY 4.0"}'
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "output", nargs="?", default="output", help="built site folder (default: output)"
    )
    parser.add_argument("--out", default="screenshots", help="where to write PNG and PDF files")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="build and shoot a sample site with many briefings instead",
    )
    parser.add_argument(
        "--axe",
        action="store_true",
        help="also run axe-core (WCAG 2.1 AA) on every page, light and dark",
    )
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = tempfile.TemporaryDirectory() if args.demo else None
    output = build_demo(Path(scratch.name)) if scratch else Path(args.output).resolve()
    handler = functools.partial(QuietHandler, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    briefing = "briefings/putin-signals-resolve-as-ukraine-peace-talks-stall/"
    pages = {
        "home": "",
        "briefing": briefing
        if (output / briefing).is_dir()
        else first(output, "briefings/*/index.html"),
        "country": "countries/russia/"
        if (output / "countries/russia").is_dir()
        else first(output, "countries/*/index.html"),
        "countries": "countries/",
        "timeline": "timeline/" if (output / "timeline").is_dir() else None,
        "rich": RICH if (output / RICH).is_dir() else None,
        "person": "people/vladimir-putin/"
        if (output / "people/vladimir-putin").is_dir()
        else first(output, "people/*/index.html"),
        "situation": "situation/",
        "digest": first(output, "digest/*/index.html"),
        "search": "search/?q=talks",
    }
    violations = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for scheme in ("light", "dark"):
                for label, width in (("desktop", 1280), ("phone", 390)):
                    if scheme == "dark" and label == "phone":
                        continue
                    page = browser.new_page(
                        viewport={"width": width, "height": 900}, color_scheme=scheme
                    )
                    for name, path in pages.items():
                        if path is None:
                            continue
                        page.goto(base + path)
                        target = out / f"{name}-{label}-{scheme}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target)
                        if args.axe and label == "desktop":
                            violations += run_axe(page, f"{name} ({scheme})")
                    page.close()
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.emulate_media(media="print")
            for name in ("country", "person", "situation"):
                if pages[name]:
                    page.goto(base + str(pages[name]))
                    target = out / f"{name}-print.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
            page.close()
            for name in ("briefing", "rich"):
                if not pages[name]:
                    continue
                page = browser.new_page()
                page.goto(base + str(pages[name]))
                pdf = out / f"{name}.pdf"
                page.pdf(path=str(pdf), format="A4")
                print(pdf)
                if shutil.which("pdftoppm"):
                    subprocess.run(
                        ["pdftoppm", "-png", "-r", "60", str(pdf), str(out / f"{name}-print")],
                        check=True,
                    )
                    for png in sorted(out.glob(f"{name}-print*.png")):
                        print(png)
            browser.close()
    finally:
        server.shutdown()
        if scratch:
            scratch.cleanup()
    if violations:
        sys.exit(f"axe: {violations} violation(s)")


def run_axe(page, label: str) -> int:  # type: ignore[no-untyped-def]
    """Print axe-core WCAG 2.1 AA violations of the loaded page; return how many."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    found = results.response["violations"]
    print(f"axe {label}: {len(found)} violation(s)")
    for v in found:
        print(f"  {v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:5]}")
    return len(found)


if __name__ == "__main__":
    main()
