"""Importer: created/unchanged/updated/conflict/force, unique slugs, bad seeds, dates, speed."""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from generator.read.entities import load_registry
from generator.read.importer import import_seeds
from generator.read.seed_index import seed_files, seeds_to_import
from generator.read.seed_markdown import is_untouched

SHIPPED = Path(__file__).parent / "data" / "seeds" / "000_3e7346ba372a76a7.txt"
ZONE = ZoneInfo("UTC")
WHEN = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def registry():
    return load_registry(None)


@pytest.fixture
def site(tmp_path):
    (tmp_path / "seeds").mkdir()
    return tmp_path


def run(site: Path, registry, **kw):
    kw.setdefault("date", WHEN)
    return import_seeds(
        seed_files(site / "seeds"), site / "content" / "briefings", tz=ZONE, registry=registry, **kw
    )


def meta_of(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:])


def write(site: Path, name: str, data: bytes | str) -> Path:
    path = site / "seeds" / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_created_then_unchanged(site, registry):
    write(site, SHIPPED.name, SHIPPED.read_bytes())
    [r] = run(site, registry)
    assert (r.status, r.encoding, r.message) == ("created", "utf-8", "")
    assert (
        r.target
        == site / "content" / "briefings" / "putin-signals-resolve-as-ukraine-peace-talks-stall.md"
    )
    meta = meta_of(r.target)
    assert meta["title"] == "Putin Signals Resolve as Ukraine Peace Talks Stall"
    assert meta["seed"]["file"] == SHIPPED.name and meta["seed"]["hash"].startswith("sha256:")
    assert "source" not in meta
    assert meta["date"] == "2026-11-22T09:00:00+00:00"
    before = r.target.read_bytes()
    [again] = run(site, registry)
    assert again.status == "unchanged" and again.target == r.target
    assert r.target.read_bytes() == before
    assert not list(r.target.parent.glob(".*tmp"))


def test_a_briefing_with_broken_front_matter_is_not_imported_again(site, registry):
    """An editor's YAML slip in an imported briefing made the importer see no briefing for its seed and
    import it again as `<slug>-2`: a second briefing once the slip was fixed. Now the seed is an error that
    names the briefing, nothing is written, and once fixed the seed is unchanged."""
    seed = write(site, SHIPPED.name, SHIPPED.read_bytes())
    [r] = run(site, registry)
    good = r.target.read_text(encoding="utf-8")
    broken = good.replace("title: ", 'title: "Revised: ', 1)  # an opening quote, never closed
    r.target.write_text(broken, encoding="utf-8")
    os.utime(seed, ns=(time.time_ns(), time.time_ns() + 10**9))  # the seed newer: due for import
    assert seeds_to_import(site / "seeds", r.target.parent) == [seed]
    [again] = run(site, registry)
    assert again.status == "error"
    # the briefing's own YAML error, with the line the quote opened on, as the build would report it
    assert f"{r.target}:" in again.message and "invalid YAML in front matter" in again.message
    assert "quoted scalar (from line 2)" in again.message
    assert sorted(p.name for p in r.target.parent.iterdir()) == [r.target.name]
    assert r.target.read_text(encoding="utf-8") == broken
    r.target.write_text(good, encoding="utf-8")
    [fixed] = run(site, registry)
    assert fixed.status == "unchanged" and fixed.target == r.target


def test_changed_seed_updates_untouched_briefing(site, registry):
    seed = write(site, "a.txt", "First Headline\nOriginal text.\n")
    [r] = run(site, registry)
    write(site, "a.txt", "Renamed Headline\nNew text.\n")
    [u] = run(site, registry)
    assert u.status == "updated" and u.target == r.target  # same file and slug: URLs stay stable
    meta = meta_of(u.target)
    assert meta["title"] == "Renamed Headline" and meta["slug"] == "first-headline"
    assert "New text." in u.target.read_text(encoding="utf-8")
    assert is_untouched(u.target.read_text(encoding="utf-8"))
    assert seed.exists()


