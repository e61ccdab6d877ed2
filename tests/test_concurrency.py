"""Builds, imports and `serve` rebuilds run at once against one project (#18): each successful run leaves
output/ byte for byte what a clean build of the same project makes, says no traceback, and leaves no
temporary file behind.

Bounded: 4 rounds of 3 commands at once (12 in all), in subprocesses, chosen at random with a fixed seed,
with random content edits before each round while one `briefings serve` (127.0.0.1, a free port) rebuilds
on every save; the server is stopped by its handle at the end.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import ROOT, briefing_md

COMMANDS = (
    ["build"],
    ["build", "--jobs", "2"],
    ["build", "--verify"],
    ["import"],
    ["build", "--no-cache"],
)
SEED = """{title}
PARIS — Officials from France and Chile met on Monday to discuss trade, {detail}. The talks, held in Paris,
ended without a joint statement, according to people familiar with them.
"""
MARKER = ".briefings-build"


def run(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(root), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


def clean_build(root: Path, scratch: Path) -> dict[str, bytes]:
    """What a clean build of the project as it stands makes: a copy built without cache."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir()
    for name in ("site.yaml", "published-urls.txt", "content", "seeds", "themes"):
        source = root / name
        if source.is_dir():
            shutil.copytree(source, scratch / name)
        elif source.is_file():
            shutil.copy2(source, scratch / name)
    done = run(scratch, "build", "--no-cache")
    assert done.returncode == 0, done.stderr
    return tree(scratch / "output")


# two per round: every kind at least once
EDITS = ("body", "seed", "title", "new", "delete", "seed", "body", "new")


def edit(root: Path, rng: random.Random, step: int, kind: str) -> None:
    """One change of the content: a body, a title (a new slug, a redirect), a new briefing, a deleted one,
    a new seed; the file chosen at random."""
    folder = root / "content/briefings"
    existing = sorted(folder.glob("*.md"))
    if kind == "delete" and len(existing) > 2:
        rng.choice(existing).unlink()
    elif kind in ("body", "title") and existing:
        path = rng.choice(existing)
        title = f"Story {step} retitled" if kind == "title" else path.stem.replace("-", " ").title()
        path.write_text(briefing_md(title, f"2026-11-{1 + step % 27:02d}", body=f"Body {step}."))
    elif kind == "seed":
        (root / "seeds").mkdir(exist_ok=True)
        (root / "seeds" / f"seed-{step}.txt").write_text(
            SEED.format(title=f"Trade talks round {step}", detail=f"round {step}")
        )
    else:
        (folder / f"new-{step}.md").write_text(
            briefing_md(f"New story {step}", "2026-11-15", body=f"New {step}.", countries=["Chile"])
        )


class Serve:
    """`briefings serve` in a subprocess; its output lines with the time each arrived."""

    def __init__(self, root: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "-C", str(root), "serve", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            bufsize=1,
        )
        self.lines: list[tuple[float, str]] = []
        self.errors: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(
            target=lambda: self.errors.extend(self.proc.stderr or ()), daemon=True
        ).start()
        deadline = time.monotonic() + 120
        while not any("serving http://127.0.0.1:" in line for _, line in self.lines):
            assert self.proc.poll() is None and time.monotonic() < deadline, self.errors
            time.sleep(0.05)

    def _read(self) -> None:
        for line in self.proc.stdout or ():
            self.lines.append((time.monotonic(), line))

    def settle(self, since: float, quiet: float = 1.5, timeout: float = 60) -> None:
        """Wait until the server has rebuilt after `since` and said nothing for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.lines[-1][0] if self.lines else 0.0
            if last > since and time.monotonic() - last > quiet:
                return
            time.sleep(0.1)
        raise AssertionError(f"serve did not settle: {self.lines[-5:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def test_builds_imports_and_serve_rebuilds_at_once_leave_a_clean_build(make_site, tmp_path):
    project = make_site(
        {
            f"content/briefings/story-{i}.md": briefing_md(
                f"Story {i}", f"2026-11-{i + 1:02d}", body=f"Body {i}.", countries=["France"]
            )
            for i in range(6)
        },
        config="title: Busy\nbase_url: https://example.org/\n",
    )
    root = project.root
    assert run(root, "build").returncode == 0
    rng = random.Random(18)
    serve = Serve(root)
    failures: list[str] = []
    try:
        for round_ in range(4):
            for step in range(2):
                edit(root, rng, 10 * round_ + step, EDITS[2 * round_ + step])
            edited = time.monotonic()
            commands = [rng.choice(COMMANDS) for _ in range(3)]
            procs = [
                subprocess.Popen(
                    [sys.executable, "-m", "generator", "-C", str(root), *args],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=ROOT,
                )
                for args in commands
            ]
            for args, proc in zip(commands, procs, strict=True):
                _, err = proc.communicate(timeout=180)
                assert "Traceback" not in err, (args, err)
                if proc.returncode != 0:
                    failures.append(f"{args}: exit {proc.returncode}: {err.strip()[-300:]}")
            serve.settle(edited)
            expected = clean_build(root, tmp_path / f"clean-{round_}")
            got = tree(project.output)
            assert sorted(got) == sorted(expected), (round_, commands)
            differ = [name for name in expected if got[name] != expected[name]]
            assert differ == [], (round_, commands, differ[:5])
            left = list(root.rglob(".briefings-new.*")) + [
                p
                for p in root.iterdir()
                if p.name in (".output.new", ".output.old", ".output.journal")
            ]
            assert left == [], left
    finally:
        serve.stop()
    assert serve.proc.returncode == 0
    assert not any("Traceback" in line for line in serve.errors), "".join(serve.errors)
    assert failures == []
