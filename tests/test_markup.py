"""Markdown conversion: FastSmarty gives exactly the HTML of Python-Markdown's smarty extension."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from generator.core.config import DEFAULT_MARKDOWN_EXTENSIONS
from generator.read.markup import _BLOCK_NEEDS, _DEFAULT_CONFIGS, Markup
from generator.read.seed_markdown import markdown_body
from generator.read.seeds import parse_seed

ROOT = Path(__file__).resolve().parent.parent
CORPORA = sorted((ROOT / "tests/data/seeds").rglob("*.txt")) + sorted(
    (ROOT / "seeds").glob("*.txt")
)

TRICKY = [
    "\"Quoted\" and 'single' and \"'nested' quotes\" and '\"other\" nesting'.",
    "It's the '80s, rock 'n' roll; the students' books; don't; 'tis.",
    "'Start with a quote,' he said. \"Start--here\" -- and --- there... or....",
    '"*Emphasised*" and \'**strong**\' and "[a link](https://example.org/x)" and "`code \'x\'`".',
    "A dash at the end -- \n\"new line\" and 'a'\n'b'",
    '&nbsp;"entity" and &mdash;\'dash\' and AT&T\'s "deal" and <b>"raw"</b> html.',
    '- "List item"\n- \'another\' -- item...\n\n1. "Numbered"\n\n> "Quote block" it\'s\n\n## "Heading" it\'s\n',
    '| "a" | \'b\' |\n|---|---|\n| it\'s | "c" |\n',
    "Escaped \\\"quotes\\\" and \\'single\\' stay straight.",
    '```\ncode "block" -- ...\n```\n\nTerm\n: "definition" it\'s\n\nFootnote[^1].\n\n[^1]: "Note" -- it\'s.\n',
    "\"'\" and '\"' and \"\" and '' and \" and ' alone.",
    "Ellipsis... in 'quote...' and \"...start\" and 'end'...",
    "Numbers: 5'10\" tall, 1990's, '99 and 'twas.",
    'Trump–Zelenskyy “already curly” and ‘curly’ stay; mixed "straight" too.',
]


def smarty_markdown(extensions: tuple[str, ...]) -> markdown.Markdown:
    configs = {n: _DEFAULT_CONFIGS.get(n.rsplit(".", 1)[-1], {}) for n in extensions}
    return markdown.Markdown(
        extensions=list(extensions), extension_configs=configs, output_format="html"
    )


def texts() -> list[str]:
    out = list(TRICKY)
    for path in CORPORA:
        seed = parse_seed(path.read_text(encoding="utf-8"))
        out.append(markdown_body(seed))
        # the raw text as Markdown too: more stray quotes
        out.append(path.read_text(encoding="utf-8"))
    return out


@pytest.mark.parametrize(
    "extensions", [DEFAULT_MARKDOWN_EXTENSIONS, ("smarty",), ("toc", "markdown.extensions.smarty")]
)
def test_fast_smarty_gives_smartys_exact_html(extensions):
    assert any(e.endswith("smarty") for e in extensions)
    ours = Markup(extensions, {})
    assert "smarty" in ours._md.treeprocessors and not any(
        "Smarty" in type(e).__name__ for e in ours._md.registeredExtensions
    )
    reference = smarty_markdown(extensions)
    for text in texts():
        expected = reference.reset().convert(text)
        html = ours._md.reset().convert(text)
        assert html == expected, text[:200]


def test_smarty_options_are_honoured_and_angled_quotes_keep_the_real_extension():
    configs = {"smarty": {"smart_dashes": False, "substitutions": {"left-double-quote": "&bdquo;"}}}
    ours = Markup(("smarty",), configs)
    reference = markdown.Markdown(extensions=["smarty"], extension_configs=configs)
    for text in TRICKY:
        assert ours._md.reset().convert(text) == reference.reset().convert(text)
    angled = Markup(("smarty",), {"smarty": {"smart_angled_quotes": True}})
    assert angled._md.reset().convert('<<a>> "b"') == "<p>&laquo;a&raquo; &ldquo;b&rdquo;</p>"


MARKUP_CHARS = "ab *_`[]()!<>&;#\\\"'-.:/^\n  =|~"


def test_fast_inline_gives_the_stock_inline_pass_exact_html():
    """FastInline skips a pattern only when its trigger is absent; any slip shows as different HTML."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    ours = Markup(DEFAULT_MARKDOWN_EXTENSIONS, {})
    assert type(ours._md.treeprocessors["inline"]).__name__ == "FastInline"
    reference = smarty_markdown(DEFAULT_MARKDOWN_EXTENSIONS)
    for text in [
        *texts(),
        "a  \nb",
        "<http://x.org/a> <a@b.org> &#169; &copy; AT&T",
        "![i](x.png) [r][1] [^n]\n\n[1]: /y\n[^n]: z",
    ]:
        assert ours._md.reset().convert(text) == reference.reset().convert(text), text[:200]

    @settings(
        max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "300")),
        deadline=None,
        database=None,
    )
    @given(st.text(alphabet=MARKUP_CHARS, max_size=120))
    def same(text: str) -> None:
        assert ours._md.reset().convert(text) == reference.reset().convert(text)

    same()


