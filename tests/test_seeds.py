"""Seeds: decoding, reading headings/bullets/takeaways, escaping as rendered by Python-Markdown, front matter."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml

from generator.core.errors import SiteError
from generator.read.entities import Entities
from generator.read.seed_markdown import (
    body_hash_of,
    escape_markdown,
    is_untouched,
    markdown_body,
    seed_to_markdown,
    slugify_title,
)
from generator.read.seeds import decode_seed, parse_seed, split_sentences, summarize

SEEDS = Path(__file__).parent / "data" / "seeds"
CORPUS = SEEDS / "state-dept"
SHIPPED = SEEDS / "000_3e7346ba372a76a7.txt"
WHEN = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class _Visible(HTMLParser):
    """Visible text of HTML by block, and every element name seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.tags: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("p", "h2", "li"):
            self.blocks.append("")
        if tag == "a" and ("class", "anchor") in attrs:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if self.blocks and not self._skip:
            self.blocks[-1] += data


def render(body: str) -> _Visible:
    html = markdown.markdown(body, extensions=["extra", "toc", "sane_lists", "smarty"])
    parser = _Visible()
    parser.feed(html)
    parser.blocks = [b.strip() for b in parser.blocks]
    return parser


def expected_blocks(seed) -> list[str]:
    """The text a reader should see, block by block."""
    return [item for b in seed.blocks for item in (b.items if b.kind == "bullets" else (b.text,))]


def smartened(text: str) -> str:
    """Text with smarty's typography undone on both sides of a comparison: smarty curls straight quotes and
    turns -- and ... into dashes and ellipses, in seeds as in hand-written content; that is wanted."""
    for typographic, plain in (
        ("‘", "'"),
        ("’", "'"),
        ("“", '"'),
        ("”", '"'),
        ("—", "---"),
        ("–", "--"),
        ("…", "..."),
    ):
        text = text.replace(typographic, plain)
    return text


def to_markdown(text: str, **kw) -> str:
    seed = parse_seed(text)
    args = {
        "source_name": "x.txt",
        "source_hash": "sha256:" + "0" * 64,
        "date": WHEN,
        "entities": Entities(),
        "slug": "x",
    }
    args.update(kw)
    return seed_to_markdown(seed, **args)


def split(doc: str) -> tuple[dict, str]:
    assert doc.startswith("---\n")
    head, _, body = doc[4:].partition("\n---\n")
    return yaml.safe_load(head), body


# --- decoding ------------------------------------------------------------------------------------------


def test_decode_utf8_with_bom_and_crlf():
    text, enc = decode_seed("\ufeffTitle\r\nLine one\rLine two\r\n".encode("utf-8"))
    assert text == "Title\nLine one\nLine two\n"
    assert enc == "utf-8-sig"


def test_decode_cp1252_smart_quotes():
    text, enc = decode_seed(b"Headline\n\x93Quoted\x94 text \x96 and Putin\x92s words\n")
    assert enc == "windows-1252"
    assert "“Quoted” text – and Putin’s words" in text


def test_decode_latin1_when_not_cp1252():
    text, enc = decode_seed(b"Headline\nCaf\xe9 \x81 end\n")  # 0x81 is undefined in cp1252
    assert enc == "iso-8859-1"
    assert "Café" in text


def test_decode_strips_nul_and_controls():
    text, _ = decode_seed(b"Headline\nSome\x00 text\x07 here\n")
    assert text == "Headline\nSome text here\n"


def test_decode_utf16_with_bom():
    text, enc = decode_seed("Headline\nBody text\n".encode("utf-16"))
    assert (text, enc) == ("Headline\nBody text\n", "utf-16")


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"  \n\r\n\t ", "empty"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "binary"),
    ],
)
def test_decode_rejects_empty_and_binary(data, reason):
    with pytest.raises(SiteError, match=reason):
        decode_seed(data, "seeds/bad.txt")


# --- reading -------------------------------------------------------------------------------------------


