"""A deterministic corpus of N briefings (~700 words, 2–4 tags each) for this generator, Hugo and Pelican.

    python -m bench.corpus N DIR [--seeds] [--hugo HUGO_DIR] [--pelican PELICAN_DIR] [--seed S]

The same `seed` always gives the same bytes. Tags are drawn from realistic pools with a Zipf-like skew
(a few countries carry most briefings, as in a real archive); dates spread over the years before 2026.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from generator.read.seed_index import sha256_hex

COUNTRIES = [
    "United States",
    "Russia",
    "Ukraine",
    "China",
    "Israel",
    "Iran",
    "India",
    "Germany",
    "France",
    "United Kingdom",
    "Turkey",
    "Japan",
    "Saudi Arabia",
    "Syria",
    "Pakistan",
    "Brazil",
    "North Korea",
    "South Korea",
    "Taiwan",
    "Poland",
    "Egypt",
    "Afghanistan",
    "Iraq",
    "Venezuela",
    "Mexico",
    "Nigeria",
    "Ethiopia",
    "Sudan",
    "Yemen",
    "Lebanon",
    "Qatar",
    "Indonesia",
    "Philippines",
    "Vietnam",
    "Australia",
    "Canada",
    "Italy",
    "Spain",
    "Hungary",
    "Serbia",
    "Georgia",
    "Armenia",
    "Azerbaijan",
    "Kazakhstan",
    "Belarus",
    "Moldova",
    "Libya",
    "Mali",
    "Niger",
    "Somalia",
    "South Africa",
    "Kenya",
    "Colombia",
    "Argentina",
    "Chile",
    "Myanmar",
    "Thailand",
    "Bangladesh",
    "Sri Lanka",
    "Greece",
]
PEOPLE = [
    "Vladimir Putin",
    "Volodymyr Zelenskyy",
    "Xi Jinping",
    "Donald Trump",
    "Benjamin Netanyahu",
    "Narendra Modi",
    "Emmanuel Macron",
    "Olaf Scholz",
    "Recep Tayyip Erdoğan",
    "Ali Khamenei",
    "Kim Jong Un",
    "Mohammed bin Salman",
    "Luiz Inácio Lula da Silva",
    "Keir Starmer",
    "Giorgia Meloni",
    "Viktor Orbán",
    "Antonio Guterres",
    "Ursula von der Leyen",
    "Mark Rutte",
    "Javier Milei",
    "Claudia Sheinbaum",
    "Cyril Ramaphosa",
    "Abiy Ahmed",
    "Shehbaz Sharif",
    "Prabowo Subianto",
    "Fumio Kishida",
    "Yoon Suk Yeol",
    "Lai Ching-te",
    "Alexander Lukashenko",
    "Ilham Aliyev",
    "Nikol Pashinyan",
    "Bashar al-Assad",
    "Masoud Pezeshkian",
    "Andrzej Duda",
    "Pedro Sánchez",
    "Justin Trudeau",
    "Anthony Albanese",
    "Ferdinand Marcos Jr.",
    "Kassym-Jomart Tokayev",
    "Sergey Lavrov",
]
ORGANISATIONS = [
    "NATO",
    "United Nations",
    "European Union",
    "G7",
    "BRICS",
    "African Union",
    "OPEC",
    "IAEA",
    "World Bank",
    "International Monetary Fund",
    "ASEAN",
    "Hamas",
    "Hezbollah",
    "Wagner Group",
    "World Health Organization",
    "UN Security Council",
    "Shanghai Cooperation Organisation",
    "Arab League",
    "Houthis",
    "ECOWAS",
    "International Criminal Court",
    "OSCE",
    "G20",
    "Quad",
    "AUKUS",
]
TOPICS = [
    "Conflict",
    "Diplomacy",
    "Security",
    "Energy",
    "Trade",
    "Elections",
    "Sanctions",
    "Nuclear",
    "Migration",
    "Climate",
    "Terrorism",
    "Human Rights",
    "Economy",
    "Cyber",
    "Maritime",
]
TAXONOMY_POOLS = {
    "countries": COUNTRIES,
    "people": PEOPLE,
    "organisations": ORGANISATIONS,
    "topics": TOPICS,
}

OPENERS = [
    "Officials in {c} said on {day} that",
    "According to diplomats familiar with the talks,",
    "Analysts in {c} warned that",
    "In a statement released late on {day},",
    "Speaking to reporters in the capital,",
    "Senior figures close to {p} argued that",
    "A spokesperson for {o} confirmed that",
    "Western intelligence assessments suggest that",
    "Regional observers noted that",
]
CLAIMS = [
    "the government would not abandon its stated objectives despite mounting pressure",
    "negotiations over a ceasefire framework had stalled for a third consecutive week",
    "energy exports through the main corridor fell sharply after the latest incident",
    "the sanctions package targets banks, shipping firms and defence suppliers",
    "troop movements near the border had intensified over the previous days",
    "a new round of talks could begin as early as next month if conditions allow",
    "the ruling coalition faces a difficult vote on the budget and security spending",
    "humanitarian access to contested areas remains severely restricted",
    "the central bank raised interest rates to defend a weakening currency",
    "inspectors had been denied access to several declared sites",
    "the agreement would cap production and extend cooperation into next year",
    "protests spread from the capital to several provincial cities over the weekend",
    "maritime patrols were stepped up after a vessel was seized in international waters",
    "cyber attacks on critical infrastructure had grown in scale and sophistication",
    "the opposition rejected the preliminary results and called for a recount",
]
FOLLOWS = [
    "The move underscores how fragile the regional balance has become.",
    "Critics say the approach risks widening divisions among allies.",
    "Markets reacted cautiously, with benchmark yields edging higher.",
    "The decision is likely to shape the agenda of the next summit.",
    "Diplomats cautioned that any breakthrough would require verifiable guarantees.",
    "Rights groups called for an independent investigation into the events.",
    "The timing, days before a key vote, was not lost on observers.",
    "Neighbouring states have so far responded with measured statements.",
    "Supply chains that depend on the route face weeks of disruption.",
    "The episode revives long-standing questions about accountability and oversight.",
]
HEADINGS = [
    "Context and Background",
    "What This Means for {c}",
    "The Diplomatic Stakes",
    "Security Implications",
    "Economic Fallout",
    "Regional Reactions",
    "The Road Ahead",
    "Why {o} Matters Here",
    "Domestic Politics in {c}",
    "What to Watch Next",
]
TAKEAWAYS = [
    "{c} is unlikely to change course without significant outside pressure.",
    "The role of {o} will be decisive in the coming weeks.",
    "{p} faces growing domestic constraints on foreign policy.",
    "Energy and trade links remain the main channel of leverage.",
    "Any settlement will depend on credible enforcement mechanisms.",
    "Escalation risks remain elevated along the main fault lines.",
    "Allies are divided on the sequencing of sanctions and talks.",
]
HEADLINE_VERBS = [
    "Signals Resolve on",
    "Weighs New Steps in",
    "Faces Pressure Over",
    "Hardens Stance on",
    "Opens Talks on",
    "Warns of Escalation in",
]


def _weights(n: int) -> list[float]:
    """Zipf-like weights: the first items are drawn far more often than the tail."""
    return [1.0 / (i + 1) ** 1.1 for i in range(n)]


_POOL_WEIGHTS = {name: _weights(len(pool)) for name, pool in TAXONOMY_POOLS.items()}


@dataclass(frozen=True)
class Item:
    """One generated briefing, independent of any generator's file format."""

    number: int
    slug: str
    title: str
    date: datetime
    summary: str
    takeaways: tuple[str, ...]
    terms: dict[str, tuple[str, ...]]
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (heading or '' for the lead, paragraphs)

    @property
    def body_markdown(self) -> str:
        parts = []
        for heading, paragraphs in self.sections:
            if heading:
                parts.append(f"## {heading}")
            parts.extend(paragraphs)
        return "\n\n".join(parts) + "\n"


