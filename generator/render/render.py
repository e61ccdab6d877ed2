"""Rendering: output pages to bytes through the theme. Never writes to disk."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2

from generator.core.errors import Problem, SiteError
from generator.core.model import Digested, Kept, OutputPage, Shown
from generator.core.parallel import fork_map
from generator.core.trace import Input, recording


def render_page(env: jinja2.Environment, page: OutputPage, common: Mapping[str, Any]) -> bytes:
    """One page's bytes: raw data as is, made by its function, or rendered from its template with the common
    context plus the page's own."""
    if page.data is not None:
        return page.data
    context = {k: v.value() if type(v) is Shown else v for k, v in page.context.items()}
    if page.make is not None:
        return page.make(**context)
    template = env.get_template(page.template)
    return template.render({**common, **context, "output_path": page.path}).encode("utf-8")


def render_traced(env: jinja2.Environment, page: OutputPage, common: Mapping[str, Any]) -> Rendered:
    """A page's bytes, their SHA-256 and every input (template, theme file, asset) its rendering read."""
    with recording() as reads:
        data = render_page(env, page, common)
    return Rendered(Digested.of(data), tuple(sorted(reads)))


@dataclass(frozen=True)
class Rendered:
    content: Digested | Kept  # Kept: held elsewhere by `render_many`'s `hold`
    reads: tuple[Input, ...]  # sorted: equal sets of reads are equal tuples

    @property
    def data(self) -> bytes:
        return self.content.data if isinstance(self.content, Digested) else self.content.load()


def render_many(
    env: jinja2.Environment,
    pages: Sequence[OutputPage],
    common: Mapping[str, Any],
    jobs: int = 1,
    *,
    progress: Callable[[int], None] | None = None,
    hold: Callable[[Digested], Kept] | None = None,
    arrived: Callable[[str, Digested | Kept], Digested | Kept] | None = None,
) -> dict[str, Rendered]:
    """Every page rendered, spread over `jobs` forked processes for large batches (each has its own copy of
    `env`; same bytes). Each page's digest and reads come from the worker; so does `hold` (a build's spool:
    the bytes of 100,000 pages need not all be in memory at once). `arrived(path, content)` is called in
    this process as each page arrives, and its answer kept (a first build writes the page meanwhile).
    Template errors are gathered (once each) and raised together."""

    # A page's reads are mostly those of its kind plus the briefings it shows (their titles): each input
    # one object, so that a worker's results pickle it once per batch, and again one object in this
    # process, so that 100,000 pages hold pointers to a few hundred thousand inputs, not a copy each (at
    # 10,000 briefings a frozenset of copies per page was 48 MB of this process's peak).
    inputs: dict[Input, Input] = {}
    sets: dict[tuple[Input, ...], tuple[Input, ...]] = {}

    def compact(reads: tuple[Input, ...]) -> tuple[Input, ...]:
        reads = tuple(inputs.setdefault(item, item) for item in reads)
        return sets.setdefault(reads, reads)

    def one(page: OutputPage) -> Rendered | Problem:
        try:
            done = render_traced(env, page, common)
            reads = compact(done.reads)
            if hold is not None and isinstance(done.content, Digested):
                return Rendered(hold(done.content), reads)
            return Rendered(done.content, reads)
        except jinja2.TemplateError as exc:
            return template_problem(env, page, exc)
        except SiteError as exc:  # a content problem met while rendering (a shortcode's data file)
            return exc.problems[0]

    def received(page: OutputPage, result: Rendered | Problem) -> Rendered | Problem:
        if not isinstance(result, Rendered):
            return result
        try:
            content = arrived(page.path, result.content) if arrived else result.content
        except SiteError as exc:  # the page could not be written (a full disk)
            return exc.problems[0]
        return Rendered(content, compact(result.reads))

    rendered: dict[str, Rendered] = {}
    problems: dict[str, Problem] = {}
    for page, result in zip(
        pages, fork_map(one, pages, jobs, progress=progress, received=received), strict=False
    ):
        if isinstance(result, Problem):
            problems.setdefault(str(result), result)
        else:
            rendered[page.path] = result
    if problems:
        raise SiteError(list(problems.values()))
    return rendered


def template_problem(env: jinja2.Environment, page: OutputPage, exc: Exception) -> Problem:
    """Turn a Jinja error into `template-file:line: message`."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        path = exc.filename or exc.name or page.template
        return Problem(path, exc.lineno, f"template syntax error: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        searched = ", ".join(getattr(env.loader, "searchpath", []))
        return Problem(
            page.template,
            None,
            f"template '{exc.name}' not found (looked in {searched}); add it to your theme's templates/ folder",
        )
    # Runtime errors: Jinja rewrites the traceback so template frames carry the template's file and line.
    path, line = page.template, None
    import traceback  # here: 2 ms of every text edit's start-up, for a template error

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt", ".j2", ".jinja")):
            path, line = frame.filename, frame.lineno
            break
    message = getattr(exc, "message", None) or str(exc)
    return Problem(path, line, f"template error while rendering /{page.path}: {message}")
