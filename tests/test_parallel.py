"""Parallel parsing and rendering: worker processes produce the same site as a serial build."""

from __future__ import annotations

import os

import pytest

from generator.build.builder import Builder, BuildOptions
from generator.core import parallel
from generator.core.errors import SiteError
from tests.conftest import briefing_md
from tests.test_cache import site_files, tree


def test_fork_map_keeps_order_and_uses_workers(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    items = list(range(300))
    seen = []
    results = parallel.fork_map(lambda x: (x * x, os.getpid()), items, 2, progress=seen.append)
    assert [r[0] for r in results] == [x * x for x in items]
    assert os.getpid() not in {r[1] for r in results}  # computed in forked workers, not here
    assert sum(seen) == len(items)
    assert parallel.fork_map(lambda x: os.getpid(), items, 1) == [os.getpid()] * len(items)


def test_no_more_workers_than_copies_of_the_process_fit_in_memory(monkeypatch):
    """A build of a huge archive must not run the machine out of memory by forking: with room for one
    copy only, no worker is forked (the caller renders, holding no copy), and the background job runs at
    once (its child would copy the caller, which goes on growing meanwhile); with two it is forked."""
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    items = list(range(50))
    assert os.getpid() not in parallel.fork_map(lambda x: os.getpid(), items, 2)
    monkeypatch.setattr(parallel, "copies_that_fit", lambda: 2)
    assert parallel.Background(os.getpid).result() != os.getpid()  # its copy, and room to grow
    monkeypatch.setattr(parallel, "copies_that_fit", lambda: 1)
    assert parallel.fork_map(lambda x: os.getpid(), items, 2) == [os.getpid()] * len(items)
    assert parallel.Background(os.getpid).result() == os.getpid()


def test_parallel_build_equals_serial_build(make_site, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)  # a tiny site, forced through the process pool
    project = make_site(site_files(30))
    serial, forked = tmp_path / "serial", tmp_path / "forked"
    Builder(
        project.root, BuildOptions(run_import=False, cache=False, jobs=1, output=serial)
    ).build()
    report = Builder(
        project.root, BuildOptions(run_import=False, cache=False, jobs=2, output=forked)
    ).build()
    assert report.rendered > 40
    assert tree(serial) == tree(forked)


def test_parallel_errors_keep_file_and_line(make_site, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    files = site_files(6)
    files["content/briefings/bad.md"] = "---\ntitle: Bad\ndate: nonsense\n---\nText\n"
    project = make_site(files)
    with pytest.raises(SiteError) as caught:
        Builder(project.root, BuildOptions(run_import=False, jobs=2)).build()
    assert any(
        str(p).startswith(f"{project.root / 'content/briefings/bad.md'}:3:")
        for p in caught.value.problems
    ), caught.value
    project.write({"content/briefings/bad.md": briefing_md("Fixed")})
    project.write(
        {
            "themes/default/templates/briefing.html": '{% extends "base.html" %}{% block main %}'
            "{{ briefing.nope.deeper }}{% endblock %}"
        }
    )
    with pytest.raises(SiteError) as caught:
        Builder(project.root, BuildOptions(run_import=False, jobs=2)).build()
    messages = [str(p) for p in caught.value.problems]
    assert any("briefing.html:1:" in m for m in messages), messages


def test_fork_map_batches_hands_slices_to_workers_and_keeps_order():
    items = list(range(50))
    results = parallel.fork_map_batches(
        lambda xs: [(x, len(xs), os.getpid()) for x in xs], items, 2, batch=8, min_items=10
    )
    assert [r[0] for r in results] == items
    assert {r[1] for r in results} == {8, 2}  # 6 slices of 8, then the last 2
    assert os.getpid() not in {r[2] for r in results}
    serial = parallel.fork_map_batches(
        lambda xs: [os.getpid() for _ in xs], items, 2, batch=8, min_items=51
    )
    assert serial == [os.getpid()] * len(items)
