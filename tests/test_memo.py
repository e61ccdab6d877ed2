"""core/memo.py: data files' parses remembered by their text and the code version, within a build."""

from __future__ import annotations

import pytest

from generator.build.builder import BuildOptions, build
from generator.core.errors import SiteError
from generator.core.memo import remembered, remembering
from tests.conftest import briefing_md


class Parses:
    """A parse that counts its calls."""

    def __init__(self, result: object = None, error: Exception | None = None):
        self.calls = 0
        self.result = result
        self.error = error

    def __call__(self) -> object:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return self.result


def test_outside_a_build_every_parse_runs():
    parse = Parses({"a": 1})
    assert remembered("x", "a: 1", parse) == {"a": 1}
    assert remembered("x", "a: 1", parse) == {"a": 1}
    assert parse.calls == 2


def test_a_parse_is_remembered_by_text_and_code_version(tmp_path):
    parse = Parses({"a": [1, 2]})
    with remembering(tmp_path, "code-1"):
        assert remembered("x", "a: [1, 2]", parse) == {"a": [1, 2]}
        assert remembered("x", "a: [1, 2]", parse) == {"a": [1, 2]}
        assert parse.calls == 1
        other = Parses({"a": 3})
        assert remembered("x", "a: 3", other) == {"a": 3}  # another text
        assert other.calls == 1
        assert remembered("x", "a: 3", Parses("unused")) == {"a": 3}
    with remembering(tmp_path, "code-2"):  # another generator: parsed again
        newer = Parses({"a": 4})
        assert remembered("x", "a: 3", newer) == {"a": 4}
        assert newer.calls == 1
    with remembering(tmp_path, "code-2"):  # the same file name for another parse is its own entry
        assert remembered("y", "a: 3", Parses("y's")) == "y's"
        assert remembered("x", "a: 3", Parses("unused")) == {"a": 4}


def test_a_failed_parse_is_reported_every_time(tmp_path):
    parse = Parses(error=SiteError.at(tmp_path / "site.yaml", 2, "invalid YAML"))
    with remembering(tmp_path, "code"):
        for _ in range(2):
            with pytest.raises(SiteError, match=r"site\.yaml:2"):
                remembered("site.yaml", "title: [", parse)
    assert parse.calls == 2


def test_a_file_saved_during_its_parse_is_not_remembered(tmp_path):
    with remembering(tmp_path, "code"):
        assert remembered("x", "old", Parses("new"), still=lambda: False) == "new"
        fresh = Parses("old")
        assert remembered("x", "old", fresh) == "old"
        assert fresh.calls == 1


def test_a_damaged_or_unwritable_memo_parses_again(tmp_path):
    with remembering(tmp_path, "code"):
        remembered("x", "text", Parses("first"))
        for damage in (b"", b"briefings-memo 1\n", (tmp_path / "x.pickle").read_bytes()[:-3]):
            (tmp_path / "x.pickle").write_bytes(damage)
            again = Parses("again")
            assert remembered("x", "text", again) == "again"
            assert again.calls == 1
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with remembering(blocked, "code"):
        parse = Parses("parsed")
        assert remembered("x", "text", parse) == remembered("x", "text", parse) == "parsed"
        assert parse.calls == 2


def test_settings_and_corrections_edits_reach_the_site_through_the_memo(make_site):
    """site.yaml and entities.yaml are read through the memo by every cached build: each edit shows, an
    edit back shows, and a broken file fails each build with its line."""
    project = make_site(
        {
            "content/briefings/a.md": briefing_md("Talks", people=["Lovelace"]),
            "content/_data/entities.yaml": "people:\n  - name: Ada Lovelace\n"
            "    aliases: [Lovelace]\n",
        }
    )
    config = (project.root / "site.yaml").read_text(encoding="utf-8")

    def shown() -> tuple[str, list[str]]:
        page = project.html("briefings/talks/index.html")
        people = sorted(
            (attrs.get("href") or "").split("/")[-2]
            for tag, attrs in page.elements
            if tag == "a" and "/people/" in (attrs.get("href") or "")
        )
        return page.texts_by_tag["title"][0], people

    project.build()
    memo = project.root / ".cache" / "memo"
    assert {p.name for p in memo.iterdir()} >= {"site.yaml.pickle", "entities.yaml.pickle"}
    title, people = shown()
    assert "Test Briefings" in title and "ada-lovelace" in people
    for round_ in range(2):  # the second round finds the memo of the first's texts
        project.write({"site.yaml": config.replace("Test Briefings", "Renamed Desk")})
        project.build()
        assert "Renamed Desk" in shown()[0]
        project.write({"site.yaml": config})
        project.build()
        assert "Test Briefings" in shown()[0]
        project.write(
            {
                "content/_data/entities.yaml": "people:\n  - name: Augusta Ada King\n"
                "    aliases: [Lovelace]\n"
            }
        )
        project.build()
        assert "augusta-ada-king" in shown()[1] and "ada-lovelace" not in shown()[1]
        project.write(
            {
                "content/_data/entities.yaml": "people:\n  - name: Ada Lovelace\n    aliases: [Lovelace]\n"
            }
        )
        project.build()
        assert "ada-lovelace" in shown()[1], round_
    project.write({"site.yaml": config + "title: [\n"})
    for _ in range(2):
        with pytest.raises(SiteError, match=r"site\.yaml:\d"):
            project.build()


def test_a_moved_project_names_its_own_site_yaml(make_site, tmp_path):
    """The parse of site.yaml keeps its problems (a control character) with their file: a project moved
    with its .cache reports the file where it is now."""
    project = make_site({"content/briefings/a.md": briefing_md("Talks")})
    (project.root / "site.yaml").write_text('title: "Desk\\x01"\n', encoding="utf-8")
    for _ in range(2):
        with pytest.raises(SiteError, match="control character") as error:
            project.build()
        assert str(project.root / "site.yaml") in str(error.value)
    moved = tmp_path / "moved"
    project.root.rename(moved)
    with pytest.raises(SiteError, match="control character") as error:
        build(moved, BuildOptions(run_import=False))
    assert str(moved / "site.yaml") in str(error.value)