def test_edited_briefing_is_a_conflict_then_force_keeps_a_backup(site, registry):
    write(site, "a.txt", "Headline\nOriginal text.\n")
    [r] = run(site, registry)
    edited = r.target.read_text(encoding="utf-8").replace(
        "Original text.", "An editor's better text."
    )
    r.target.write_text(edited, encoding="utf-8")
    write(site, "a.txt", "Headline\nChanged seed text.\n")
    [c] = run(site, registry)
    assert c.status == "conflict" and "edited since import" in c.message and "--force" in c.message
    assert r.target.read_text(encoding="utf-8") == edited
    [f] = run(site, registry, force=True)
    assert f.status == "updated" and ".bak" in f.message
    assert (r.target.parent / (r.target.name + ".bak")).read_text(encoding="utf-8") == edited
    assert "Changed seed text." in r.target.read_text(encoding="utf-8")
    # A second forced overwrite keeps the first backup and makes a timestamped one.
    r.target.write_text(edited, encoding="utf-8")
    write(site, "a.txt", "Headline\nChanged again.\n")
    [g] = run(site, registry, force=True)
    assert g.status == "updated"
    assert len(list(r.target.parent.glob("*.bak"))) == 2


def test_a_conflict_is_told_without_loading_the_ner_model(site, registry, monkeypatch):
    """A changed seed whose briefing an editor has edited is a conflict whatever its entities: it is
    reported without the NER model (loading it cost ~0.8 s on every build until the conflict was
    resolved); forced, the seed is read by the model again."""
    from generator.read import importer

    write(site, "a.txt", "Talks in Geneva\nEnvoys from France and Mali met on Tuesday.\n")
    [r] = run(site, registry)
    r.target.write_text(
        r.target.read_text(encoding="utf-8") + "\nAn editor's line.\n", encoding="utf-8"
    )
    write(site, "a.txt", "Talks in Geneva\nEnvoys from France and Mali met again on Friday.\n")
    loads: list[int] = []
    real = importer.load_model
    monkeypatch.setattr(importer, "load_model", lambda: loads.append(1) or real())
    [c] = run(site, registry)
    assert c.status == "conflict" and loads == []
    [f] = run(site, registry, force=True)
    assert f.status == "updated" and loads == [1]


def test_hand_written_briefing_without_body_hash_is_a_conflict(site, registry):
    brief = site / "content" / "briefings" / "mine.md"
    brief.parent.mkdir(parents=True)
    brief.write_text(
        "---\ntitle: Mine\ndate: 2026-01-01\nsource:\n  name: a.txt\n---\n\nHand-written.\n",
        encoding="utf-8",
    )
    write(site, "a.txt", "Headline\nSeed text.\n")
    [c] = run(site, registry)
    assert c.status == "conflict" and "no body_hash" in c.message
    assert brief.read_text(encoding="utf-8").endswith("Hand-written.\n")


def test_slug_collisions_get_numbered(site, registry):
    write(site, "a.txt", "Same Headline\nOne.\n")
    write(site, "b.txt", "Same Headline\nTwo.\n")
    write(site, "c.txt", "Same  headline!\nThree.\n")
    results = run(site, registry)
    assert [r.status for r in results] == ["created"] * 3
    assert [r.target.name for r in results] == [
        "same-headline.md",
        "same-headline-2.md",
        "same-headline-3.md",
    ]
    assert "taken" in results[1].message and "same-headline-2" in results[1].message
    assert meta_of(results[2].target)["slug"] == "same-headline-3"


