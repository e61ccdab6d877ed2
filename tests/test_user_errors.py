"""Every failure a user can cause is one line, `path:line: message`, never a traceback; nothing from outside
the project is published."""

from __future__ import annotations

import json
import os
from pathlib import Path

import feedparser
import pytest

from generator.build.builder import BuildOptions
from generator.cli import main
from generator.dev.rebuilds import ServeBuilds
from tests.conftest import briefing_md

CONTROLS = ["\x0b", "\x0c", "\x01", "\x1b", "\x7f"]


def run(root: Path, capsys, *args: str) -> tuple[int, list[str]]:
    code = main(["-C", str(root), "build", "--no-import", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.splitlines()


@pytest.mark.parametrize("char", CONTROLS)
def test_control_character_in_front_matter_is_refused_with_key_and_line(make_site, capsys, char):
    text = briefing_md(f"Talks{char}stall", countries=["Russia", f"Uk{char}raine"])
    project = make_site({"content/briefings/a.md": text})
    code, lines = run(project.root, capsys)
    path = project.root / "content/briefings/a.md"
    assert code == 1
    assert lines[:2] == [
        f"{path}:2: control character U+{ord(char):04X} in 'title'; remove it",
        f"{path}:4: control character U+{ord(char):04X} in 'countries'; remove it",
    ]


@pytest.mark.parametrize("char", CONTROLS)
def test_control_character_in_body_is_dropped_and_feeds_are_valid(make_site, capsys, char):
    body = f"Pasted{char}from a word processor.\n\nSecond{char}paragraph."
    project = make_site({"content/briefings/a.md": briefing_md("A", body=body)})
    code, _ = run(project.root, capsys)
    assert code == 0
    space = " " if char in "\x0b\x0c" else ""
    paragraphs = project.html("briefings/a/index.html").texts("p")
    assert f"Pasted{space}from a word processor." in paragraphs
    for feed in ("feed.xml", "rss.xml"):
        if (project.output / feed).exists():
            parsed = feedparser.parse(project.read(feed))
            assert not parsed.bozo and parsed.entries, feed


def test_control_character_in_site_yaml_is_refused(make_site, capsys):
    project = make_site(
        {"content/briefings/a.md": briefing_md("A")},
        config='title: "Brief\\vings"\nbase_url: https://example.org/\n',
    )
    code, lines = run(project.root, capsys)
    assert code == 1
    assert (
        lines[0]
        == f"{project.root / 'site.yaml'}:1: control character U+000B in 'title'; remove it"
    )


def test_control_character_in_a_term_file_is_refused(make_site, capsys):
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("A", countries=["Russia"]),
            "content/countries/russia.yaml": 'title: "Rus\\x01sia"\ndescription: Big.\n',
        }
    )
    code, lines = run(project.root, capsys)
    assert code == 1
    assert lines[0] == (
        f"{project.root / 'content/countries/russia.yaml'}:1: control character U+0001 in 'title'; remove it"
    )


def test_serve_shows_the_file_and_publishes_nothing_on_a_control_character(make_site):
    project = make_site({"content/briefings/a.md": briefing_md("A", body="First.")})
    builds = ServeBuilds(
        project.root, BuildOptions(swap=False, run_import=False), echo=lambda _: None
    )
    assert builds(set()).error is None
    page = project.read("briefings/a/index.html")
    path = project.root / "content/briefings/a.md"
    path.write_text(briefing_md("A\x0bB", body="Second."), encoding="utf-8")
    # the fast render refuses it too: the last good page stays as it was
    assert builds.quick({path}) is None
    outcome = builds({path})
    assert outcome.error == f"{path}:2: control character U+000B in 'title'; remove it"
    assert project.read("briefings/a/index.html") == page


def test_file_name_that_is_not_utf8_is_refused_by_name(make_site, capsys):
    project = make_site({"content/briefings/ok.md": briefing_md("Ok")})
    folder = os.fsencode(project.root / "content/briefings")
    with open(os.path.join(folder, b"caf\xe9.md"), "wb") as handle:
        handle.write(briefing_md("Cafe").encode())
    code, lines = run(project.root, capsys)
    assert code == 1
    assert lines[0] == (
        f"{project.root / 'content/briefings'}/caf\\xe9.md: file name is not valid UTF-8; rename the file"
    )


# --- theme: must be a folder in themes/, and nothing it reads may come from outside the project ----------


@pytest.mark.parametrize("theme", ["/etc", "../../x", "..", "a/b", "x\\\\y", ""])
def test_theme_must_name_a_folder_in_themes(make_site, capsys, tmp_path, theme):
    secret = tmp_path / "outside" / "static" / "secret.txt"
    secret.parent.mkdir(parents=True)
    secret.write_text("secret")
    project = make_site(
        {"content/briefings/a.md": briefing_md("A")},
        config=f"title: T\nbase_url: https://example.org/\ntheme: {json.dumps(theme)}\n",
    )
    code, lines = run(project.root, capsys)
    assert code == 1
    assert lines[0].startswith(f"{project.root / 'site.yaml'}:3: theme ")
    assert "must name a folder in themes/" in lines[0]
    assert not project.output.exists()


