"""Property: front matter and Markdown bodies made of Markdown's own syntax, run through the real build, give
exit 0 or one `path:line: message` per problem (never a traceback), and no body takes over 2 s to render.

Bodies are built from the characters Python-Markdown's patterns start from, repeated in runs of up to
2,000 (unclosed brackets, tag starts, nesting), which is where its quadratic corners are. FUZZ_EXAMPLES=N
runs more examples and prints the figures (examples, failures, slowest render).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.core.config import DEFAULT_MARKDOWN_EXTENSIONS
from generator.core.errors import TooComplex
from generator.read.limits import RENDER_BUDGET
from generator.read.markup import Markup
from tests.test_hardening import one_file_project

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
# CPU seconds to render one body at default settings (CPU, not wall time: the machine may be busy). The
# render budget stops a conversion at 2 s; the margin is its watchdog's poll and the checks around it.
SLOWEST_ALLOWED = RENDER_BUDGET + 0.2
PROBLEM = re.compile(r"^(?P<path>/\S.*?)(:(?P<line>\d+))?: (?P<message>\S.*)$")
SYNTAX = [
    *"[]()<>!`*_-+#|:&\\{}.'\"~=",
    "](",
    "![",
    "<a",
    '<a href="',
    "</a>",
    "<div>",
    "</div>",
    '<div markdown="1">',
    "<!--",
    "-->",
    "<http://",
    "```",
    "**",
    "__",
    "[^1]",
    "\n[^1]: ",
    "\n*[HTML]: ",
    "\n",
    "\n\n",
    "    ",
    "\t",
    "> ",
    "\n- ",
    "\n1. ",
    "\n# ",
    "\n---\n",
    "\n: ",
    "{: .x}",
    "&amp;",
    "&#",
    "  \n",
    "...",
    "--",
    "x",
    " word ",
    "\x0b",
    "\x0c",
    "\x01",
    "\x1b",
    "\x7f",
    "\u2028",
    "\x85",
    "\ufeff",
    "\u202e",
]
tokens = st.sampled_from(SYNTAX)
runs = st.tuples(st.lists(tokens, min_size=1, max_size=3).map("".join), st.integers(1, 2_000)).map(
    lambda t: t[0] * t[1]
)
bodies = st.lists(
    tokens | runs | st.text(st.characters(blacklist_categories=("Cs",)), max_size=20), max_size=30
).map("".join)
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30) | st.lists(
    tokens, max_size=5
).map("".join)
values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | texts | st.dates().map(str),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)
FIELDS = ["updated", "summary", "takeaways", "countries", "topics", "source", "slug", "trend"]
titles = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
# half the files have valid front matter, so their bodies go all the way to pages and feeds
front_matter = st.fixed_dictionaries({"title": titles, "date": st.just("2026-11-01")}) | (
    st.fixed_dictionaries(
        {"title": texts, "date": st.just("2026-11-01")}, optional=dict.fromkeys(FIELDS, values)
    )
)

_converter = Markup(DEFAULT_MARKDOWN_EXTENSIONS, {})
FIGURES = {
    "examples": 0,
    "refused": 0,
    "too complex": 0,
    "stopped by the budget": 0,
    "slowest": 0.0,
}


def _build(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(meta=front_matter, body=bodies, kind=st.sampled_from(["briefings", "pages"]))
def test_markdown_and_front_matter_build_or_fail_cleanly(tmp_path_factory, meta, body, kind):
    # the render alone, timed: what a body costs whether or not the rest of the file is valid
    started = time.process_time()
    try:
        _converter.render(body)
    except TooComplex as exc:
        FIGURES["too complex"] += 1
        FIGURES["stopped by the budget"] += exc.reason.startswith("over ")
    seconds = time.process_time() - started
    FIGURES["slowest"] = max(FIGURES["slowest"], seconds)
    FIGURES["examples"] += 1
    assert seconds < SLOWEST_ALLOWED, f"{seconds:.2f} s to render {body[:200]!r}"

    root = tmp_path_factory.mktemp("fuzz")
    one_file_project(root, kind, meta, body)
    code, err = _build(["-C", str(root), "build", "--no-import", "--no-cache", "--jobs", "1"])
    assert code in (0, 1) and "Traceback" not in err, err
    if code == 1:
        FIGURES["refused"] += 1
        problems = [line for line in err.splitlines() if not line.startswith("error: ")]
        assert problems, err
        for line in problems:
            match = PROBLEM.match(line)
            assert match and match["path"].startswith(str(root)), line
    else:
        assert (root / "output" / "index.html").is_file()


def teardown_module() -> None:
    if "FUZZ_EXAMPLES" in os.environ:
        print(f"\nfuzz figures: {FIGURES}")
