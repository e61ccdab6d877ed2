"""The persistent build cache (.cache/): byte-identical to clean builds, corruption-proof, incremental CLI builds."""

from __future__ import annotations

import io
import os
import pickle
import shutil
import zlib
from datetime import UTC
from pathlib import Path

import pytest

from generator.build import cache as cache_module
from generator.build.builder import Builder, BuildOptions
from generator.build.once import build_project
from generator.build.progress import Progress
from generator.cli import main
from tests.conftest import briefing_md


def site_files(n: int = 12) -> dict[str, str]:
    files = {
        f"content/briefings/b{i:02d}.md": briefing_md(
            f"Briefing {i}",
            f"2026-0{1 + i % 9}-1{i % 9}T09:00:00+00:00",
            body=f"## Part {i}\n\nText {i} with *emphasis*.",
            countries=[f"Country{i % 3}"],
            topics=["Energy" if i % 2 else "Trade"],
            summary=f"Summary {i}.",
        )
        for i in range(n)
    }
    files["content/pages/about.md"] = "---\ntitle: About\n---\nAbout us.\n"
    return files


def tree(folder) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".briefings-build"
    }


def fresh_build(project, **options):
    """A build by a new Builder, as `briefings build` does: nothing in memory, only .cache/ on disk."""
    return Builder(project.root, BuildOptions(run_import=False, **options)).build()


def test_cached_build_equals_clean_build_byte_for_byte(make_site, tmp_path):
    project = make_site(site_files())
    first = fresh_build(project)
    # one file per non-empty shard
    assert list((project.root / ".cache").glob("documents-*.pickle"))
    assert (project.root / ".cache" / "pages.pickle").is_file()
    # a new process renders nothing: the cache on disk was used
    assert fresh_build(project).rendered == 0
    project.write(
        {
            "content/briefings/b05.md": briefing_md(
                "Briefing 5 revised", "2026-06-15T09:00:00+00:00", countries=["Country2"]
            )
        }
    )
    edited = fresh_build(project)
    # what lists show changed: every page showing it
    assert 0 < edited.rendered < first.rendered * 0.6
    project.write(
        {
            "content/briefings/b05.md": briefing_md(
                "Briefing 5 revised",
                "2026-06-15T09:00:00+00:00",
                body="New text.",
                countries=["Country2"],
            )
        }
    )
    # a body edit: its page and the four feeds that carry its text
    assert fresh_build(project).rendered == 5
    clean = tmp_path / "clean"
    fresh_build(project, cache=False, output=clean)
    assert tree(project.output) == tree(clean)
    assert project.html("briefings/briefing-5-revised/index.html").texts("h1") == [
        "Briefing 5 revised"
    ]


def test_cache_is_keyed_by_content_not_mtime(make_site):
    project = make_site(site_files(4))
    fresh_build(project)
    path = project.root / "content/briefings/b01.md"
    text = path.read_text()
    path.write_text(text)  # touched: new mtime, same bytes
    assert fresh_build(project).rendered == 0
    path.write_text(text.replace("Text 1", "Changed text 1"))
    os.utime(path, ns=(1, 1))  # new bytes behind an old mtime are still seen
    fresh_build(project)
    assert "Changed text 1" in project.html("briefings/briefing-1/index.html").text


def test_corrupt_or_foreign_cache_is_ignored_and_rebuilt(make_site, tmp_path):
    project = make_site(site_files(6))
    total = fresh_build(project).rendered
    clean = tree(project.output)
    folder = project.root / ".cache"
    docs, pages = (
        folder
        / f"documents-{cache_module._shard(str(project.root / 'content/briefings/b01.md')):02d}.pickle",
        folder / "pages.pickle",
    )
    # one flipped byte in the payload: the checksum no longer matches
    data = bytearray(docs.read_bytes())
    data[-10] ^= 0xFF
    docs.write_bytes(bytes(data))
    pages.write_bytes(pages.read_bytes()[:50])  # truncated
    # output edited by hand
    project.output.joinpath("briefings/briefing-1/index.html").write_text("tampered")
    report = fresh_build(project)
    assert report.rendered == total
    assert tree(project.output) == clean
    # a well-formed file from another generator version (or config) is not trusted either
    header = docs.read_bytes().split(b"\n", 1)[0]
    assert header.startswith(cache_module.FORMAT)
    payload = pickle.dumps(
        {str(project.root / "content/briefings/b01.md"): ("x", "not a briefing")}
    )
    cache_module.save(docs, docs.stem, "another-version", pickle.loads(payload))
    assert cache_module.load(docs, docs.stem, "another-version") is not None
    assert fresh_build(project).stats.written == 0
    assert tree(project.output) == clean
    # garbage that unpickles to nothing sensible, with a valid checksum, is ignored too
    (folder / "pages.pickle").write_bytes(b"garbage")
    assert cache_module.load(folder / "pages.pickle", "pages", "s") is None


