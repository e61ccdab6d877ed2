"""The command line: exit codes, messages, `new`, `--help`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from tests.conftest import briefing_md


def test_build_prints_one_line_summary_and_exits_0(make_site, capsys, monkeypatch):
    project = make_site({"content/briefings/a.md": briefing_md("A")})
    assert main(["-C", str(project.root), "build", "--no-import"]) == 0
    out = capsys.readouterr().out
    assert "built" in out and "files in" in out and str(project.output) in out


def test_content_error_exits_1_with_path_line_message(make_site, capsys):
    project = make_site({"content/briefings/a.md": "---\ntitle: A\ndate: soon\n---\n"})
    assert main(["-C", str(project.root), "build", "--no-import"]) == 1
    err = capsys.readouterr().err
    assert f"{project.root / 'content/briefings/a.md'}:3: 'date' is not a date" in err


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["build", "--no-such-flag"])
    assert caught.value.code == 2


def test_base_url_override_changes_links(make_site):
    project = make_site({"content/briefings/a.md": briefing_md("A")})
    assert (
        main(
            [
                "-C",
                str(project.root),
                "build",
                "--no-import",
                "--base-url",
                "https://cdn.example.net/sub",
            ]
        )
        == 0
    )
    page = project.html("index.html")
    assert page.all("link", rel="canonical")[0]["href"] == "https://cdn.example.net/sub/"
    assert "/sub/briefings/a/" in page.links()


def test_new_creates_a_draft_that_builds(make_site, capsys):
    project = make_site()
    assert main(["-C", str(project.root), "new", "Iran: talks resume in Muscat"]) == 0
    path = capsys.readouterr().out.strip()
    text = Path(path).read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---")[1])
    assert meta["title"] == "Iran: talks resume in Muscat" and meta["draft"] is True
    assert path.endswith("content/briefings/iran-talks-resume-in-muscat.md")
    assert main(["-C", str(project.root), "new", "Iran: talks resume in Muscat"]) == 0
    assert capsys.readouterr().out.strip().endswith("iran-talks-resume-in-muscat-2.md")
    assert main(["-C", str(project.root), "build", "--no-import", "--drafts"]) == 0
    assert (project.output / "briefings/iran-talks-resume-in-muscat-2/index.html").is_file()


@pytest.mark.parametrize("command", [[], ["build"], ["new"], ["clean"]])
def test_every_command_has_help(command):
    result = subprocess.run(
        [sys.executable, "-m", "generator", *command, "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "usage:" in result.stdout


NO_OP_PROBE = """
import sys
from generator.cli import main
code = main(["-C", sys.argv[1], "build"])
loaded = [m for m in ("generator.build.builder", "generator.read.importer", "jinja2", "markdown", "PIL.Image",
                      "yaml", "generator.read.entities") if m in sys.modules]
print("LOADED", ",".join(loaded))
sys.exit(code)
"""


def test_a_no_op_build_loads_neither_renderer_nor_importer_and_a_seed_edit_is_still_imported(
    make_site,
):
    """Start-up is most of a no-op build, so it is told apart first; seeds are in its survey, so a project
    with seeds does not read every briefing to match them. Nor does it import PyYAML or the entity finder
    to read settings it read before (core/memo.py)."""
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("A"),
            "content/_data/entities.yaml": "people:\n  - name: Ada Lovelace\n    aliases: [Lovelace]\n",
        }
    )
    seeds = project.root / "seeds"
    seeds.mkdir()
    seed_text = (
        "Ukraine talks resume in Geneva\n\nOfficials from Ukraine met in Geneva on Monday.\n"
    )
    (seeds / "001.txt").write_text(seed_text, encoding="utf-8")

    def build() -> str:
        done = subprocess.run(
            [sys.executable, "-c", NO_OP_PROBE, str(project.root)],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = build()
    assert "imported" in first or "created" in first
    assert "generator.build.builder" in first.split("LOADED")[1]
    again = build()
    assert again.split("LOADED")[1].strip() == ""
    assert "0 rendered" in again
    (seeds / "001.txt").write_text(seed_text + "\nA second day of talks ended.\n", encoding="utf-8")
    third = build()
    assert "generator.read.importer" in third.split("LOADED")[1]
    briefing = next((project.root / "content/briefings").glob("ukraine-talks*.md"))
    assert "second day of talks" in briefing.read_text(encoding="utf-8")


def test_the_command_flushes_its_output_before_its_fast_exit_and_ends_quietly_on_a_closed_pipe(
    make_site,
):
    """`briefings` skips the interpreter's teardown (os._exit): what it printed must still arrive whole,
    and a reader that goes away early (`briefings build | head -0`) gets no traceback."""
    project = make_site({"content/briefings/a.md": briefing_md("A")})
    command = [sys.executable, "-m", "generator", "-C", str(project.root), "build", "--no-import"]
    repo = Path(__file__).resolve().parent.parent
    # block-buffered, as a pipe is by default: output left in Python's buffer would be lost
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run(command, capture_output=True, text=True, cwd=repo, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("built ") and lines[-1].startswith("view it: briefings serve")
    assert (project.output / "briefings/a/index.html").is_file()

    reader, writer = os.pipe()
    os.close(reader)  # nobody will read: the first print meets a closed pipe
    try:
        closed = subprocess.run(
            command,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            cwd=repo,
            env=env,
            timeout=300,
        )
    finally:
        os.close(writer)
    assert closed.returncode == 1
    assert "Traceback" not in closed.stderr and "BrokenPipe" not in closed.stderr, closed.stderr
