"""Search index: the files under search/ a site ships (format in generator/build/search_index.py),
built deterministic and patched, not rebuilt, when a briefing's text changes; the patched index
always equals a fresh one.
The browser side (static/search.js in Chromium) is tested in test_search_ui.py."""

from __future__ import annotations

import json
import pickle
import random
import shutil
from array import array

import pytest

from generator.build import search_index as search
from generator.build.builder import Builder, BuildOptions
from generator.build.search_index import SearchIndex, _shard_bytes, patch_shard, shard_of
from generator.read.words import index_terms, tokens
from tests.conftest import briefing_md

CONFIG = "title: Search\nbase_url: https://example.org/\n"


def small_site() -> dict[str, str]:
    return {
        "content/briefings/a.md": briefing_md(
            "Grain corridor reopens",
            date="2026-11-10T09:00:00+00:00",
            countries=["Ukraine"],
            topics=["Trade"],
            body="Ships carrying wheat left Odesa. Wheat prices fell.",
        ),
        "content/briefings/b.md": briefing_md(
            "Pipeline talks",
            date="2026-11-11T09:00:00+00:00",
            countries=["Russia"],
            topics=["Energy"],
            body="Gas flows through the pipeline resumed in Zürich's view.",
        ),
        "content/pages/about.md": "---\ntitle: About\n---\nAbout.\n",
    }


def index_files(output) -> dict[str, bytes]:
    return {
        p.relative_to(output).as_posix(): p.read_bytes()
        for p in (output / "search").rglob("*.json")
    }


def postings(files: dict[str, bytes], term: str) -> dict[int, int]:
    """{doc id: tf} of a term, decoded from its shard as static/search.js does."""
    flat = json.loads(files.get(f"search/terms/{shard_of(term)}.json", b"{}")).get(term, [])
    docs, last = {}, 0
    for k in range(0, len(flat), 2):
        last += flat[k]
        docs[last] = flat[k + 1]
    return docs


def test_tokens_fold_case_and_accents_and_split_on_punctuation():
    assert tokens("Zürich's GDP-growth: 3.5% (São Paulo)") == [
        "zurich",
        "s",
        "gdp",
        "growth",
        "3",
        "5",
        "sao",
        "paulo",
    ]
    # ї loses its diaeresis: і
    assert tokens("Ελλάδα и Україна, 北京") == ["ελλαδα", "и", "укра\u0456на", "北京"]
    # underscores split; over-long tokens dropped
    assert tokens("snake_case " + "x" * 41) == ["snake", "case"]
    assert (
        shard_of("wheat") == "whe"
        and shard_of("un") == "un"
        and shard_of("україна") == "_" + "укр".encode().hex()
    )


def test_index_terms_weight_title_words_and_read_the_rendered_body():
    words = dict(
        pair.split(":")
        for pair in index_terms(
            "Wheat deal",
            "A summary.",
            ["Wheat up"],
            {"countries": ["Ukraine"]},
            "<p>wheat &amp; <em>barley</em></p>",
        ).split()
    )
    assert words == {
        "wheat": "5",
        "deal": "3",
        "a": "1",
        "summary": "1",
        "up": "1",
        "ukraine": "1",
        "barley": "1",
    }


def test_index_files_describe_every_briefing(make_site):
    project = make_site(small_site(), config=CONFIG)
    project.build()
    files = index_files(project.output)
    meta = json.loads(files["search/index.json"])
    assert (
        meta["version"] == 2 and meta["count"] == 2 and meta["prefix"] == 3 and meta["chunk"] == 256
    )
    assert [t["name"] for t in meta["taxonomies"]] == [
        "countries",
        "people",
        "organisations",
        "topics",
    ]
    docs = json.loads(files["search/docs/0.json"])  # id 0 is the oldest briefing
    assert [d[0] for d in docs] == [
        "briefings/grain-corridor-reopens/",
        "briefings/pipeline-talks/",
    ]
    assert docs[0][1:3] == ["Grain corridor reopens", "2026-11-10"] and docs[0][4] == {
        "countries": ["Ukraine"],
        "topics": ["Trade"],
    }
    assert postings(files, "wheat") == {0: 2} and postings(files, "zurich") == {1: 1}
    assert postings(files, "grain") == {0: 3}  # a title word counts three times
    filters = json.loads(files["search/filters.json"])
    assert filters["countries"] == [["Russia", "russia", [1]], ["Ukraine", "ukraine", [0]]]
    # The search page points the script at the index; no page needs WebAssembly any more.
    page = project.html("search/index.html")
    box = next(a for _, a in page.elements if a.get("id") == "search")
    assert box["data-index"] == "/search/index.json" and box["data-base"] == "/"
    policy = next(
        m["content"] for m in page.all("meta") if m.get("http-equiv") == "Content-Security-Policy"
    )
    assert "script-src 'self';" in policy and "wasm" not in policy