def test_bad_seeds_are_errors_and_others_continue(site, registry):
    write(site, "a_empty.txt", b"")
    write(site, "b_binary.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    write(site, "c_good.txt", "Good Headline\nGood text.\n")
    write(site, "d_noheadline.txt", "x" * 500 + "\n")
    results = run(site, registry)
    assert [r.status for r in results] == ["error", "error", "created", "error"]
    assert (
        "empty" in results[0].message
        and "binary" in results[1].message
        and "headline" in results[3].message
    )
    assert results[0].target is None


def test_non_utf8_seed_reports_its_encoding(site, registry):
    write(site, "a.txt", b"Putin\x92s Gambit\n\x93We will prevail,\x94 he said.\n")
    [r] = run(site, registry)
    assert r.status == "created" and r.encoding == "windows-1252" and "windows-1252" in r.message
    meta = meta_of(r.target)
    assert meta["title"] == "Putin’s Gambit"
    assert "“We will prevail,” he said." in r.target.read_text(encoding="utf-8")


def test_date_from_dateline_then_argument_then_mtime(site, registry):
    write(site, "a.txt", "Dated\nWASHINGTON, June 22, 2021\nText.\n")
    write(site, "b.txt", "Undated\nText.\n")
    c = write(site, "c.txt", "Undated Too\nText.\n")
    os.utime(c, (1_700_000_000, 1_700_000_000))
    a, b = run(site, registry, date=WHEN)[:2]
    assert meta_of(a.target)["date"] == "2021-06-22T00:00:00+00:00"
    assert meta_of(b.target)["date"] == "2026-11-22T09:00:00+00:00"
    [r] = import_seeds([c], site / "other", tz=ZoneInfo("Europe/Berlin"), registry=registry)
    assert meta_of(r.target)["date"] == "2023-11-14T23:13:20+01:00"


def test_dry_run_writes_nothing(site, registry):
    write(site, "a.txt", "Headline\nText.\n")
    [r] = run(site, registry, dry_run=True)
    assert r.status == "created" and not r.target.exists()
    assert not (site / "content").exists()


def test_seeds_to_import_lists_new_and_newer_seeds_only(site, registry):
    briefings = site / "content" / "briefings"
    assert not seeds_to_import(site / "seeds", briefings)
    seed = write(site, "a.txt", "Headline\nText.\n")
    assert seeds_to_import(site / "seeds", briefings) == [seed]
    [_r] = run(site, registry)
    assert not seeds_to_import(site / "seeds", briefings)
    future = time.time() + 10
    os.utime(seed, (future, future))  # touched (a checkout's order): the same text is not due again
    assert not seeds_to_import(site / "seeds", briefings)
    seed.write_text("Headline\nText, revised.\n", encoding="utf-8")
    os.utime(seed, (future, future))
    assert seeds_to_import(site / "seeds", briefings) == [seed]


def test_a_memo_of_the_briefings_read_gives_what_reading_them_all_gives(
    site, registry, monkeypatch
):
    """Matching seeds to briefings reads every briefing's front matter; with a memo (what a build keeps
    in .cache/), a file whose size and mtime are unchanged is not read again, and the answer is the
    same: an unlinked briefing's seed is due again, a deleted briefing leaves the memo."""
    from generator.read import seed_index

    briefings = site / "content" / "briefings"
    seeds = [write(site, f"{name}.txt", f"Headline {name}\nText.\n") for name in "abc"]
    run(site, registry)
    reads: list[Path] = []
    real_read = seed_index.read_briefing

    def counted(path: Path, stamp: object) -> object:
        reads.append(path)
        return real_read(path, stamp)  # type: ignore[arg-type]

    monkeypatch.setattr(seed_index, "read_briefing", counted)
    memo: dict = {}
    assert seeds_to_import(site / "seeds", briefings, memo) == []
    assert len(reads) == 3 and len(memo) == 3
    reads.clear()
    assert seeds_to_import(site / "seeds", briefings, memo) == []
    assert reads == []
    made = sorted(briefings.glob("*.md"))
    linked_to_b = next(p for p in made if "b.txt" in p.read_text(encoding="utf-8"))
    text = linked_to_b.read_text(encoding="utf-8")
    linked_to_b.write_text(text.replace("file: b.txt", "file: elsewhere.txt"), encoding="utf-8")
    assert seeds_to_import(site / "seeds", briefings, memo) == [seeds[1]]
    assert reads == [linked_to_b]
    assert seeds_to_import(site / "seeds", briefings) == [seeds[1]]  # as without a memo
    linked_to_b.unlink()
    assert seeds_to_import(site / "seeds", briefings, memo) == [seeds[1]]
    assert str(linked_to_b) not in memo and len(memo) == 2


def test_a_full_build_of_a_site_with_seeds_reads_only_the_edited_briefing(make_site, monkeypatch):
    """`briefings build` checks for seeds to import before every full build; after an edit (a retitle
    with an alias: a full build), the importer reads that briefing's front matter alone (the rest from
    .cache/, in a new process too), and a new seed's import reads only the briefing it makes."""
    from generator.build.once import build_project
    from generator.build.options import BuildOptions
    from generator.read import seed_index

    project = make_site(
        {f"seeds/s{i}.txt": f"Talks resume in round {i}\nEnvoys met.\n" for i in range(4)}
    )
    options = BuildOptions(run_import=True, jobs=1)
    assert len(build_project(project.root, options).imported) == 4
    reads: list[Path] = []
    real_read = seed_index.read_briefing
    monkeypatch.setattr(
        seed_index,
        "read_briefing",
        lambda path, stamp: reads.append(path) or real_read(path, stamp),
    )
    edited = sorted((project.root / "content/briefings").glob("*.md"))[0]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(
        re.sub(r"(?m)^title: .*$", "title: Revised talks\naliases: [/old/talks/]", text, count=1),
        encoding="utf-8",
    )
    report = build_project(project.root, options)
    assert report.shortcut == "" and report.imported == () and reads == [edited]
    assert "Revised talks" in project.read(f"briefings/{edited.stem}/index.html")
    # a new seed: imported without reading the other briefings again (only the one it makes)
    reads.clear()
    project.write({"seeds/s9.txt": "Ceasefire holds in the north\nObservers reported calm.\n"})
    report = build_project(project.root, options)
    assert len(report.imported) == 1
    made = project.root / "content/briefings/ceasefire-holds-in-the-north.md"
    assert made.is_file() and reads == [made]


def test_import_of_many_seeds_then_nothing_to_do(site, registry):
    """300 seeds are created, then all found unchanged (the rate is printed; speed belongs to bench/, not to an
    assertion that fails on a loaded machine)."""
    body = SHIPPED.read_text(encoding="utf-8").split("\n", 1)[1]
    n = 300
    for i in range(n):
        write(site, f"{i:05d}.txt", f"Briefing Number {i} on Ukraine Talks\n{body}")
    started = time.perf_counter()
    results = run(site, registry)
    created = time.perf_counter() - started
    started = time.perf_counter()
    again = run(site, registry)
    unchanged = time.perf_counter() - started
    assert {r.status for r in results} == {"created"} and {r.status for r in again} == {"unchanged"}
    print(f"import: {n / created:.0f} seeds/s created, {n / unchanged:.0f} seeds/s unchanged")


def test_forked_import_writes_what_a_serial_import_writes(tmp_path, registry):
    """New seeds are read by the model in batches over worker processes; the briefings are the same."""
    news = sorted((Path(__file__).parent / "data" / "news").glob("*.txt"))
    written = {}
    for jobs in (1, 2):
        site = tmp_path / f"jobs{jobs}"
        (site / "seeds").mkdir(parents=True)
        for path in news:
            write(site, path.name, path.read_bytes())
        results = run(site, registry, jobs=jobs)
        assert {r.status for r in results} == {"created"}
        written[jobs] = {p.name: p.read_text() for p in (site / "content" / "briefings").iterdir()}
    assert written[1] == written[2] and len(written[1]) == len(news)