def test_theme_given_as_absolute_path_does_not_publish_outside_files(make_site, capsys, tmp_path):
    outside = tmp_path / "outside"
    (outside / "static").mkdir(parents=True)
    (outside / "static" / "secret.txt").write_text("secret")
    project = make_site(
        {"content/briefings/a.md": briefing_md("A")},
        config=f"title: T\nbase_url: https://example.org/\ntheme: {outside}\n",
    )
    assert run(project.root, capsys)[0] == 1
    assert not (project.output / "static" / "secret.txt").exists()


def test_symlinked_theme_folder_outside_the_project_is_refused(make_site, capsys, tmp_path):
    outside = tmp_path / "shared-theme"
    (outside / "static").mkdir(parents=True)
    (outside / "static" / "secret.txt").write_text("secret")
    project = make_site(
        {"content/briefings/a.md": briefing_md("A")},
        config="title: T\nbase_url: https://example.org/\ntheme: mine\n",
    )
    (project.root / "themes").mkdir()
    (project.root / "themes" / "mine").symlink_to(outside, target_is_directory=True)
    code, lines = run(project.root, capsys)
    assert code == 1
    assert lines[0] == (
        f"{project.root / 'themes/mine'}: symlink points outside the project; copy the theme in instead"
    )


@pytest.mark.parametrize("inside", ["static/secret.txt", "templates/base.html", "static/linked"])
def test_symlink_inside_a_theme_pointing_outside_is_refused(make_site, capsys, tmp_path, inside):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    project = make_site(
        {"content/briefings/a.md": briefing_md("A"), "themes/mine/static/custom.css": "p{}"},
        config="title: T\nbase_url: https://example.org/\ntheme: mine\n",
    )
    link = project.root / "themes/mine" / inside
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside if inside.endswith("linked") else outside / "secret.txt")
    code, lines = run(project.root, capsys)
    assert code == 1
    assert lines[0] == f"{link}: symlink points outside the project; copy the file in instead"
    assert not project.output.exists()


def test_symlink_inside_a_theme_to_a_project_file_is_fine(make_site, capsys):
    project = make_site(
        {"content/briefings/a.md": briefing_md("A"), "assets/logo.svg": "<svg/>"},
        config="title: T\nbase_url: https://example.org/\ntheme: mine\n",
    )
    (project.root / "themes/mine/static").mkdir(parents=True)
    (project.root / "themes/mine/static/logo.svg").symlink_to(project.root / "assets/logo.svg")
    assert run(project.root, capsys)[0] == 0
    assert (project.output / "static/logo.svg").read_text() == "<svg/>"


# --- seeds during `briefings build` ------------------------------------------------------------------------


def test_a_bad_seed_fails_the_build(make_site, capsys):
    project = make_site(
        {
            "content/briefings/ok.md": briefing_md("Ok"),
            "seeds/good.txt": "Talks resume in Vienna\n\nDiplomats met on Monday.\n",
            "seeds/empty.txt": "   \n",
        }
    )
    code = main(["-C", str(project.root), "build"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"{project.root / 'seeds/empty.txt'}: empty seed" in err
    assert not project.output.joinpath("index.html").exists()
    # the good seed was still imported, as `briefings import` does
    assert (project.root / "content/briefings").joinpath("talks-resume-in-vienna.md").is_file()


def test_seed_named_in_latin1_does_not_crash_the_build(make_site, capsys):
    project = make_site({"content/briefings/ok.md": briefing_md("Ok")})
    seeds = os.fsencode(project.root / "seeds")
    os.makedirs(seeds)
    with open(os.path.join(seeds, b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"Cafe talks resume\n\nDiplomats met in Vienna.\n")
    code = main(["-C", str(project.root), "build"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.splitlines()[0] == (
        f"{project.root / 'seeds'}/caf\\xe9.txt: file name is not valid UTF-8; rename the file"
    )


def test_fifo_in_a_theme_or_as_site_yaml_is_refused(make_site, capsys):
    project = make_site(
        {"content/briefings/a.md": briefing_md("A"), "themes/mine/templates/.keep": ""},
        config="title: T\nbase_url: https://example.org/\ntheme: mine\n",
    )
    fifo = project.root / "themes/mine/templates/briefing.html"
    os.mkfifo(fifo)
    code, lines = run(project.root, capsys)
    assert code == 1 and lines[0] == f"{fifo}: not a regular file; remove it"
    (project.root / "site.yaml").unlink()
    os.mkfifo(project.root / "site.yaml")
    code, lines = run(project.root, capsys)
    assert code == 1
    assert (
        lines[0]
        == f"{project.root / 'site.yaml'}: not a regular file; site.yaml must be a text file"
    )