def test_random_edits_patch_the_index_to_what_a_fresh_build_makes(make_site, tmp_path):
    """Body edits patch shards (no full rebuild); adds, deletes and date changes rebuild; bytes
    always equal a clean build."""
    rng = random.Random(7)
    vocabulary = (
        "sanctions wheat pipeline ceasefire talks election drone grain port border troops summit oil gas"
    ).split()
    dates = {f"b{i}": f"2026-10-{i + 1:02d}T09:00:00+00:00" for i in range(12)}

    def text(name: str) -> str:
        body = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 30))) + "."
        return briefing_md(f"Briefing {name}", date=dates[name], countries=["Ukraine"], body=body)

    project = make_site(
        {f"content/briefings/{name}.md": text(name) for name in dates}, config=CONFIG
    )
    builder = Builder(project.root, BuildOptions(run_import=False))
    builder.build()
    assert builder.search.full_runs == 1
    for step in range(25):
        name = rng.choice(sorted(dates))
        path = project.root / f"content/briefings/{name}.md"
        kind = rng.choice(["body", "body", "body", "add", "delete", "date"])
        if kind == "add":
            dates[f"n{step}"] = "2026-11-20T09:00:00+00:00"
            project.write({f"content/briefings/n{step}.md": text(f"n{step}")})
        elif kind == "delete" and len(dates) > 2:
            path.unlink()
            del dates[name]
        elif kind == "date":
            dates[name] = f"2026-09-{step + 1:02d}T09:00:00+00:00"
            project.write({f"content/briefings/{name}.md": text(name)})
        else:
            kind = "body"
            project.write({f"content/briefings/{name}.md": text(name)})
        runs = builder.search.full_runs
        builder.build()
        if kind == "body":
            assert builder.search.full_runs == runs, step  # patched in place
        fresh = tmp_path / f"fresh{step}"
        Builder(project.root, BuildOptions(run_import=False, cache=False, output=fresh)).build()
        assert index_files(project.output) == index_files(fresh), (step, kind)


@pytest.mark.parametrize("docs", [(), (("a", "d1"),), (("a", "d1"), ("b", "d2"))])
def test_the_index_saved_in_the_cache_reads_back_the_same(docs):
    index = SearchIndex(
        docs=docs, key="k", shard_digests={"a": "1"}, chunk_digests=["2"], filters_digest="3"
    )
    again = pickle.loads(pickle.dumps(index))
    assert (again.docs, again.key, again.shard_digests, again.chunk_digests) == (
        docs,
        "k",
        {"a": "1"},
        ["2"],
    )
    assert again.filters_digest == "3"


def test_a_new_cli_run_patches_the_index_it_finds_in_the_cache(make_site):
    project = make_site(small_site(), config=CONFIG)
    Builder(project.root, BuildOptions(run_import=False)).build()
    project.write(
        {
            "content/briefings/a.md": small_site()["content/briefings/a.md"].replace(
                "wheat", "barley"
            )
        }
    )
    builder = Builder(project.root, BuildOptions(run_import=False))
    builder.build()
    # patched: "whe" changed, "bar" new (a rebuild writes every shard)
    assert builder.search.shards_written == 2
    files = index_files(project.output)
    # "Wheat prices fell" is left
    assert postings(files, "barley") == {0: 1} and postings(files, "wheat") == {0: 1}


def test_a_shard_altered_in_the_output_folder_is_never_patched_blindly(make_site, tmp_path):
    project = make_site(small_site(), config=CONFIG)
    Builder(project.root, BuildOptions(run_import=False)).build()
    # hand-edited, or a bad disk
    (project.output / "search/terms/whe.json").write_text('{"wheat":[0,9]}')
    (project.output / "search/terms/shi.json").unlink()  # gone
    project.write(
        {
            "content/briefings/a.md": small_site()["content/briefings/a.md"].replace(
                "wheat", "barley"
            )
        }
    )
    Builder(project.root, BuildOptions(run_import=False)).build()
    fresh = tmp_path / "fresh"
    Builder(project.root, BuildOptions(run_import=False, cache=False, output=fresh)).build()
    assert index_files(project.output) == index_files(fresh)