def test_shipped_seed():
    seed = parse_seed(decode_seed(SHIPPED.read_bytes())[0])
    assert seed.headline == "Putin Signals Resolve as Ukraine Peace Talks Stall"
    assert seed.headings == (
        "Context: The Trump–Zelenskyy Meeting on the Horizon",
        "What This Means for Ukraine and Western Allies",
        "Diplomatic Stakes and the Road Ahead",
    )
    assert seed.takeaways == (
        "Putin frames any peace process as contingent on Russia’s ability to secure its objectives by force if needed.",
        "The Trump–Zelenskyy meeting adds high-stakes diplomacy to a tense security landscape.",
        "Ukraine and Western allies seek a framework that guarantees sovereignty and long-term security.",
    )
    assert len(seed.paragraphs) == 8
    assert "Key Takeaways" not in seed.plain_text()


def test_shipped_seed_markdown():
    from generator.read.entities import find_entities, load_registry

    data = SHIPPED.read_bytes()
    seed = parse_seed(decode_seed(data)[0])
    entities = find_entities(seed.plain_text(), seed.headline, load_registry(None))
    doc = seed_to_markdown(
        seed,
        source_name=SHIPPED.name,
        source_hash="sha256:" + "1" * 64,
        date=WHEN,
        entities=entities,
        slug=slugify_title(seed.headline),
    )
    meta, body = split(doc)
    assert list(meta) == [
        "title",
        "slug",
        "date",
        "summary",
        "takeaways",
        "countries",
        "people",
        "organisations",
        "topics",
        "seed",
        "reading_time",
        "body_hash",
    ]
    assert meta["title"] == "Putin Signals Resolve as Ukraine Peace Talks Stall"
    assert meta["slug"] == "putin-signals-resolve-as-ukraine-peace-talks-stall"
    assert meta["date"] == "2026-11-22T09:00:00+00:00"
    assert meta["summary"] == (
        "Russian President Vladimir Putin suggested on Saturday that Moscow would pursue all objectives "
        "of its so-called “special military operation” by force if diplomacy with Ukraine fails."
    )
    assert len(meta["takeaways"]) == 3
    assert {"Russia", "Ukraine", "United States"} <= set(meta["countries"])
    assert {"Vladimir Putin", "Donald Trump", "Volodymyr Zelenskyy"} <= set(meta["people"])
    assert "source" not in meta  # the seed names no source; its file name is no source for readers
    assert meta["seed"] == {"file": SHIPPED.name, "hash": "sha256:" + "1" * 64}
    assert meta["reading_time"] == 3
    assert "## Context: The Trump–Zelenskyy Meeting on the Horizon\n" in body
    assert "## What This Means for Ukraine and Western Allies\n" in body
    assert "## Diplomatic Stakes and the Road Ahead\n" in body
    assert "Key Takeaways" not in body
    html = render(body)
    assert [t for t in html.tags if t == "h2"] == ["h2"] * 3
    assert "script" not in html.tags


def test_hard_wrapped_paragraphs_are_joined():
    text = (
        "Headline Here\n\n"
        "The ministers met in Geneva on Tuesday to discuss a framework that would\n"
        "allow monitors to return to the plant, officials said, adding that a deal\n"
        "was close.\n\n"
        "Next Steps\n\n"
        "Delegations will reconvene next week. The chair said progress had been\n"
        "made on several points that had blocked agreement for months.\n"
    )
    seed = parse_seed(text)
    assert seed.headings == ("Next Steps",)
    assert seed.paragraphs[0].startswith("The ministers met") and seed.paragraphs[0].endswith(
        "a deal was close."
    )
    assert len(seed.paragraphs) == 2


def test_hard_wrapped_without_blank_lines_keeps_headings_and_short_last_lines():
    text = (
        "Headline Here\n"
        "The ministers met in Geneva on Tuesday to discuss a framework that would\n"
        "allow monitors to return.\n"
        "What Comes Next\n"
        "Delegations will reconvene next week, the chair said, after progress on\n"
        "several points.\n"
    )
    seed = parse_seed(text)
    assert seed.headings == ("What Comes Next",)
    assert seed.paragraphs == (
        "The ministers met in Geneva on Tuesday to discuss a framework that would allow monitors to return.",
        "Delegations will reconvene next week, the chair said, after progress on several points.",
    )


def test_stray_short_line_inside_running_text_is_not_a_heading():
    text = "Headline\nThe envoy met with\nEmmanuel Macron\non Tuesday in Paris.\nA second paragraph follows here.\n"
    seed = parse_seed(text)
    assert seed.headings == ()
    assert seed.paragraphs[0] == "The envoy met with Emmanuel Macron on Tuesday in Paris."