def test_config_change_invalidates_the_cache(make_site):
    project = make_site(site_files(4))
    total = fresh_build(project).rendered
    project.write(
        {"site.yaml": "title: Renamed\nbase_url: https://example.org/\npreview_images: false\n"}
    )
    assert fresh_build(project).rendered == total
    assert project.html("index.html").texts("title")[0].startswith("Renamed")


def test_kept_page_missing_from_output_is_rendered_again(make_site):
    project = make_site(site_files(4))
    fresh_build(project)
    before = project.read("briefings/briefing-2/index.html")
    (project.output / "briefings/briefing-2/index.html").unlink()
    fresh_build(project)
    assert project.read("briefings/briefing-2/index.html") == before


def test_a_deleted_output_folder_goes_to_the_render_workers(make_site, monkeypatch):
    """`rm -rf output` with a warm cache: the manifest beside the folder outlives it, but no page is taken
    for kept and rendered again one by one in the writer; all are rendered as a first build's are."""
    from generator.build import builder as builder_module

    project = make_site(site_files())
    total = fresh_build(project).rendered
    clean = tree(project.output)
    one_by_one: list[str] = []
    real = builder_module.kept_bytes

    def kept(output, digest, env, page, common):  # type: ignore[no-untyped-def]
        one_by_one.append(page.path)
        return real(output, digest, env, page, common)

    monkeypatch.setattr(builder_module, "kept_bytes", kept)
    shutil.rmtree(project.output)
    assert fresh_build(project).rendered == total
    assert one_by_one == [] and tree(project.output) == clean


def test_cli_incremental_build_leaves_untouched_files_alone(make_site, monkeypatch):
    project = make_site(site_files())
    monkeypatch.chdir(project.root)
    assert main(["build", "--no-import"]) == 0
    stamps = {p: p.stat().st_mtime_ns for p in project.output.rglob("*") if p.is_file()}
    inodes = {p: p.stat().st_ino for p in stamps}
    edited = project.root / "content/briefings/b07.md"
    edited.write_text(edited.read_text().replace("Text 7", "Text 7, revised"))
    assert main(["build", "--no-import"]) == 0
    page = project.output / "briefings/briefing-7/index.html"
    assert "Text 7, revised" in project.html("briefings/briefing-7/index.html").text
    assert page.stat().st_mtime_ns != stamps[page]
    moved = [
        p
        for p, ns in stamps.items()
        if p.exists() and p.stat().st_mtime_ns != ns and p.name != ".briefings-build"
    ]
    # Only the edited page's HTML changed (lists show the unchanged summary); feeds and search data quote the body.
    assert [p for p in moved if p.suffix == ".html"] == [page]
    assert len(moved) < len(stamps) / 4
    untouched = project.output / "briefings/briefing-1/index.html"
    assert (
        untouched.stat().st_mtime_ns == stamps[untouched]
        and untouched.stat().st_ino == inodes[untouched]
    )
    assert (
        project.output.joinpath("about/index.html").stat().st_mtime_ns
        == stamps[project.output / "about/index.html"]
    )


def test_no_cache_option_and_clean(make_site, monkeypatch, capsys):
    project = make_site(site_files(3))
    monkeypatch.chdir(project.root)
    assert main(["build", "--no-import", "--no-cache"]) == 0
    assert not (project.root / ".cache").exists()
    assert main(["build", "--no-import"]) == 0
    assert (project.root / ".cache").is_dir()
    assert main(["clean"]) == 0
    assert not (project.root / ".cache").exists()
    assert not any(project.output.iterdir())


