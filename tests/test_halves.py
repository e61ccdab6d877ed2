"""core/halves.py: stat-bound work split between a forked child and the caller gives what one pass gives."""

from __future__ import annotations

import os

from generator.build import inputs
from generator.build.write import _altered
from generator.core.halves import in_halves


def test_in_halves_equals_one_pass_in_order():
    items = list(range(1001))
    assert in_halves(lambda xs: [x * 2 for x in xs], items, least=10) == [x * 2 for x in items]


def test_a_child_that_fails_has_its_half_done_by_the_caller():
    caller = os.getpid()

    def fn(xs):  # type: ignore[no-untyped-def]
        if os.getpid() != caller:
            raise RuntimeError("the child's half fails")
        return list(xs)

    assert in_halves(fn, list(range(100)), least=10) == list(range(100))


def test_split_stamps_and_output_checks_see_every_file(tmp_path, monkeypatch):
    for n in range(60):
        (tmp_path / f"f{n:02d}.txt").write_text("x" * n)
    one = inputs.input_stamps([tmp_path])
    monkeypatch.setattr("generator.core.halves.LEAST", 2)
    monkeypatch.setattr(inputs, "in_halves", lambda fn, items: in_halves(fn, items, least=2))
    assert inputs.input_stamps([tmp_path]) == one and len(one) == 60
    entries = [(os.path.basename(p), ["", size, mtime]) for p, (size, mtime) in one.items()]
    for altered in (entries[3][0], entries[-2][0]):  # one in each half
        os.utime(tmp_path / altered, ns=(1, 1))
        assert in_halves(lambda e: _altered(str(tmp_path), e), entries, least=2) == [altered]
        os.utime(tmp_path / altered, ns=(one[str(tmp_path / altered)][1],) * 2)
    assert in_halves(lambda e: _altered(str(tmp_path), e), entries, least=2) == []
