"""`briefings init DIR`: a new site to start from (site.yaml, content/, seeds/, an example briefing), as
`hugo new site` makes one. Writes only into an empty (or new) folder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from generator.core.errors import SiteError

SITE_YAML = """\
# Every key is optional; see the README's Configuration section for all of them.
title: {title}
description: Geopolitical briefings
# Where the site will live, with any subpath: every link and feed follows it.
base_url: http://localhost:8000/
language: en
timezone: UTC
# author: Your Name
# publisher: Your Desk
"""

EXAMPLE_BRIEFING = """\
---
title: Welcome to Your Briefings Site
date: {date}
summary: This example briefing shows the front matter a briefing carries; edit it or delete it.
takeaways:
  - A briefing is a Markdown file in content/briefings/ with YAML front matter.
  - Countries, people, organisations and topics become pages of their own.
  - Run `briefings serve` to see every change as you save.
countries: [France, Germany]
organisations: [European Union]
topics: [Diplomacy]
sources:
  - id: guide
    title: How to write a briefing
    publisher: Briefings documentation
    url: https://example.org/guide
---

## What this is

Write the body in Markdown. Cite a source with its id[^guide]; the page ends with a numbered Sources
list. `## Section` headings get anchors and a table of contents.

## Next steps

Create a new briefing with `briefings new "Headline"`, or drop plain-text news items into `seeds/` and
run `briefings build`: each becomes a briefing with its countries, people and organisations found.
"""

ABOUT_PAGE = """\
---
title: About
description: Who writes these briefings and how.
---

Say who you are, how you work and how readers can reach you.
"""

GITIGNORE = "/output/\n/.cache/\n"


def init_site(folder: Path, title: str = "Briefings") -> list[Path]:
    """Create a new site in `folder` (which must be empty or absent); the files written."""
    if folder.exists() and not folder.is_dir():
        raise SiteError.at(folder, None, "exists and is not a folder; choose a new folder name")
    if folder.is_dir() and any(not p.name.startswith(".") for p in folder.iterdir()):
        what = "a site already" if (folder / "site.yaml").exists() else "files"
        raise SiteError.at(
            folder, None, f"holds {what}; run `briefings init` with a new or empty folder"
        )
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    files = {
        "site.yaml": SITE_YAML.format(title=title),
        "content/briefings/welcome-to-your-briefings-site.md": EXAMPLE_BRIEFING.format(
            date=now.isoformat()
        ),
        "content/pages/about.md": ABOUT_PAGE,
        "seeds/.gitkeep": "",
        "themes/.gitkeep": "",
        ".gitignore": GITIGNORE,
    }
    written = []
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


# `briefings new`: a draft briefing's file
NEW_BRIEFING = """---
title: {title}
date: '{date}'
summary: ''
takeaways: []
{terms}draft: true
---

Write the briefing here. Use `## Section heading` lines for sections.
"""
