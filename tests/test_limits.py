"""Content that would stall the build: refused quickly, as `path:line: too complex to render (...)`."""

from __future__ import annotations

import os
import threading
import time

import pytest

from generator.cli import main
from generator.core.budget import OverBudget, call_within
from generator.read import markup
from generator.read.limits import MAX_CONTENT_BYTES
from generator.read.markup import Markup
from tests.conftest import briefing_md

# Each of these ran for over 30 s (or raised RecursionError) before read/limits.py.
PATHOLOGICAL = {
    "brackets": "[" * 50_000,
    "link-targets": "[a](" * 20_000,
    "images": "![" * 20_000,
    "quote-ladder": "\n".join(">" * i + " x" for i in range(1, 2001)),
    # 5,000 levels indented with spaces are 50 MB, refused for their size; with tabs, 12 MB
    "list-ladder": "\n".join("\t" * i + "- x" for i in range(2_000)),
    "list-300": "\n".join("    " * i + "- x" for i in range(300)),
    "abbreviations": "\n".join(f"*[AB{i}]: thing {i}" for i in range(3_000))
    + "\n\n"
    + " ".join(f"AB{i}" for i in range(3_000)),
    "tag-starts": "<a" * 30_000,
    "footnote-refs": " ".join("[^1]" for _ in range(5_000)) + "\n\n[^1]: x",
    "definition-list": "\n".join("term\n: definition" for _ in range(800)),
}


def _build(root, *extra: str) -> tuple[int, float]:
    started = time.process_time()  # CPU time: a loaded machine does not inflate it
    code = main(["-C", str(root), "build", "--no-import", *extra])
    return code, time.process_time() - started


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_markdown_is_refused_quickly(make_site, capsys, name):
    project = make_site(
        {
            "content/briefings/ok.md": briefing_md("Fine"),
            "content/briefings/bad.md": briefing_md("Bad", body="Intro.\n\n" + PATHOLOGICAL[name]),
        }
    )
    code, seconds = _build(project.root)
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 2 and lines[1].startswith("error: 1 problem")
    where, _, message = lines[0].partition(": ")
    assert where.startswith(str(project.root / "content/briefings/bad.md"))
    assert message.startswith("too complex to render (")
    assert seconds < 15  # generous for a loaded machine: each took minutes before


def test_the_line_is_that_of_the_file(make_site, capsys):
    body = "Intro.\n\n- a\n" + "\n".join("    " * i + "- x" for i in range(1, 60))
    project = make_site({"content/briefings/deep.md": briefing_md("Deep", body=body)})
    assert _build(project.root)[0] == 1
    # 4 lines of front matter, a blank line, "Intro.", a blank line, "- a" on line 8, then the item
    # indented 50 times (51 levels) on line 58
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith(f"{project.root / 'content/briefings/deep.md'}:58: too complex")
    assert "nested 51 levels deep" in first


def test_normal_nesting_and_brackets_still_render(make_site):
    body = (
        "\n".join("    " * i + f"- level {i}" for i in range(20))
        + "\n\n"
        + "\n".join("> " * i + "quoted" for i in range(1, 20))
        + "\n\nA [link](https://example.org/a_(b)) and [^1] and a stray [ or two [.\n\n[^1]: Note."
    )
    project = make_site({"content/briefings/a.md": briefing_md("A", body=body)})
    project.build()
    page = project.html("briefings/a/index.html")
    assert len(page.all("ul")) >= 20 and len(page.all("blockquote")) >= 19
    assert {"href": "https://example.org/a_(b)"} in page.all("a")


def test_a_runaway_past_the_budget_is_stopped(make_site, capsys, monkeypatch):
    # hard line breaks pass the shape checks but cost quadratic time: the budget stops them
    monkeypatch.setattr(markup, "RENDER_BUDGET", 0.2)
    project = make_site({"content/briefings/slow.md": briefing_md("Slow", body="x  \n" * 40_000)})
    code, seconds = _build(project.root, "--jobs", "1")
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.startswith(
        f"{project.root / 'content/briefings/slow.md'}: too complex to render (over 0.2 s of CPU time"
    )
    assert seconds < 15


