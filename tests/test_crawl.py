"""Every page kind exists and every internal link of every built page resolves to a built file, at the site
root and under a subpath, on the shipped content plus a generated corpus of a few hundred briefings."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from bench.corpus import make_corpus
from generator.build.builder import BuildOptions, build
from tests.conftest import ROOT, Page, briefing_md

PAGE_KINDS = [
    "index.html",
    "timeline/index.html",
    "digest/index.html",
    "situation/index.html",
    "search/index.html",
    "countries/russia/index.html",
    "countries/russia/feed.xml",
    "topics/conflict/feed.xml",
    "feed.xml",
    "rss.xml",
    "feed.json",
    "search/index.json",
    "regions/index.html",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("crawl")
    make_corpus(300, root / "corpus")
    shutil.copytree(root / "corpus" / "content", root / "content")
    shutil.copytree(ROOT / "content", root / "content", dirs_exist_ok=True)
    (root / "site.yaml").write_text(
        "title: Crawl\ntaxonomies: [countries, people, organisations, topics, regions]\n",
        encoding="utf-8",
    )
    (root / "content/briefings/trend.md").write_text(
        briefing_md(
            "Trend report",
            date="2024-03-01T09:00:00+00:00",
            countries=["Russia", "Sudan"],
            regions=["Europe"],
            trend={"Russia": "deteriorated", "Sudan": "improved"},
            alert="conflict-risk",
        ),
        encoding="utf-8",
    )
    return root


@pytest.mark.parametrize("base_url", ["https://example.org/", "https://example.org/briefings/"])
def test_every_internal_link_resolves(project, tmp_path, base_url):
    output = tmp_path / "out"
    build(project, BuildOptions(run_import=False, base_url=base_url, output=output))
    for rel in PAGE_KINDS:
        assert (output / rel).is_file(), rel
    assert (
        len(list(output.glob("timeline/20*/index.html"))) >= 10
        and len(list(output.glob("digest/20*-W*/index.html"))) > 100
    )
    base_path = urlsplit(base_url).path
    host = urlsplit(base_url).netloc
    broken: list[str] = []
    pages = sorted(output.rglob("*.html"))
    assert len(pages) > 600
    for html in pages:
        page = Page.parse(html.read_text(encoding="utf-8"))
        refs = (
            page.links()
            + [str(a["src"]) for a in page.all("script") if a.get("src")]
            + [str(a["action"]) for a in page.all("form") if a.get("action")]
        )
        for ref in refs:
            parts = urlsplit(ref)
            if parts.scheme in ("mailto", "tel", "data") or (parts.netloc and parts.netloc != host):
                continue
            if not parts.path:
                continue  # '#anchor' on the same page
            if not parts.path.startswith(base_path):
                broken.append(f"{html.relative_to(output)}: {ref} leaves {base_path}")
                continue
            target = output / unquote(parts.path[len(base_path) :])
            if parts.path.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{html.relative_to(output)}: {ref}")
    assert broken == [], broken[:20]