def test_progress_shows_on_a_terminal_only():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown, hidden = Tty(), io.StringIO()
    for stream in (shown, hidden):
        progress = Progress(stream, interval=0)
        progress.stage("rendering", 3)
        progress.advance(2)
        progress.advance(1)
        progress.done()
    assert "rendering: 2/3" in shown.getvalue() and "rendering: 3/3" in shown.getvalue()
    assert shown.getvalue().endswith("\r")
    assert hidden.getvalue() == ""


def test_build_reports_progress_by_stage(make_site):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    project = make_site(site_files(3))
    stream = Tty()
    fresh_build(project, progress=Progress(stream, interval=0))
    text = stream.getvalue()
    assert "parsing: 4/4" in text
    assert "rendering:" in text and "writing" in text


def test_nothing_changed_build_stops_early_but_never_skips_real_work(make_site):
    """The no-op fast path: same inputs and an intact output folder write nothing; anything else builds."""
    import time as clock
    from datetime import datetime, timedelta

    project = make_site(site_files(4))
    fresh_build(project)
    report = fresh_build(project)
    assert report.rendered == 0 and report.stats.written == 0 and report.pages > 10
    # An output file deleted or changed by hand: the next build restores it.
    page = project.output / "briefings/briefing-1/index.html"
    good = page.read_bytes()
    page.unlink()
    fresh_build(project)
    assert page.read_bytes() == good
    page.write_bytes(b"tampered")
    fresh_build(project)
    assert page.read_bytes() == good
    # A template edit (same size, so only the mtime tells) re-renders.
    template = project.root / "themes/default/templates/briefing.html"
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_text(
        '{% extends "base.html" %}{% block main %}<p id="t">A</p>{% endblock %}\n', encoding="utf-8"
    )
    fresh_build(project)
    template.write_text(
        '{% extends "base.html" %}{% block main %}<p id="t">B</p>{% endblock %}\n', encoding="utf-8"
    )
    os.utime(template, ns=(template.stat().st_atime_ns, template.stat().st_mtime_ns + 1_000_000))
    fresh_build(project)
    assert project.html("briefings/briefing-1/index.html").texts("p")[0] == "B"
    template.unlink()
    # A briefing dated a moment ahead is hidden, then published by the first build after its time,
    # though no file changed.
    due = datetime.now(UTC) + timedelta(seconds=1.5)
    project.write({"content/briefings/soon.md": briefing_md("Soon", due.isoformat())})
    fresh_build(project)
    assert not (project.output / "briefings/soon/index.html").exists()
    assert fresh_build(project).stats.written == 0
    clock.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.1)
    fresh_build(project)
    assert (project.output / "briefings/soon/index.html").is_file()


def test_an_edit_keeping_size_and_mtime_is_missed_by_build_and_caught_by_verify(
    make_site, monkeypatch, capsys
):
    """As git's index does, a build trusts an unchanged size and mtime; `build --verify` hashes every file."""
    project = make_site(
        {"content/briefings/a.md": briefing_md("Alpha", "2026-11-01", body="The cat sat.")}
    )
    monkeypatch.chdir(project.root)
    assert main(["build", "--no-import"]) == 0
    path = project.root / "content/briefings/a.md"
    st = path.stat()
    path.write_text(path.read_text().replace("The cat sat.", "The dog sat."))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert main(["build", "--no-import"]) == 0
    assert "The cat sat." in project.read("briefings/alpha/index.html")  # missed: stamps trusted
    capsys.readouterr()
    assert main(["build", "--no-import", "--verify"]) == 0
    assert "(0 rendered" not in capsys.readouterr().out
    assert "The dog sat." in project.read("briefings/alpha/index.html")
    assert "The dog sat." in project.read("feed.xml")
    # the next plain build trusts the stamps again, and the cache holds the new text
    assert main(["build", "--no-import"]) == 0
    assert "The dog sat." in project.read("briefings/alpha/index.html")