def test_an_extension_pattern_without_a_trigger_always_runs():
    ours = Markup(
        ("extra", "toc", "smarty", "sane_lists", "nl2br", "markdown.extensions.wikilinks"), {}
    )
    reference = smarty_markdown(
        ("extra", "toc", "smarty", "sane_lists", "nl2br", "markdown.extensions.wikilinks")
    )
    for text in ["line one\nline two [[Wiki Link]] and *em*", *TRICKY]:
        assert ours._md.reset().convert(text) == reference.reset().convert(text)


BLOCK_STARTS = [
    "",
    "# ",
    "## ",
    "###### ",
    "> ",
    "> > ",
    ": ",
    "   : ",
    "- ",
    "* ",
    "+ ",
    "1. ",
    "    ",
    "  ",
    "[^1]: ",
    "[^n]:",
    "*[HTML]: ",
    "*[]: x",
    "[ref]: /x ",
    '[a b]: <y> "t"',
    "!!! note ",
    '!!! warning "T"',
    "---",
    "- - -",
    "***",
    "___",
    "* * *",
    "===",
    "Term",
    "```",
    "~~~",
    "|a|b|",
    "|-|-|",
    "<div>",
    "</div>",
]


# a block each screened processor takes, with what a screen too strict would hand to the next one
SCREENED_BLOCKS = [
    "# Heading #",
    "Text\n## Heading",
    "Title\n=====",
    "Title\n-----",
    "a\n-",
    "***",
    "_ _ _",
    "Text\n- - -",
    "> quoted\nlazy",
    "Text\n> quoted",
    "Term\n: definition",
    'Text [r] here.\n\n[r]: /x "T"',
    "Text[^1].\n\n[^1]: The note.",
    "HTML here.\n\n*[HTML]: Hyper Text",
]


def test_block_screens_give_the_stock_block_parsers_exact_html():
    """The substring screens in front of block processors turn away only blocks the processor's own
    expression would refuse: documents of block-starting lines convert exactly as without them."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    ours = Markup(DEFAULT_MARKDOWN_EXTENSIONS, {})
    processors = ours._md.parser.blockprocessors
    for name, (
        _,
        method,
        _,
    ) in _BLOCK_NEEDS.items():  # every screen in place, or this proves nothing
        assert getattr(processors[name], method).__qualname__.startswith("_screened"), name
    reference = smarty_markdown(DEFAULT_MARKDOWN_EXTENSIONS)
    rest = st.one_of(st.just(""), st.text(alphabet='ab #>:-*_=[]^!"', max_size=12))
    line = st.tuples(st.sampled_from(BLOCK_STARTS), rest).map("".join)
    document = st.lists(st.one_of(line, st.just("")), max_size=12).map("\n".join)

    @settings(
        max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "300")),
        deadline=None,
        database=None,
    )
    @given(document)
    def same(text: str) -> None:
        assert ours._md.reset().convert(text) == reference.reset().convert(text)

    same()
    for text in [*SCREENED_BLOCKS, *texts()]:
        assert ours._md.reset().convert(text) == reference.reset().convert(text), text[:200]
