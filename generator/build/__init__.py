"""Builds: the builder, its stores (cache, search index), the one writer, progress.

`Builder`, `BuildOptions`, `BuildReport` and `build` are the entry points (the CLI, `serve` and tests use them).
"""

from generator.build.builder import Builder, BuildOptions, BuildReport, build

__all__ = ["BuildOptions", "BuildReport", "Builder", "build"]