def _shard_of(postings: dict[str, dict[int, int]]) -> bytes:
    """The shard build_shards makes of {term: {id: tf}}: its postings as [id, tf, ...], ids ascending."""
    return _shard_bytes(
        {
            t: array("i", [n for d in sorted(docs) for n in (d, docs[d])])
            for t, docs in postings.items()
        }
    )


def test_a_patched_shard_is_byte_for_byte_a_rebuilt_one():
    """Postings added, changed and removed, terms new and gone (accents too), shards emptied."""
    rng = random.Random(3)
    vocabulary = ["sta", "stab", "stable", "stack", "staff", "stärke", "stąd", "sta1", "stз"]
    for _ in range(300):
        before = {
            t: {d: rng.randint(1, 99) for d in rng.sample(range(60), rng.randint(1, 8))}
            for t in rng.sample(vocabulary, rng.randint(0, 5))
        }
        after = {t: dict(docs) for t, docs in before.items()}
        changes: dict[str, dict[int, int]] = {}
        for _ in range(rng.randint(1, 6)):
            term, doc = rng.choice(vocabulary), rng.randrange(60)
            tf = rng.choice([0, 0, rng.randint(1, 99)])
            changes.setdefault(term, {})[doc] = tf
            docs = after.setdefault(term, {})
            if tf:
                docs[doc] = tf
            else:
                docs.pop(doc, None)
        after = {t: docs for t, docs in after.items() if docs}
        old = _shard_of(before) if before else None
        assert patch_shard(old, changes) == (_shard_of(after) if after else None), (
            before,
            changes,
        )