@pytest.mark.parametrize("marker", ["- ", " - ", "* ", "• ", "  • "])
def test_bullet_markers(marker):
    seed = parse_seed(f"Headline\nIntro paragraph.\n{marker}First point\n{marker}Second point\n")
    assert seed.bullets == ("First point", "Second point")


def test_bullets_with_and_without_blank_lines_form_one_list():
    seed = parse_seed("Headline\n\nIntro paragraph.\n\n- One\n\n- Two\n- Three\n\nAfter.\n")
    assert [b.kind for b in seed.blocks] == ["paragraph", "bullets", "paragraph"]
    assert seed.blocks[1].items == ("One", "Two", "Three")


def test_wrapped_bullet_continues():
    text = (
        "Headline\n\n- A bullet that is long enough to be wrapped onto a second line by the\n"
        "  sender's mail client.\n- Short one.\n"
    )
    assert parse_seed(text).bullets == (
        "A bullet that is long enough to be wrapped onto a second line by the sender's mail client.",
        "Short one.",
    )


def test_byline_and_dateline_are_not_body():
    text = "Headline\n\nBy Jane Doe\n\nWASHINGTON, June 22, 2021\n\nThe Secretary travelled to Berlin.\n"
    seed = parse_seed(text)
    assert seed.byline == "By Jane Doe"
    assert seed.dateline == date(2021, 6, 22)
    assert seed.headings == ()
    assert seed.paragraphs == ("The Secretary travelled to Berlin.",)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("22 November 2026", date(2026, 11, 22)),
        ("2026-11-22", date(2026, 11, 22)),
        ("November 22, 2026 —", date(2026, 11, 22)),
        ("KYIV, Ukraine, Nov. 3, 2025", date(2025, 11, 3)),
    ],
)
def test_dateline_forms(line, expected):
    seed = parse_seed(f"Headline\n{line}\nThe text begins here.\n")
    assert seed.dateline == expected
    assert seed.paragraphs == ("The text begins here.",)


def test_dateline_opening_the_first_paragraph():
    seed = parse_seed("Headline\nMOSCOW, March 3, 2024 — The ministry said talks would resume.\n")
    assert seed.dateline == date(2024, 3, 3)
    # kept in the body, left out of the summary
    assert seed.paragraphs[0].startswith("MOSCOW, March 3, 2024 — ")
    assert summarize(seed.paragraphs[0]) == "The ministry said talks would resume."


def test_heading_traps():
    text = (
        "Headline\n\nOffice of the Spokesperson\n\n“We count on our allies.”\n\n"
        "– Secretary Antony J. Blinken, May 24, 2021\n\n"
        "Begin text:\n\nThe statement opens here.\n\nMilestones include:\n\n- One\n- Two\n\n"
        "SANCTIONS IMPLICATIONS\n\nAll property is blocked.\n\nEligible Groups:\n- Group one\n\n"
        "Defense\nSecurity Cooperation\n\nThe two sides agreed.\n\nEnd Text\n"
    )
    seed = parse_seed(text)
    assert seed.byline == "Office of the Spokesperson"
    assert seed.headings == (
        "SANCTIONS IMPLICATIONS",
        "Eligible Groups",
        "Defense",
        "Security Cooperation",
    )


def test_question_is_not_a_heading():
    assert parse_seed("Headline\nWhat happens next?\nNobody knows.\n").headings == ()


@pytest.mark.parametrize(
    "section",
    [
        "Key Takeaways\n- One point.\n- Two points.",
        "KEY POINTS:\n\n* One point.\n* Two points.",
        "Takeaways\nOne point. Two points.",
        "Bottom line: One point. Two points.",
        "The Bottom Line\n\nOne point.\n\nTwo points.",
    ],
)
def test_takeaways(section):
    seed = parse_seed(f"Headline\nA paragraph of text.\n{section}\n")
    assert seed.takeaways == ("One point.", "Two points.")
    assert seed.paragraphs == ("A paragraph of text.",)
    assert seed.headings == ()


def test_takeaways_end_at_the_next_heading():
    seed = parse_seed("Headline\nIntro.\nKey points\n- A.\n- B.\nBackground\nMore text here.\n")
    assert seed.takeaways == ("A.", "B.")
    assert seed.headings == ("Background",)