def _pick(rng: random.Random, taxonomy: str) -> str:
    return rng.choices(TAXONOMY_POOLS[taxonomy], weights=_POOL_WEIGHTS[taxonomy])[0]


def _terms(rng: random.Random) -> dict[str, tuple[str, ...]]:
    """2–4 tags: always a country and a topic, then up to two more from any taxonomy."""
    chosen: dict[str, list[str]] = {name: [] for name in TAXONOMY_POOLS}
    chosen["countries"].append(_pick(rng, "countries"))
    chosen["topics"].append(_pick(rng, "topics"))
    for _ in range(rng.choice((0, 1, 1, 2))):
        taxonomy = rng.choice(("countries", "countries", "people", "organisations", "topics"))
        name = _pick(rng, taxonomy)
        if name not in chosen[taxonomy]:
            chosen[taxonomy].append(name)
    return {name: tuple(values) for name, values in chosen.items()}


def make_item(number: int, seed: int = 0) -> Item:
    """Briefing number `number` of the corpus with this seed (independent of N, so corpora nest)."""
    rng = random.Random(f"{seed}:{number}")
    terms = _terms(rng)
    country = terms["countries"][0]
    fill = {
        "c": country,
        "p": (terms["people"] or (rng.choice(PEOPLE),))[0],
        "o": (terms["organisations"] or (rng.choice(ORGANISATIONS),))[0],
    }
    title = f"{country} {rng.choice(HEADLINE_VERBS)} {terms['topics'][0]} ({number})"
    start = datetime(2012, 1, 1, tzinfo=UTC)
    date = start + timedelta(minutes=rng.randrange(14 * 365 * 24 * 60 // 15) * 15)
    day = date.strftime("%A")

    def paragraph() -> str:
        sentences = []
        for _ in range(rng.randint(3, 4)):
            opener = rng.choice(OPENERS).format(day=day, **fill)
            sentences.append(f"{opener} {rng.choice(CLAIMS)}. {rng.choice(FOLLOWS)}")
        return " ".join(sentences)

    headings = rng.sample(HEADINGS, 3)
    sections = [("", (paragraph(), paragraph()))]
    for i, heading in enumerate(headings):  # ~700 words in all: 2 + 2 + 2 + 1 paragraphs
        sections.append(
            (heading.format(**fill), (paragraph(), paragraph()) if i < 2 else (paragraph(),))
        )
    summary = sections[0][1][0].split(". ")[0] + "."
    takeaways = tuple(t.format(**fill) for t in rng.sample(TAKEAWAYS, 3))
    slug = f"briefing-{number:06d}"
    return Item(number, slug, title, date, summary, takeaways, terms, tuple(sections))


def items(n: int, seed: int = 0) -> Iterator[Item]:
    """The first n briefings of the corpus."""
    for number in range(n):
        yield make_item(number, seed)


def _yaml_str(text: str) -> str:
    """A double-quoted YAML scalar (also valid TOML basic string for our ASCII-safe escapes)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _yaml_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_yaml_str(v) for v in values) + "]"


SITE_YAML = """title: Benchmark Briefings
description: A generated archive for benchmarks.
base_url: http://localhost:8000/
timezone: UTC
paginate: 10
"""


def briefing_markdown(item: Item, seed: tuple[str, str] | None = None) -> str:
    """The briefing as this generator's content file; `seed`: (file name, hash) of the seed it was
    imported from, as the importer records it."""
    lines = [
        "---",
        f"title: {_yaml_str(item.title)}",
        f"slug: {item.slug}",
        f"date: '{item.date.isoformat()}'",
        f"summary: {_yaml_str(item.summary)}",
        "takeaways:",
    ]
    lines += [f"- {_yaml_str(t)}" for t in item.takeaways]
    for taxonomy, values in item.terms.items():
        if values:
            lines.append(f"{taxonomy}: {_yaml_list(values)}")
    if seed is not None:
        lines += ["seed:", f"  file: {seed[0]}", f"  hash: '{seed[1]}'"]
    lines += ["---", "", item.body_markdown]
    return "\n".join(lines)


def seed_text(item: Item) -> str:
    """The briefing as a seed: headline line, paragraphs, short heading lines, `- ` bullets, Key Takeaways."""
    lines = [item.title]
    for heading, paragraphs in item.sections:
        if heading:
            lines.append(heading)
        lines.extend(paragraphs)
    lines.append("Key Takeaways")
    lines += [f"- {t}" for t in item.takeaways]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    try:
        # keep mtimes of unchanged files (rebuild benchmarks depend on it)
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    path.write_bytes(data)


def make_corpus(
    n: int, root: Path, seed: int = 0, seeds: bool = False, previews: bool = True
) -> Path:
    """Write a project (site.yaml + content/briefings/*.md, optionally seeds/*.txt) with n briefings; return
    root. `previews=False` turns the social preview images off (a 30 KB PNG per briefing: 30 GB at
    1,000,000)."""
    root = Path(root)
    folder = root / "content" / "briefings"
    folder.mkdir(parents=True, exist_ok=True)
    _write(root / "site.yaml", SITE_YAML + ("" if previews else "preview_images: false\n"))
    wanted, seed_names = set(), set()
    for item in items(n, seed):
        wanted.add(f"{item.slug}.md")
        link = None
        if seeds:  # written first, so that each briefing is newer than its seed, as after an import
            name, text = f"{item.number:06d}.txt", seed_text(item)
            seed_names.add(name)
            _write(root / "seeds" / name, text)
            link = (name, sha256_hex(text.encode("utf-8")))  # as the importer records it
        _write(folder / f"{item.slug}.md", briefing_markdown(item, link))
    # a smaller N in the same folder must not leave old briefings (or seeds, to be imported) behind
    for extra in folder.glob("*.md"):
        if extra.name not in wanted:
            extra.unlink()
    if seeds:
        for extra in (root / "seeds").glob("*.txt"):
            if extra.name not in seed_names:
                extra.unlink()
    return root


# --- Hugo -----------------------------------------------------------------------------------------

HUGO_CONFIG = """baseURL = "http://localhost:8000/"
title = "Benchmark Briefings"
languageCode = "en"
disableKinds = []
[pagination]
  pagerSize = 10
[taxonomies]
  country = "countries"
  person = "people"
  organisation = "organisations"
  topic = "topics"
[markup.goldmark.renderer]
  unsafe = false
[markup.tableOfContents]
  startLevel = 2
  endLevel = 4
"""

# Minimal layouts doing the same work as ours: a briefing page with TOC, takeaways and term links,
# paginated home/term lists, taxonomy indexes, RSS and sitemap (Hugo's built-ins).
HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html><html lang="en"><head><meta charset="utf-8">\
<title>{{ .Title }} – {{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}"></head><body><header>\
<a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<nav>{{ range site.Taxonomies }}{{ end }}<a href="/countries/">Countries</a> <a href="/people/">People</a> \
<a href="/organisations/">Organisations</a> <a href="/topics/">Topics</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main><footer>{{ site.Title }}</footer></body></html>
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>\
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
<p class="summary">{{ .Params.summary }}</p><aside><h2>Key takeaways</h2><ul>{{ range .Params.takeaways }}\
<li>{{ . }}</li>{{ end }}</ul></aside>
<nav class="toc">{{ .TableOfContents }}</nav>{{ .Content }}
{{ range $tax, $_ := site.Taxonomies }}{{ with $.GetTerms $tax }}<p>{{ $tax }}: {{ range . }}\
<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>{{ end }}{{ end }}
{{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ with .NextInSection }}\
<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ $related := site.RegularPages.Related . | first 4 }}{{ with $related }}<ul>{{ range . }}<li>\
<a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
</article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ $p := .Paginate .Pages }}{{ range $p.Pages }}\
<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Params.summary }}</p></article>{{ end }}
{{ with $p.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }}\
{{ with $p.Next }}<a href="{{ .URL }}">Older</a>{{ end }}{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.ByCount }}<li>\
<a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",
    "index.html": """{{ define "main" }}{{ $p := .Paginate (where site.RegularPages "Section" "briefings") }}\
{{ range $p.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Params.summary }}</p>\
</article>{{ end }}
{{ with $p.Next }}<a href="{{ .URL }}">Older</a>{{ end }}{{ end }}
""",
    "404.html": """{{ define "main" }}<h1>Page not found</h1>{{ end }}
""",
}

HUGO_TAXONOMY_KEYS = {
    "countries": "countries",
    "people": "people",
    "organisations": "organisations",
    "topics": "topics",
}


def hugo_markdown(item: Item) -> str:
    """The briefing as a Hugo content file (YAML front matter; taxonomies as front matter lists)."""
    lines = [
        "---",
        f"title: {_yaml_str(item.title)}",
        f"slug: {item.slug}",
        f"date: {item.date.isoformat()}",
        f"summary: {_yaml_str(item.summary)}",
        "takeaways:",
    ]
    lines += [f"- {_yaml_str(t)}" for t in item.takeaways]
    for taxonomy, values in item.terms.items():
        if values:
            lines.append(f"{HUGO_TAXONOMY_KEYS[taxonomy]}: {_yaml_list(values)}")
    lines += ["---", "", item.body_markdown]
    return "\n".join(lines)


def make_hugo(n: int, root: Path, seed: int = 0) -> Path:
    """A Hugo site with the same n briefings under content/briefings/."""
    root = Path(root)
    _write(root / "hugo.toml", HUGO_CONFIG)
    for rel, text in HUGO_LAYOUTS.items():
        _write(root / "layouts" / rel, text)
    folder = root / "content" / "briefings"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for item in items(n, seed):
        wanted.add(f"{item.slug}.md")
        _write(folder / f"{item.slug}.md", hugo_markdown(item))
    for extra in folder.glob("*.md"):
        if extra.name not in wanted:
            extra.unlink()
    return root


# --- Pelican --------------------------------------------------------------------------------------

PELICAN_CONF = """AUTHOR = "Bench"
SITENAME = "Benchmark Briefings"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
ARTICLE_URL = "briefings/{slug}/"
ARTICLE_SAVE_AS = "briefings/{slug}/index.html"
MARKDOWN = {"extension_configs": {"markdown.extensions.extra": {}, "markdown.extensions.toc": {}, \
"markdown.extensions.smarty": {}}, "output_format": "html5"}
LOAD_CONTENT_CACHE = False
"""


def pelican_markdown(item: Item) -> str:
    """The briefing as a Pelican Markdown file: countries as the category, every term as a tag."""
    tags = [t for values in item.terms.values() for t in values]
    head = [
        f"Title: {item.title}",
        f"Date: {item.date.strftime('%Y-%m-%d %H:%M')}",
        f"Slug: {item.slug}",
        f"Category: {item.terms['countries'][0]}",
        f"Tags: {', '.join(tags)}",
        f"Summary: {item.summary}",
    ]
    takeaways = "\n".join(f"- {t}" for t in item.takeaways)
    return (
        "\n".join(head) + "\n\n" + item.body_markdown + "\n## Key takeaways\n\n" + takeaways + "\n"
    )


def make_pelican(n: int, root: Path, seed: int = 0) -> Path:
    """A Pelican project (pelicanconf.py + content/*.md) with the same n briefings."""
    root = Path(root)
    _write(root / "pelicanconf.py", PELICAN_CONF)
    folder = root / "content"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for item in items(n, seed):
        wanted.add(f"{item.slug}.md")
        _write(folder / f"{item.slug}.md", pelican_markdown(item))
    for extra in folder.glob("*.md"):
        if extra.name not in wanted:
            extra.unlink()
    return root


def main(argv: list[str] | None = None) -> int:
    """Command line: write a corpus (and optionally the Hugo and Pelican equivalents)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus", description=__doc__.splitlines()[0]
    )
    parser.add_argument("n", type=int, help="number of briefings")
    parser.add_argument("dir", type=Path, help="project folder to write (site.yaml + content/)")
    parser.add_argument(
        "--seeds",
        action="store_true",
        help="also write seeds/NNNNNN.txt, one per briefing, each briefing linked to its seed as if imported",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--hugo", type=Path, help="also write an equivalent Hugo site here")
    parser.add_argument(
        "--pelican", type=Path, help="also write an equivalent Pelican project here"
    )
    args = parser.parse_args(argv)
    make_corpus(args.n, args.dir, seed=args.seed, seeds=args.seeds)
    if args.hugo:
        make_hugo(args.n, args.hugo, seed=args.seed)
    if args.pelican:
        make_pelican(args.n, args.pelican, seed=args.seed)
    print(f"wrote {args.n} briefings to {args.dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
