"""Builds: the builder, its stores (cache, search index), the one writer, progress.

The entry points are `builder.Builder` and `builder.build`, with `options.BuildOptions` and
`options.BuildReport` (the CLI, `serve` and tests use them). This package imports nothing itself, so that
`current` (is the site up to date?) is asked without loading the renderer.
"""