def test_the_budget_holds_in_worker_processes(make_site, capsys, monkeypatch):
    monkeypatch.setattr(markup, "RENDER_BUDGET", 0.2)
    files = {f"content/briefings/b{i}.md": briefing_md(f"B {i}") for i in range(300)}
    files["content/briefings/slow.md"] = briefing_md("Slow", body="x  \n" * 40_000)
    project = make_site(files)
    code, _ = _build(project.root, "--jobs", "2")
    err = capsys.readouterr().err
    assert code == 1 and "slow.md: too complex to render (over 0.2 s" in err


def test_a_stopped_converter_is_replaced_and_renders_as_before(monkeypatch):
    converter = Markup(("extra", "toc", "smarty", "sane_lists"), {})
    before = converter.render("# T\n\nSome *text* with a [link](/a/).\n\n[^1]\n\n[^1]: n")
    monkeypatch.setattr(markup, "RENDER_BUDGET", 0.1)
    with pytest.raises(markup.TooComplex):
        converter.render("x  \n" * 40_000)
    assert converter.render("# T\n\nSome *text* with a [link](/a/).\n\n[^1]\n\n[^1]: n") == before


def test_the_budget_works_off_the_main_thread(monkeypatch):
    """`serve` renders on its watcher's thread, where SIGALRM could not reach."""
    monkeypatch.setattr(markup, "RENDER_BUDGET", 0.2)
    converter = Markup(("extra",), {})
    outcome: list[str] = []

    def run() -> None:
        try:
            converter.render("x  \n" * 40_000)
            outcome.append("rendered")
        except markup.TooComplex as exc:
            outcome.append(exc.reason)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert outcome and outcome[0].startswith("over 0.2 s of CPU time")


def test_call_within_interrupts_only_the_call():
    def spin() -> None:
        while True:
            pass

    with pytest.raises(OverBudget):
        call_within(0.1, spin)
    assert [call_within(1, lambda i=i: i) for i in range(2_000)] == list(range(2_000))
    time.sleep(0.2)  # an interrupt delivered late would be raised here
    assert call_within(0.05, lambda: time.sleep(0.2) or "idle") == "idle"  # CPU time, not wall time


def test_fifo_is_refused_not_waited_for(make_site, capsys):
    project = make_site({"content/briefings/ok.md": briefing_md("Ok")})
    os.mkfifo(project.root / "content/briefings/fifo.md")
    code, seconds = _build(project.root)
    err = capsys.readouterr().err
    assert code == 1 and seconds < 15
    assert err.splitlines()[0] == (
        f"{project.root / 'content/briefings/fifo.md'}: not a regular file (a FIFO, device or socket); "
        "remove it"
    )


def test_fifo_does_not_block_the_seed_import(make_site, capsys):
    project = make_site(
        {"content/briefings/ok.md": briefing_md("Ok"), "seeds/s.txt": "Headline\n\nText."}
    )
    os.mkfifo(project.root / "content/briefings/fifo.md")
    code = main(["-C", str(project.root), "build"])
    assert code == 1 and "fifo.md: not a regular file" in capsys.readouterr().err


def test_oversized_file_is_refused_before_reading(make_site, capsys):
    project = make_site({"content/briefings/ok.md": briefing_md("Ok")})
    big = project.root / "content/briefings/big.md"
    with open(big, "wb") as handle:
        handle.write(briefing_md("Big").encode())
        handle.truncate(MAX_CONTENT_BYTES + 1)  # sparse: no need to write 4 MB
    assert _build(project.root)[0] == 1
    assert capsys.readouterr().err.startswith(
        f"{big}: file is 4.0 MB; content files over 4 MB are refused"
    )