def counting(monkeypatch, name: str) -> list[object]:
    """Calls of generator.build.search_index.<name>, recorded as they happen."""
    calls: list[object] = []
    real = getattr(search, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(search, name, counted)
    return calls


def test_a_fresh_output_folder_makes_every_shard_in_one_pass(make_site, tmp_path, monkeypatch):
    """A warm cache and no (or a gutted) output: all shards from one reading of the words, not one per shard."""
    project = make_site(small_site(), config=CONFIG)
    Builder(project.root, BuildOptions(run_import=False)).build()
    clean = index_files(project.output)
    assert len([f for f in clean if f.startswith("search/terms/")]) > 10
    builds = counting(monkeypatch, "build_shards")
    elsewhere = tmp_path / "elsewhere"
    Builder(project.root, BuildOptions(run_import=False, output=elsewhere)).build()
    assert len(builds) == 1 and index_files(elsewhere) == clean
    shutil.rmtree(project.output)
    Builder(project.root, BuildOptions(run_import=False)).build()
    assert len(builds) == 2 and index_files(project.output) == clean
    # Some shards deleted by hand, the folder left: the ones missing come from one pass too.
    for shard in sorted((project.output / "search/terms").iterdir())[::2]:
        shard.unlink()
    (project.output / "search/docs/0.json").unlink()
    (project.output / "search/filters.json").unlink()
    Builder(project.root, BuildOptions(run_import=False)).build()
    assert len(builds) == 3 and index_files(project.output) == clean
    # A large index is made in a forked process, started before the pages are rendered.
    monkeypatch.setattr(search, "PARALLEL_INDEX", 1)
    forked = tmp_path / "forked"
    Builder(project.root, BuildOptions(run_import=False, output=forked, jobs=2)).build()
    assert len(builds) == 3 and index_files(forked) == clean  # none made in this process


def test_an_edit_costs_what_it_changes_not_what_the_site_holds(make_site, tmp_path, monkeypatch):
    """New words in one briefing: its words alone are read and one docs/ file is made, not every
    briefing's; a new country makes filters.json again too. Bytes always equal a clean build."""
    monkeypatch.setattr(search, "CHUNK", 4)
    names = [f"b{i:02d}" for i in range(30)]

    def text(
        name: str, body: str = "Talks on grain exports resumed.", countries=("Ukraine",)
    ) -> str:
        day = 1 + names.index(name) % 28
        return briefing_md(
            f"Briefing {name}",
            date=f"2026-10-{day:02d}T{names.index(name) % 24:02d}:00:00+00:00",
            countries=list(countries),
            body=body,
        )

    project = make_site({f"content/briefings/{n}.md": text(n) for n in names}, config=CONFIG)
    Builder(project.root, BuildOptions(run_import=False)).build()
    parsed, entries = counting(monkeypatch, "_parse_terms"), counting(monkeypatch, "_doc_entry")
    builds, filters = counting(monkeypatch, "build_shards"), counting(monkeypatch, "_filters")

    def edit_and_compare(step: str, **change: object) -> tuple[int, ...]:
        for calls in (parsed, entries, builds, filters):
            calls.clear()
        project.write({"content/briefings/b17.md": text("b17", **change)})
        # a new CLI run: state from .cache/
        builder = Builder(project.root, BuildOptions(run_import=False))
        builder.build()
        assert builder.search.full_runs == 0, step
        counts = (len(parsed), len(entries), len(builds), len(filters))
        fresh = tmp_path / f"fresh-{step}"
        Builder(project.root, BuildOptions(run_import=False, cache=False, output=fresh)).build()
        assert index_files(project.output) == index_files(fresh), step
        return counts

    # (words parsed, docs entries made, shard rebuilds, filters made): old and new words of b17, the
    # 4 entries of its docs/ file, no shard rebuilt, filters kept unless its countries change
    new_words = "Talks on grain exports resumed. Zephyrine quorbles vexed Ouagadougou."
    assert edit_and_compare("words", body=new_words) == (2, 4, 0, 0)
    new_country = ("Ukraine", "Chile")
    assert edit_and_compare("country", body="Talks resumed.", countries=new_country) == (2, 4, 0, 1)


def test_publishing_a_briefing_newer_than_all_patches_the_index(make_site, tmp_path, monkeypatch):
    """A briefing newer than every other takes the next id (ids go oldest first): its words are patched into
    the shards they touch and only the last docs/ file is made (or a new one), in a new CLI run and in a
    kept Builder (serve), where ids given newest first remade every file. One dated before others moves
    their ids: the index is made again. Bytes always equal a clean build."""
    monkeypatch.setattr(search, "CHUNK", 4)

    def text(n: int, date: str, body: str = "Talks on grain exports resumed.") -> str:
        return briefing_md(
            f"Briefing {n}", date=f"{date}T09:00:00+00:00", countries=["Ukraine"], body=body
        )

    # seven: docs/0.json holds the four oldest, docs/1.json three
    project = make_site(
        {f"content/briefings/b{n:02d}.md": text(n, f"2026-10-{n + 1:02d}") for n in range(7)},
        config=CONFIG,
    )
    Builder(project.root, BuildOptions(run_import=False)).build()
    entries, builds = counting(monkeypatch, "_doc_entry"), counting(monkeypatch, "build_shards")

    def publish(builder: Builder | None, n: int, date: str, body: str) -> tuple[set[str], int]:
        """The files of search/ the build changed and the docs/ entries it made."""
        entries.clear(), builds.clear()
        before = index_files(project.output)
        project.write({f"content/briefings/b{n:02d}.md": text(n, date, body)})
        builder = builder or Builder(project.root, BuildOptions(run_import=False))  # a new CLI run
        runs = builder.search.full_runs
        builder.build()
        patched = builder.search.full_runs == runs
        assert patched == (not builds), n  # no shard made from every briefing's words when patched
        made = len(entries) if patched else -1
        after = index_files(project.output)
        fresh = tmp_path / f"fresh-{n}"
        Builder(project.root, BuildOptions(run_import=False, cache=False, output=fresh)).build()
        assert after == index_files(fresh), n
        return {rel for rel in after if before.get(rel) != after[rel]}, made

    def shards(*words: str) -> set[str]:
        return {f"search/terms/{search.shard_of(w)}.json" for w in words}

    common = {"search/filters.json", "search/index.json"}
    # into the last docs/ file, which it fills: the shards of its new words and of every word it shares
    # with the others (their posting lists gain its id)
    changed, made = publish(None, 7, "2026-10-20", "Zephyrine quorbles vexed Ouagadougou.")
    assert made == 4 and "search/docs/0.json" not in changed
    assert changed == common | {"search/docs/1.json"} | shards(
        "zephyrine", "quorbles", "vexed", "ouagadougou", "briefing", "7", "ukraine"
    )
    # into a new docs/ file, of one entry
    changed, made = publish(None, 8, "2026-10-21", "Vexed again.")
    assert made == 1 and changed == common | {"search/docs/2.json"} | shards(
        "vexed", "again", "briefing", "8", "ukraine"
    )
    # serve's kept Builder patches too
    kept = Builder(project.root, BuildOptions(run_import=False))
    kept.build()
    changed, made = publish(kept, 9, "2026-10-22", "Quorbles.")
    assert made == 2 and changed == common | {"search/docs/2.json"} | shards(
        "quorbles", "briefing", "9", "ukraine"
    )
    # dated before the others: every id after it moves, the index is made again (equal to a clean one)
    assert publish(None, 10, "2026-09-30", "Backdated.")[1] == -1
