"""core/dataclass_code.py: dataclasses' methods compiled once and kept between processes behave as freshly
compiled ones; a bad or missing file costs only the compile."""

from __future__ import annotations

import importlib.util
import json
import marshal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Classes of every shape the package uses: frozen, ordered, defaults, factories, keyword-only, slots,
# InitVar and __post_init__, fields left out of eq and repr. It prints what their methods do.
SCRIPT = r"""
import dataclasses, json, sys
from pathlib import Path
from generator.core import dataclass_code
dataclass_code.install(Path(sys.argv[1]))
known_before = len(dataclass_code._known)
from dataclasses import dataclass, field, InitVar

@dataclass(frozen=True, order=True)
class Point:
    x: int
    y: int = 0
    tags: tuple = field(default=(), compare=False, repr=False)

@dataclass
class Bag:
    items: list = field(default_factory=list)
    scale: InitVar[int] = 1
    total: int = field(init=False, default=0)
    def __post_init__(self, scale):
        self.total = sum(self.items) * scale

@dataclass(frozen=True, kw_only=True, slots=True)
class Named:
    name: str
    size: int = 3

out = {}
out["repr"] = [repr(Point(1, 2, ("a",))), repr(Bag([1, 2], 3)), repr(Named(name="n"))]
out["eq"] = [Point(1, 2, ("a",)) == Point(1, 2), Bag([1]) == Bag([1]), Named(name="a") == Named(name="b")]
ordered = sorted([Point(3), Point(1, 5), Point(1)])
out["order"] = [Point(1, 2) < Point(2, 0), ordered == [Point(1), Point(1, 5), Point(3)]]
out["hash"] = hash(Point(1, 2)) == hash(Point(1, 2, ("b",)))
out["total"] = Bag([1, 2], 3).total
try:
    Point(1).x = 5
    out["frozen"] = False
except dataclasses.FrozenInstanceError:
    out["frozen"] = True
try:
    Named("positional")
    out["kw_only"] = False
except TypeError:
    out["kw_only"] = True
out["known_before"] = known_before
out["compiled"] = len(dataclass_code._known) - known_before
out["exec"] = dataclasses.exec is dataclass_code._exec
dataclass_code.save()
print(json.dumps(out))
"""


def run(cache: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(cache)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def behaviour(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in ("known_before", "compiled")}


def test_kept_code_behaves_as_code_compiled_afresh(tmp_path):
    cache = tmp_path / "pycache" / "dataclass_code.marshal"
    cache.parent.mkdir()
    first = run(cache)
    assert first["exec"] and first["known_before"] == 0 and first["compiled"] > 0
    assert cache.is_file()
    second = run(cache)
    assert second["known_before"] >= first["compiled"]
    assert second["compiled"] == 0  # every method's code came from the file
    assert behaviour(second) == behaviour(first)
    assert first["frozen"] and first["kw_only"] and first["hash"] and first["total"] == 9
    assert first["eq"] == [True, True, False] and first["order"] == [True, True]
    assert first["repr"][0] == "Point(x=1, y=2)"


def test_a_bad_file_is_compiled_again_and_replaced(tmp_path):
    cache = tmp_path / "dataclass_code.marshal"
    cache.write_bytes(b"not marshal data")
    result = run(cache)
    assert result["known_before"] == 0 and result["compiled"] > 0
    magic, kept = marshal.loads(cache.read_bytes())
    assert magic == importlib.util.MAGIC_NUMBER and len(kept) == result["compiled"]
    # readable, but not code: nothing of it is used
    cache.write_bytes(marshal.dumps((magic, {"text": 1})))
    assert run(cache)["known_before"] == 0
    # code of another Python's bytecode version is not run
    cache.write_bytes(marshal.dumps((b"\0\0\r\n", kept)))
    assert run(cache)["known_before"] == 0


def test_nothing_is_written_where_no_bytecode_folder_exists(tmp_path):
    cache = tmp_path / "missing" / "dataclass_code.marshal"
    result = run(cache)
    assert result["compiled"] > 0
    assert not cache.parent.exists()


def test_the_package_installs_it_before_its_first_dataclass():
    code = (
        "import dataclasses, generator.core.model as m, generator.core.dataclass_code as d;"
        "print(dataclasses.exec is d._exec, m.Briefing.__init__.__code__.co_filename)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "<string>"]