def test_no_headline_is_an_error():
    with pytest.raises(SiteError, match="no headline"):
        parse_seed("x" * 400 + "\nbody\n")
    with pytest.raises(SiteError, match="empty"):
        parse_seed("\n\n  \n")


def test_state_dept_corpus_headings_and_bullets():
    """Headings against truth.jsonl (trailing colons aside), every trap line kept out, every bullet kept."""
    tp = fp = fn = bullets_ok = traps = 0
    rows = [
        json.loads(line)
        for line in (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for row in rows:
        seed = parse_seed(decode_seed((CORPUS / row["file"]).read_bytes())[0])
        assert seed.headline == row["headline"]
        want = {h.rstrip(":") for h in row["headings"]}
        got = set(seed.headings)
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
        trap_lines = (
            set(row["short_non_heading_lines"]) | set(row["datelines"]) | {row.get("byline") or ""}
        )
        traps += len({t.rstrip(":") for t in trap_lines if t} & got)
        bullets_ok += len(seed.bullets) + len(seed.takeaways) == row["bullets"]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(
        f"state-dept ({len(rows)} files): heading precision {precision:.3f}, recall {recall:.3f}, "
        f"bullets exact in {bullets_ok}/{len(rows)}, trap lines taken as headings: {traps}"
    )
    assert len(rows) == 29
    assert precision >= 0.95 and recall >= 0.95
    assert traps == 0
    assert bullets_ok == len(rows)


# --- writing -------------------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "Use *stars* and _underscores_ and **bold** here.",
    "# Not a heading, ## nor this",
    "A [link](http://evil.example) and ![img](x.png) and <http://auto.example>",
    "Backticks `code` and ```fence```",
    "1. Not a list item",
    "> not a quote",
    "a | table | row",
    "AT&T and &amp; and &#169; and &copy; stay as typed",
    "- starts with a dash",
    "+ starts with a plus",
    ": looks like a definition",
    "~~~ looks like a fence",
    "Attributes {: .class #id } and [TOC] and [^1] footnote",
    "*[HTML]: abbreviation definition",
    "Trailing hashes ###",
    "Back\\slash and \\*escaped\\*",
    '<!-- comment --> <div onclick="x()">div</div> <img src=x onerror=alert(1)>',
    "Curly “quotes” – dashes — and ‘single’ quotes kept",
    'Straight "quotes" and it\'s fine',
    "===",
    "---",
]


@pytest.mark.parametrize("line", HOSTILE)
def test_escaped_text_renders_as_written(line):
    for md in (escape_markdown(line), "## " + escape_markdown(line), "- " + escape_markdown(line)):
        html = render(md + "\n")
        assert "script" not in html.tags and "img" not in html.tags and "a" not in html.tags
        assert "em" not in html.tags and "strong" not in html.tags and "code" not in html.tags
        assert [smartened(b) for b in html.blocks] == [smartened(line)], md


def test_hostile_seed_renders_visibly():
    text = (
        "<script>alert(1)</script> Headline\n\n"
        + "\n\n".join(HOSTILE)
        + "\n\nKey points\n- <b>bold</b> takeaway\n"
    )
    meta, body = split(to_markdown(text))
    assert meta["title"] == "<script>alert(1)</script> Headline"
    assert meta["takeaways"] == ["<b>bold</b> takeaway"]
    html = render(body)
    assert "script" not in html.tags and "img" not in html.tags and "div" not in html.tags
    expected = expected_blocks(parse_seed(text))
    assert "<script>alert(1)</script>" in expected
    assert [smartened(b) for b in html.blocks] == [smartened(x) for x in expected]


def test_every_block_renders_as_written():
    text = "H\nFirst *para*.\n\nA <Heading> & More\n\n- item_one\n- item [two]\n\nLast para with `ticks`.\n"
    seed = parse_seed(text)
    assert [b.kind for b in seed.blocks] == ["paragraph", "heading", "bullets", "paragraph"]
    html = render(split(to_markdown(text))[1])
    assert html.blocks == expected_blocks(seed)


def test_state_dept_corpus_renders_as_written():
    for path in sorted(CORPUS.glob("*.txt")):
        seed = parse_seed(decode_seed(path.read_bytes())[0])
        html = render(split(to_markdown(decode_seed(path.read_bytes())[0]))[1])
        assert [smartened(b) for b in html.blocks] == [
            smartened(x) for x in expected_blocks(seed)
        ], path.name


@pytest.mark.parametrize(
    "title",
    [
        "Title: with colon",
        "#hashtag title",
        "'Quoted' title",
        '"Double" title',
        "- leading dash",
        "Yes",
        "null",
        "2026-11-22",
        "Title with # hash and: colon",
        "[bracket] {brace} & *star*",
        "@at `tick` %pct",
        "… ellipsis",
    ],
)
def test_front_matter_round_trips(title):
    meta, _ = split(to_markdown(f"{title}\nBody text here.\n"))
    assert meta["title"] == title
    assert meta["date"] == "2026-11-22T09:00:00+00:00"


def test_body_hash_detects_edits():
    doc = to_markdown("Headline\nBody text here.\n")
    assert is_untouched(doc)
    assert doc.count("body_hash: sha256:") == 1
    assert not is_untouched(doc.replace("Body text", "Edited text"))
    assert not is_untouched(doc.replace("title: Headline", "title: Headline 2"))
    assert body_hash_of(doc) == body_hash_of(
        doc.replace("body_hash: sha256:", "body_hash: sha256:", 1)
    )


def test_naive_date_is_refused():
    with pytest.raises(ValueError):
        to_markdown("H\nBody.\n", date=datetime(2026, 1, 1))


def test_summary_is_sentence_bounded():
    long = "The first sentence is here. " + "Word " * 100 + "end."
    assert summarize(long) == "The first sentence is here."
    one = "Word " * 120
    cut = summarize(one)
    assert len(cut) <= 300 and cut.endswith("Word…")
    assert (
        summarize("U.S. President Joe Biden met Antony J. Blinken. Then he left.")
        == "U.S. President Joe Biden met Antony J. Blinken. Then he left."
    )


def test_split_sentences_respects_abbreviations():
    assert split_sentences("Mr. Smith met U.S. officials. They spoke.") == [
        "Mr. Smith met U.S. officials.",
        "They spoke.",
    ]


@pytest.mark.parametrize(
    "title, slug",
    [
        (
            "Putin Signals Resolve as Ukraine Peace Talks Stall",
            "putin-signals-resolve-as-ukraine-peace-talks-stall",
        ),
        ("Žižek über Ελλάδα", "zizek-uber-ellada"),
        ("../../etc/passwd", "etc-passwd"),
        ("///", "briefing"),
        ("", "briefing"),
        ("中文", "zhong-wen"),
    ],
)
def test_slugify_title(title, slug):
    assert slugify_title(title) == slug


def test_slug_is_cut_at_a_word():
    slug = slugify_title("International " * 20)
    assert len(slug) <= 80 and slug.endswith("international") and "/" not in slug


@pytest.mark.parametrize(
    "lead",
    [
        "Together, the United States and Japan will",
        "Possible issues on which Members of Congress could engage include",
    ],
)
def test_lead_in_line_is_a_paragraph_not_a_heading(lead):
    seed = parse_seed(
        f"Headline\n\nAn opening paragraph.\n\n{lead}\n\n- do one thing;\n- do another.\n"
    )
    assert seed.headings == ()
    assert lead in seed.paragraphs
    assert seed.bullets == ("do one thing;", "do another.")


def test_numbered_list_is_an_ordered_list():
    seed = parse_seed(
        "Headline\n\nThe plan has steps.\n\n1. Agree a ceasefire.\n2) Exchange prisoners.\n"
    )
    assert [b.kind for b in seed.blocks] == ["paragraph", "numbered"]
    html = render(markdown_body(seed))
    assert html.tags.count("ol") == 1 and html.tags.count("li") == 2


def test_heading_after_a_hard_wrapped_paragraph():
    text = (
        "Headline\n\n"
        "The talks in Geneva ended on Friday without agreement on a ceasefire, and\n"
        "the delegations said they would meet again within a month to try again.\n"
        "Background to the Talks\n"
        "The conflict began in 2014 and has displaced more than a million people in\n"
        "the east of the country, according to the United Nations refugee agency.\n"
    )
    seed = parse_seed(text)
    assert seed.headings == ("Background to the Talks",)