def test_files_rewritten_with_the_same_bytes_are_no_change(make_site, monkeypatch, capsys):
    """A checkout rewrites every file (new mtimes, the same bytes): the build after it changes nothing and
    parses nothing, hashing each rewritten file once (the next build hashes none); an edit among the
    rewritten files is the only file a text edit parses."""
    from generator.build import inputs, text_edits

    project = make_site(site_files())
    monkeypatch.chdir(project.root)
    assert main(["build", "--no-import"]) == 0
    files = sorted(str(p) for p in (project.root / "content").rglob("*.md"))

    def checkout() -> None:
        for path in files:
            data = Path(path).read_bytes()
            mtime = os.stat(path).st_mtime_ns
            Path(path).write_bytes(data)
            os.utime(path, ns=(mtime + 10**9, mtime + 10**9))

    hashed: list[str] = []
    real_digest = inputs.file_digest
    monkeypatch.setattr(
        inputs, "file_digest", lambda path: hashed.append(path) or real_digest(path)
    )
    parsed: list[list[str]] = []  # the files each text edit's child parses
    real_aside = text_edits.aside

    def aside(job, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(list(job.args[1]))
        return real_aside(job, **kwargs)

    monkeypatch.setattr(text_edits, "aside", aside)
    clean = tree(project.output)
    checkout()
    capsys.readouterr()
    assert main(["build", "--no-import"]) == 0
    assert "(0 rendered, 0 written" in capsys.readouterr().out
    assert sorted(hashed) == files and parsed == []
    hashed.clear()
    assert main(["build", "--no-import"]) == 0
    assert hashed == [] and tree(project.output) == clean
    checkout()
    edited = project.root / "content/briefings/b07.md"
    edited.write_text(edited.read_text().replace("Text 7", "Text 7, revised"))
    assert main(["build", "--no-import"]) == 0
    assert parsed == [[str(edited)]]
    assert "Text 7, revised" in project.read("briefings/briefing-7/index.html")


def test_a_fresh_checkout_with_the_last_run_restored_renders_nothing_again(make_site, tmp_path):
    """A CI job (examples/github-pages.yml): the project checked out anew (every file rewritten, new mtimes)
    at the same path, the last run's .cache/, output/ and its manifest restored with their mtimes (as
    actions/cache's tar does; new inodes). The build is the no-op; an edit is a text edit."""
    project = make_site(site_files())
    fresh_build(project)
    saved = tmp_path / "saved"
    kept = [".cache", "output", *(p.name for p in project.root.glob(".output.manifest*"))]
    for name in kept:
        source, target = project.root / name, saved / name
        if source.is_dir():
            shutil.copytree(source, target)  # copy2: mtimes kept, to the nanosecond
        else:
            shutil.copy2(source, target)
    sources = {
        path.relative_to(project.root): path.read_bytes()
        for path in project.root.rglob("*")
        if path.is_file() and path.relative_to(project.root).parts[0] not in kept
    }
    shutil.rmtree(project.root)
    for rel, data in sources.items():  # the checkout: written anew
        (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (project.root / rel).write_bytes(data)
    for name in kept:
        source, target = saved / name, project.root / name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    report = build_project(project.root, BuildOptions(run_import=False))
    assert report.shortcut == "unchanged"  # the no-op check, before the renderer is loaded
    edited = project.root / "content/briefings/b03.md"
    edited.write_text(edited.read_text().replace("Text 3", "Text 3, revised"))
    edit = build_project(project.root, BuildOptions(run_import=False))
    assert (
        edit.shortcut == "text edits" and 0 < edit.rendered <= 6
    )  # its page, the feeds of its text
    clean = tmp_path / "clean"
    fresh_build(project, cache=False, output=clean)
    assert tree(project.output) == tree(clean)


def test_changed_stamps_are_found_wherever_they_are():
    """Stamps.changed compares blocks of numbers before files: every changed file, and only those, in
    order, wherever it falls in or across a block."""
    import random
    from array import array

    from generator.build.inputs import Stamps

    rng = random.Random(7)
    paths = [f"content/briefings/b{i}.md" for i in range(3_000)]
    then = Stamps(paths, array("q", [rng.randrange(10**15) for _ in range(2 * len(paths))]))
    assert Stamps(paths, array("q", then.numbers)).changed(then) == []
    for _ in range(200):
        numbers = array("q", then.numbers)
        edited = set(rng.sample(range(len(paths)), rng.randint(1, 6)))
        edited |= {rng.choice([0, 255, 256, len(paths) - 1])}  # block edges and the ends
        for i in edited:
            numbers[2 * i + rng.randint(0, 1)] += 1  # its size or its mtime
        assert Stamps(paths, numbers).changed(then) == [paths[i] for i in sorted(edited)]
    assert Stamps(paths[:-1], then.numbers[:-2]).changed(then) is None  # a file removed


def test_stamps_saved_and_loaded_compare_as_before():
    """Stamps are pickled with their paths as one string: loaded, they equal what was saved, find the
    same changes, give back the same paths, and tell a renamed file from an unchanged one."""
    import pickle
    from array import array

    from generator.build.inputs import Stamps

    paths = [f"content/briefings/b{i}.md" for i in range(50)] + ["themes/é/x.html"]
    then = Stamps(paths, array("q", range(2 * len(paths))))
    loaded = pickle.loads(pickle.dumps(then))
    assert loaded == then and loaded.paths == paths
    numbers = array("q", then.numbers)
    numbers[7] += 1
    assert Stamps(list(paths), numbers).changed(loaded) == [paths[3]]
    renamed = [*paths[:-1], "themes/é/y.html"]
    assert Stamps(renamed, then.numbers).changed(loaded) is None
    assert pickle.loads(pickle.dumps(Stamps([], array("q")))).paths == []
    old_state = {
        "paths": paths,
        "numbers": then.numbers,
    }  # as the dataclass of cache format 7 saved it
    with pytest.raises(TypeError):
        Stamps([], array("q")).__setstate__(old_state)  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # as format 8 saved them, without digests
        Stamps([], array("q")).__setstate__((then.joined, then.numbers, None))  # type: ignore[arg-type]


def test_stamps_with_digests_tell_rewritten_files_from_changed_ones(tmp_path):
    """A survey takes a file's digest from the last one while its size and mtime are unchanged, else from
    its bytes, by position or, when files were added or removed, by path: `changed` then names the
    files whose bytes changed, not those merely rewritten (and, as git, trusts an unchanged stamp)."""
    import pickle

    from generator.build.inputs import input_stamps

    folder = tmp_path / "content"
    folder.mkdir()
    for i in range(600):  # more than a block of numbers
        (folder / f"b{i:03d}.md").write_text(f"text {i}")
    then = input_stamps([folder])
    assert then.changed(then) == []
    loaded = pickle.loads(pickle.dumps(then))
    assert loaded.digests == then.digests and len(then.digests or b"") == 16 * 600

    def rewrite(name: str, text: str) -> None:
        path = folder / name
        mtime = path.stat().st_mtime_ns + 10**9
        path.write_text(text)
        os.utime(path, ns=(mtime, mtime))

    for i in (0, 255, 256, 599):
        rewrite(f"b{i:03d}.md", f"text {i}")  # the same bytes
    rewrite("b300.md", "text 300, revised")
    now = input_stamps([folder], loaded)
    assert now.changed(loaded) == [str(folder / "b300.md")]
    assert now.digests != then.digests
    (folder / "b600.md").write_text("new")  # added: digests by path
    rewrite("b001.md", "text 1")
    rewrite("b002.md", "text 2, revised")
    added = input_stamps([folder], now)
    assert added.changed(now) is None
    fresh = input_stamps([folder])
    assert added.digests == fresh.digests
    path = folder / "b003.md"  # new bytes behind the old stamp: trusted, as git does
    st = path.stat()
    path.write_text("text X")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert input_stamps([folder], fresh).changed(fresh) == []


@pytest.mark.parametrize("zlib_first", [1 << 30, 0, 100_000], ids=["zlib", "ISA-L", "both"])
def test_cache_files_are_summed_alike_by_either_crc_and_damage_is_found(
    tmp_path, monkeypatch, zlib_first
):
    """A process sums its first 4 MB with zlib, then with ISA-L: the same CRC-32 either way, continued
    across pieces, so a file saved in pickle's frames loads back, and a flipped byte in it is found."""
    monkeypatch.setattr(cache_module, "_ZLIB_FIRST", [zlib_first])
    data = os.urandom(300_000)
    for cut in (0, 1, 65_535, 65_536, 200_000):
        head, tail = data[:cut], data[cut:]
        assert cache_module._crc32(tail, cache_module._crc32(head)) == zlib.crc32(data)
    path = tmp_path / "blob.pickle"
    value = {"words": data, "list": list(range(50_000))}
    cache_module.save(path, "search", "S", value)
    assert cache_module.load(path, "search", "S") == value
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 1
    path.write_bytes(bytes(damaged))
    assert cache_module.load(path, "search", "S") is None
