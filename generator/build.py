"""One entry point for full and incremental builds: load, assemble, plan, render what changed, write."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from . import __version__
from .assemble import assemble
from .config import Config, load_config
from .content import content_files, load_briefing, load_page, load_term_info, read_document
from .errors import Problem, SiteError
from .markup import Markup
from .model import Briefing, OutputPage, Page, Site, TermInfo
from .outputs import key_of, plan
from .discover import read_term_yaml, term_yaml_files
from .render import render_all
from .search import SearchIndex
from .theme import TemplateDigests, make_environment, static_files, statics_digest
from .write import WriteStats, write_site


@dataclass(frozen=True)
class BuildOptions:
    """Command-line choices that change what is built."""

    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    output: Path | None = None
    swap: bool = True  # replace the output folder atomically (CLI); serve writes in place
    run_import: bool = True  # import seeds newer than their briefings first


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the one-line summary and for tests."""

    output: Path
    pages: int  # files in the site
    rendered: int  # pages rendered this time (the rest were unchanged inputs)
    stats: WriteStats
    seconds: float
    imported: tuple[Any, ...] = ()

    def summary(self) -> str:
        return (
            f"built {self.pages} files in {self.seconds:.2f} s "
            f"({self.rendered} rendered, {self.stats.written} written, {self.stats.unchanged} unchanged, "
            f"{self.stats.removed} removed) -> {self.output}"
        )


@dataclass
class _Cached:
    stamp: tuple[int, int]  # (mtime_ns, size) of the file when parsed
    item: Briefing | Page | TermInfo


@dataclass
class Builder:
    """Builds a project; kept alive by `serve` so unchanged files are neither parsed nor rendered again."""

    root: Path
    options: BuildOptions = field(default_factory=BuildOptions)
    _settings: str = ""
    _documents: dict[Path, _Cached] = field(default_factory=dict)
    _rendered: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    search: SearchIndex = field(default_factory=SearchIndex)  # the last Pagefind bundle, rebuilt only when briefing pages change

    def load_config(self) -> Config:
        return load_config(self.root, base_url=self.options.base_url)

    @property
    def output(self) -> Path:
        return (self.options.output or self.root / "output").resolve()

    def build(self) -> BuildReport:
        """Build the whole site, reusing whatever is unchanged; raise SiteError and leave output/ alone on any problem."""
        started = time.perf_counter()
        config = self.load_config()
        imported: tuple[Any, ...] = ()
        if self.options.run_import:
            imported = self._import_seeds(config)
        settings = key_of(__version__, config.digest(), self.options.drafts, self.options.future)
        if settings != self._settings:  # a config change invalidates every parsed file and page
            self._documents.clear()
            self._rendered.clear()
            self._settings = settings
        site = self.load_site(config)
        statics = static_files(config)
        env = make_environment(config, statics)
        pages = plan(site)
        common_key = key_of(settings, statics_digest(statics), tuple((p.slug, p.title) for p in site.pages))
        files, rendered = self._render(env, pages, site, common_key, TemplateDigests(env))
        files.update(self.search.update(site, files))
        for static in statics.values():
            files[static.output] = static.data
        stats = write_site(self.output, files, swap=self.options.swap)
        return BuildReport(
            output=self.output, pages=len(files), rendered=rendered, stats=stats,
            seconds=time.perf_counter() - started, imported=imported,
        )

    def _import_seeds(self, config: Config) -> tuple[Any, ...]:
        return ()

    def load_site(self, config: Config) -> Site:
        """Read every content file (reusing unchanged ones), gather every problem, assemble the Site."""
        markup = Markup.for_config(config)
        content_root = config.content_dir.resolve()
        problems: list[Problem] = []
        seen: set[Path] = set()

        def load(path: Path, parse, read=read_document):  # type: ignore[no-untyped-def]
            seen.add(path)
            try:
                if path.is_symlink() and not path.resolve().is_relative_to(content_root):
                    raise SiteError.at(path, None, "symlink points outside content/; copy the file in instead")
                st = path.stat()
                stamp = (st.st_mtime_ns, st.st_size)
                cached = self._documents.get(path)
                if cached and cached.stamp == stamp:
                    return cached.item
                item = parse(read(path), markup)
                self._documents[path] = _Cached(stamp, item)
                return item
            except SiteError as exc:
                self._documents.pop(path, None)
                problems.extend(exc.problems)
            except OSError as exc:
                problems.append(Problem(path, None, f"cannot read: {exc.strerror}"))
            return None

        briefings = [load(p, lambda d, m: load_briefing(d, config, m.render)) for p in content_files(config.content_dir, "briefings")]
        pages = [load(p, lambda d, m: load_page(d, m.render)) for p in content_files(config.content_dir, "pages")]
        infos: dict[tuple[str, str], TermInfo] = {}
        for taxonomy in config.taxonomies:
            for path in content_files(config.content_dir, taxonomy) + term_yaml_files(config.content_dir, taxonomy):
                read = read_document if path.suffix == ".md" else read_term_yaml
                info = load(path, lambda d, m: load_term_info(d, m.render), read)
                if info is not None and (taxonomy, path.stem) in infos:
                    first = infos[(taxonomy, path.stem)].path.name
                    problems.append(Problem(path, 1, f"{first} already describes this term; keep one of the two files"))
                elif info is not None:
                    infos[(taxonomy, path.stem)] = info
        for stale in set(self._documents) - seen:
            del self._documents[stale]
        if problems:
            raise SiteError(problems)
        return assemble(
            config, [b for b in briefings if b], [p for p in pages if p], infos,
            now=datetime.now(config.tz), drafts=self.options.drafts, future=self.options.future,
        )

    def _render(self, env, pages: list[OutputPage], site: Site, common_key: str, templates: TemplateDigests) -> tuple[dict[str, bytes], int]:  # type: ignore[no-untyped-def]
        """Bytes of every page: from memory where the page's inputs are unchanged, else rendered."""
        files: dict[str, bytes] = {}
        todo: list[OutputPage] = []
        keys: dict[str, str] = {}
        problems = []
        for page in pages:
            if page.path in files:
                problems.append(Problem(page.path, None, "two pages would be written to this path; rename one (slug)"))
                continue
            if page.data is not None:
                files[page.path] = page.data
                continue
            key = key_of(common_key, templates(page.template), page.key)
            keys[page.path] = key
            cached = self._rendered.get(page.path)
            if cached and cached[0] == key:
                files[page.path] = cached[1]
            else:
                files[page.path] = b""  # placeholder keeps the path claimed
                todo.append(page)
        if problems:
            raise SiteError(problems)
        common = {"nav_pages": site.pages}
        rendered = render_all(env, todo, common)
        for page in todo:
            files[page.path] = rendered[page.path]
            self._rendered[page.path] = (keys[page.path], rendered[page.path])
        for stale in set(self._rendered) - set(files):
            del self._rendered[stale]
        return files, len(todo)


def build(root: Path, options: BuildOptions | None = None) -> BuildReport:
    """Build the project at `root` once."""
    return Builder(root.resolve(), options or BuildOptions()).build()
