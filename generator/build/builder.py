"""One entry point for full and incremental builds: load, assemble, plan, render what changed, write."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.build.cache import CACHE_DIR, BuildCache, PageRecord, templates_dir
from generator.build.current import (
    Survey,
    inputs_key,
    load_site_config,
    memo_of,
    settings_key,
    survey,
)
from generator.build.images import content_warnings, derive_images
from generator.build.inputs import (
    Stamps,
    code_version,
    key_of,
    last_stamps,
    record_inputs,
    save_stamps,
    walk_stats,
)
from generator.build.keys import PageKeys, judge, kept_bytes, listed_digests
from generator.build.language_search import LanguageIndexes
from generator.build.lock import project_lock
from generator.build.manifest import MARKER
from generator.build.options import BuildOptions, BuildReport, WriteStats
from generator.build.reading import ContentReads, parse_pending, resolve_pending
from generator.build.search_index import SearchIndex
from generator.build.settle import file_digests, quick_render, rebuild, rewritten
from generator.build.spool import Spool
from generator.build.state import Cached, LastBuild
from generator.build.text_store import TextIndex, options_key, start_saving, take_index
from generator.build.url_record import save_record
from generator.build.write import Content, Kept, write_site
from generator.core.config import Config
from generator.core.errors import Problem, SiteError
from generator.core.model import OutputPage, Site, TermInfo
from generator.core.parallel import default_jobs, fork_map
from generator.core.themes import theme_dirs
from generator.core.trace import Digests, recording
from generator.pages.news import news_change
from generator.pages.registry import plan
from generator.read.content import (
    content_files,
    load_briefing,
    load_page,
    load_term_info,
    read_document,
)
from generator.read.markup import Markup
from generator.read.published import RECORD_FILE, read_record
from generator.read.seed_index import seeds_to_import
from generator.read.terms import read_term_yaml, term_yaml_files
from generator.render.hosting import headers_pages
from generator.render.maps import countries_kept_in
from generator.render.preview import preview_pages
from generator.render.render import Rendered, render_many
from generator.render.theme import input_digests, make_environment, static_files
from generator.site.languages import assemble_site, next_change, term_key

SEEDS_READ = "seeds-read"  # the cache blob of what seeds_to_import read (read/seed_index.py)


@dataclass
class Builder:
    """Builds a project; kept alive by `serve` so unchanged files are neither parsed nor rendered again."""

    root: Path
    options: BuildOptions = field(default_factory=BuildOptions)
    _settings: str = ""
    _code: str = ""  # code_version() of the last build
    _documents: dict[Path, Cached] = field(default_factory=dict)
    # page path -> how it was last rendered (None: as in .cache/)
    _records: dict[str, PageRecord] | None = None
    # page path -> its bytes, kept by `serve`
    _held: dict[str, Rendered] = field(default_factory=dict)
    # fingerprint of the last site but its bodies (None: as in .cache/)
    _skeleton: str | None = None
    # the skeleton .cache/ holds, as _related_saved is for the memo
    _skeleton_saved: str | None = None
    # .cache/ on disk: parsed files and page records from earlier builds
    _cache: BuildCache | None = None
    # related-briefings memo (assemble._related), kept in .cache/
    _related: dict[str, Any] = field(default_factory=dict)
    _related_saved: str | None = None  # key of the memo in .cache/
    # what seeds_to_import read of each briefing's front matter (read/seed_index.py), kept in .cache/
    _seed_memo: dict[str, Any] | None = None
    _reveal_at: datetime | None = None  # the next moment a briefing appears or is withdrawn
    _stamps: Stamps | None = None  # the inputs as the last survey found them (None: as in .cache/)
    _built: dict[Path, Cached] | None = None  # the parses the output shows (None: not known)
    # (settings + statics digest, Jinja environment, its folder in .cache: compiled templates, projected map)
    _env: tuple[str, Any, Path | None] | None = None
    _last: LastBuild | None = None  # what `quick` needs of the last successful build
    # manifest entries of files `quick` wrote
    _quick_written: dict[str, list] = field(default_factory=dict)
    _markup: tuple[str, Markup] | None = None
    # slug -> search words before this build re-parsed it
    _previous_words: dict[str, bytes] = field(default_factory=dict)
    # the last search index, patched where briefings changed
    search: SearchIndex = field(default_factory=SearchIndex)
    languages_search: LanguageIndexes = field(default_factory=LanguageIndexes)
    _search_written: dict[str, str] = field(default_factory=dict)  # file of search/ -> digest
    # body digest -> paths of the pages whose records hold it (a superset), made by `settle` when needed
    _holders: dict[str, set[str]] | None = None
    # (listed kind, briefing ref) -> pages reading it (build/settle.py)
    _readers: dict[tuple[str, str], set[str]] | None = None
    _spool: Spool | None = None  # where rendered pages wait for the writer (one-shot builds)
    # after load_site: (when, briefing, what) of the next briefing to appear or be withdrawn
    next_due: tuple[datetime, Any, str] | None = None

    def load_config(self, code: str | None = None) -> Config:
        return load_site_config(self.root, self.options, code)

    @property
    def output(self) -> Path:
        return self.options.output_of(self.root)

    def build(
        self, changed: set[Path] | None = None, surveyed: Survey | None = None
    ) -> BuildReport:
        """Build the whole site, reusing whatever is unchanged; raise SiteError and leave output/ alone on
        any problem. `changed`: the paths serve's watcher reported since the last build, when it trusts
        them (edits to the text of briefings alone then rebuild in time proportional to the edit).
        `surveyed`: the inputs as the caller surveyed them just now (the command line's no-op check)."""
        # A build allocates millions of objects that live until it ends (parsed briefings, pages, caches);
        # the cyclic collector re-scanning them cost a third of an incremental build at 10,000 briefings.
        # Reference counting still frees everything acyclic; the collector runs again once the build is done.
        enabled = gc.isenabled()
        gc.disable()
        try:
            with project_lock(self.root, "briefings build"):
                return rebuild(self, changed, functools.partial(self._full_build, surveyed))
        finally:
            if enabled:
                gc.enable()

    def _full_build(self, surveyed: Survey | None) -> BuildReport:
        # the country and entity facts a full build makes, left for the text edits after it
        with self._spooling(), memo_of(self.root, self.options):
            return self._build(surveyed)

    @contextlib.contextmanager
    def _spooling(self) -> Iterator[None]:
        """With the `spool` option, rendered pages wait on disk until written (build/spool.py)."""
        if not self.options.spool:
            yield
            return
        # a first build: its pages may be written where they go as they arrive (render_many's `arrived`)
        first = self.options.swap and not (self.output.exists() or self.output.is_symlink())
        with Spool(self.output, first=first) as self._spool:
            try:
                yield
            finally:
                self._spool = None

    def _build(self, surveyed: Survey | None) -> BuildReport:
        started = time.perf_counter()
        code = code_version()
        if code != self._code:  # the generator's data changed under a running serve: reload it
            if self._code:
                # the entity finder loads only where a seed is imported (~30 ms of imports)
                from generator.read.entities import forget_data

                forget_data()
            self._code = code
        config = self.load_config(code)
        settings = settings_key(config, self.options, code)
        if self._cache is None or self._cache.settings != settings:
            self._cache = BuildCache(self.root, settings, enabled=self.options.cache)
        found = surveyed
        if found is None or found.settings != settings:
            last = self._stamps if self._stamps is not None else last_stamps(self._cache)
            found = survey(config, self.options, code, self.output, last)
        # a config change invalidates every parsed file and page
        if found.settings != self._settings:
            self._documents.clear()
            self._records, self._skeleton = None, None
            self._held.clear()
            self._settings = found.settings
        now = self.now(config)
        unchanged = found.unchanged(self._cache, self.output, now)
        if unchanged is not None and not self.options.verify:
            return BuildReport(
                output=self.output,
                pages=unchanged,
                rendered=0,
                stats=WriteStats(0, unchanged, 0),
                seconds=time.perf_counter() - started,
                base_path=config.base_path,
            )
        # what the last build left for a text edit no longer holds once this build writes anything
        store_before = take_index(self._cache)
        imported: tuple[Any, ...] = ()
        if self.options.run_import and config.seeds_dir.is_dir():
            memo = self._seeds_read()
            before_import = dict(memo) if memo is not None else None
            briefings_dir = config.content_dir / "briefings"
            if due := seeds_to_import(config.seeds_dir, briefings_dir, memo):
                # the importer (the NER model, the seed parser: ~25 ms of imports) only when one is due
                from generator.read.importer import import_due

                if imported := import_due(config, due, self.jobs, memo):
                    # new briefings were written
                    found = survey(config, self.options, code, self.output, found.stamps)
            if self._cache and memo is not None and memo != before_import:
                with contextlib.suppress(OSError):
                    self._cache.put_blob(SEEDS_READ, memo)
        settings, before = found.settings, found.record
        with recording() as planned:  # no reading time, as PageKeys checks
            site = self.load_site(config, read_record(config.root / RECORD_FILE, before))
        self._reveal_at = min(filter(None, (self._reveal_at, news_change(site))), default=None)
        if (
            not self.search.key
            and self._cache
            and isinstance(restored := self._cache.blob("search"), SearchIndex)
        ):
            # the index of the last CLI build: a body edit patches a few of its shards
            self.search = restored
        if not self.languages_search.indexes and self._cache:  # those of its other languages too
            self.languages_search = LanguageIndexes.kept_in(self._cache)
        search_state = (self.search.key, self.search.docs)
        languages_state = self.languages_search.state()
        # A whole-index rebuild (cold builds) runs in a forked process while pages are planned and rendered.
        finish_search = self.languages_search.update(
            self.search, site, settings, self.output, self._previous_words, self.jobs > 1
        )
        self._stage("planning", 0)
        statics = static_files(config)
        # A new template file can shadow one Jinja has compiled already: a new set of files, a new environment.
        templates = [p for d in theme_dirs(config) for p, _ in walk_stats(d / "templates")]
        env_key = key_of(settings, sorted((f.name, f.output) for f in statics.values()), templates)
        # kept across builds: Jinja recompiles only edited templates
        if self._env is None or self._env[0] != env_key:
            folder = self._bytecode(env_key)
            self._env = (env_key, make_environment(config, statics, folder), folder)
        env = self._env[1]
        with recording() as also_planned:
            pages = plan(site, (preview_pages, functools.partial(headers_pages, statics=statics)))
        digests = Digests({**input_digests(env, config, statics), **listed_digests(site)})
        keys = PageKeys(settings, {"nav_pages": site.nav}, digests, site, planned | also_planned)
        with countries_kept_in(self._env[2]):  # the map data's projection, for the next process too
            files, rendered = self._render(env, pages, keys)
        keyed = {page.path: page for page in pages if page.data is None}
        # what a later CLI build after text edits needs (build/text_store.py), saved while the output is
        # written; its index once the output is in place
        index = TextIndex(
            settings,
            options_key(settings, self.options, self.output),
            keys.base,
            keys.common,
            env_key,
        )
        save_store = (
            start_saving(self._cache, store_before, site, keyed, self._records, index, found.stamps)
            if self._cache and self._records is not None and keys.skeleton
            else functools.partial(save_stamps, self._cache, found.stamps)
        )
        self._stage("indexing", 0)
        search_files = finish_search()
        self._search_written = file_digests(search_files)
        files.update(search_files)
        self._stage("images", 0)
        cache_root = self.root / CACHE_DIR if self.options.cache else None
        images, derived = derive_images(site, config, cache_root, self.jobs, self._advance)
        files.update(images)
        for static in statics.values():
            files[static.output] = static.data
        self._stage("writing", 0)
        stats = write_site(
            self.output,
            files,
            swap=self.options.swap,
            recent=self._quick_written,
            ready=self._spool.site if self._spool else None,
        )
        self._quick_written = {}
        self._last = LastBuild(site, env, keys, self.markup(config), keyed, len(files))
        inputs = found.inputs
        if self.options.records_urls:
            inputs = inputs_key(found.files, save_record(config, site, before, now), True)
        self._save_cache()
        if self._cache and self._related.get("key") != self._related_saved:
            with contextlib.suppress(OSError):
                self._cache.put_blob("related", self._related)
                self._related_saved = self._related.get("key")
        if self._cache and (self.search.key, self.search.docs) != search_state:
            with contextlib.suppress(OSError):
                self._cache.put_blob("search", self.search)
        if self._cache and self.languages_search.state() != languages_state:
            self.languages_search.keep_in(self._cache)
        with contextlib.suppress(OSError):
            save_store()
        record_inputs(self._cache, inputs, self._reveal_at, self.output)
        self._stamps = found.stamps
        if self.options.progress:
            self.options.progress.done()
        return BuildReport(
            output=self.output,
            pages=len(files),
            rendered=rendered,
            stats=stats,
            seconds=time.perf_counter() - started,
            imported=imported,
            base_path=config.base_path,
            images_derived=derived,
            warnings=tuple(str(p) for p in content_warnings(site)),
        )

    def load_site(self, config: Config, published: dict[str, str] | None = None) -> Site:
        """Read every content file (reusing unchanged ones), gather every problem, assemble the Site; `published`
        is the URL record."""
        markup = self.markup(config)
        self._previous_words = {}
        reads = ContentReads(
            self._documents,
            self._cache,
            self.options.verify,
            config.content_dir.resolve(),
            self._previous_words,
        )
        load, pending, problems = reads.load, reads.pending, reads.problems

        briefings = [
            load(p, lambda d, m: load_briefing(d, config, m.render))
            for p in content_files(config.content_dir, "briefings")
        ]
        pages = [
            load(p, lambda d, m: load_page(d, m.render))
            for p in content_files(config.content_dir, "pages")
        ]
        infos: dict[tuple[str, str], TermInfo] = {}
        for taxonomy in config.taxonomies:
            for path in content_files(config.content_dir, taxonomy) + term_yaml_files(
                config.content_dir, taxonomy
            ):
                read = read_document if path.suffix == ".md" else read_term_yaml
                info = load(path, lambda d, m: load_term_info(d, m.render), read)
                if info is not None and (key := term_key(config, taxonomy, path)) in infos:
                    first = infos[key].path.name
                    problems.append(
                        Problem(
                            path,
                            1,
                            f"{first} already describes this term; keep one of the two files",
                        )
                    )
                elif info is not None:
                    infos[key] = info
        self._stage("parsing", len(pending))
        for job, (item, found) in zip(
            pending,
            fork_map(
                functools.partial(parse_pending, markup), pending, self.jobs, progress=self._advance
            ),
            strict=False,
        ):
            job.item = item
            problems.extend(found)
            if item is None:
                self._documents.pop(job.path, None)
            else:
                self._documents[job.path] = Cached(job.stamp, item)
        briefings = [resolve_pending(b) for b in briefings]
        pages = [resolve_pending(p) for p in pages]
        infos = {
            k: v for k, v in ((k, resolve_pending(v)) for k, v in infos.items()) if v is not None
        }
        for stale in set(self._documents) - reads.seen:
            del self._documents[stale]
        if problems:
            raise SiteError(problems)
        self._stage("assembling", 0)
        now = self.now(config)
        # The next briefing to appear or be withdrawn: a later no-op build must not skip that moment.
        due = next_change(
            (f.briefing for f in briefings if f),
            now,
            drafts=self.options.drafts,
            future=self.options.future,
        )
        self._reveal_at = due[0] if due else None
        self.next_due = due
        return assemble_site(
            config,
            [b for b in briefings if b],
            [p for p in pages if p],
            infos,
            now=now,
            drafts=self.options.drafts,
            future=self.options.future,
            related_memo=self._related_memo(),
            jobs=self.jobs,
            previous=self._last.site if self._last else None,
            published=published,
        )

    def upcoming(self) -> tuple[datetime, Any, str] | None:
        """(when, briefing, what) of the next briefing to appear or be withdrawn, reading the content only."""
        config = self.load_config()
        self._settings = settings_key(config, self.options, code_version())
        self._cache = BuildCache(self.root, self._settings, enabled=self.options.cache)
        self.load_site(config)
        return self.next_due

    def now(self, config: Config) -> datetime:
        """The moment the site is built for: `--as-of`, or the clock."""
        return self.options.moment(config.tz)

    def markup(self, config: Config) -> Markup:
        """The site's Markdown converter, made once per config (Python-Markdown setup costs ~10 ms)."""
        digest = config.digest()
        if self._markup is None or self._markup[0] != digest:
            self._markup = (digest, Markup.for_config(config))
        return self._markup[1]

    def quick(self, changed: set[Path]) -> WriteStats | None:
        """Fast render (as `hugo server` does): write the pages of edited briefings at once, before the full rebuild.

        Only for briefings whose slug, date, draft flag, terms, language and source (translation_of:) are
        unchanged, so their page is what the full rebuild will make of them (the same neighbours, related
        lists and versions in other languages, taken from the last build); the full rebuild finds these pages
        current. None when it does not apply (anything else changed, a file has an error: the full rebuild
        reports it), so the caller runs the full rebuild only."""
        last, changed = self._last, changed - rewritten(self, changed)
        if (
            last is None
            or not changed
            or (self.options.run_import and any(p.suffix == ".txt" for p in changed))
        ):
            return None
        try:
            with project_lock(self.root, "briefings serve", wait=0, quiet=True):
                return quick_render(self, changed, last)
        except SiteError:  # another process is writing: the full rebuild waits for it
            return None

    def _bytecode(self, env_key: str) -> Path | None:
        """.cache/templates/<key>/ for the environment of `env_key` (others removed), None without a cache:
        its compiled templates and the map data's projection (render/maps.py)."""
        if not self.options.cache:
            return None
        mine = templates_dir(self.root, env_key)
        try:
            for old in mine.parent.iterdir() if mine.parent.is_dir() else ():
                if old != mine:
                    shutil.rmtree(old, ignore_errors=True)
            mine.mkdir(parents=True, exist_ok=True)
        except OSError:  # a read-only project: templates are compiled in memory
            return None
        return mine

    def _seeds_read(self) -> dict[str, Any] | None:
        """What seeds_to_import read of the briefings' front matter (None with --verify: all are read)."""
        if self.options.verify:
            return None
        if self._seed_memo is None:
            restored = self._cache.blob(SEEDS_READ) if self._cache else None
            self._seed_memo = restored if isinstance(restored, dict) else {}
        return self._seed_memo

    def _related_memo(self) -> dict[str, Any]:
        restored = self._cache.blob("related") if self._cache and not self._related else None
        if isinstance(restored, dict):
            self._related.update(restored)
            self._related_saved = restored.get("key")
        return self._related

    def _page_records(self) -> dict[str, PageRecord]:
        if self._records is None:
            self._records = dict(self._cache.pages) if self._cache else {}
            self._skeleton = self._cache.blob("skeleton") if self._cache else None
            self._skeleton_saved = self._skeleton
        return self._records

    def _render(
        self, env: Any, pages: list[OutputPage], keys: PageKeys
    ) -> tuple[dict[str, Content], int]:
        """Bytes of every page: kept where the page's key and the inputs its rendering read are unchanged, else
        rendered. When nothing of the site but briefing bodies changed, a page holding none of the changed
        bodies keeps its key without fingerprinting its context again (page kinds are pure functions of the site)."""
        files: dict[str, Content] = {}
        output = self.output  # resolved once, not per page
        before = self._page_records()
        same_site = keys.skeleton is not None and self._skeleton == keys.skeleton
        # by the folder's marker, not by the manifest beside it, which outlives an `rm -rf output`
        in_output = (output / MARKER).is_file()
        records: dict[str, PageRecord] = {}
        todo: list[tuple[OutputPage, str, tuple[str, ...]]] = []
        problems = []
        keyed = [page for page in pages if page.data is None]
        judged = judge(keys, keyed, before, same_site, traces=in_output or bool(self._held))
        for page in pages:
            if page.path in files:
                problems.append(
                    Problem(
                        page.path,
                        None,
                        "two pages would be written to this path; rename one (slug)",
                    )
                )
                continue
            if page.data is not None:
                files[page.path] = page.data
                continue
            old = before.get(page.path)
            key, held_bodies, current = judged[id(page)]
            held = self._held.get(page.path)
            usable = held is not None and held.content.digest == getattr(old, "digest", None)
            # Without a manifest the output folder holds none of the pages (a fresh --output): render them
            # all in parallel here rather than one by one in the writer.
            if old is not None and current and (usable or in_output):
                if held is not None and usable:
                    files[page.path] = held.content
                else:  # rendered by an earlier build to bytes the output folder should still hold
                    files[page.path] = Kept(
                        old.digest,
                        functools.partial(kept_bytes, output, old.digest, env, page, keys.common),
                    )
                records[page.path] = old
            else:
                files[page.path] = b""  # placeholder keeps the path claimed
                todo.append((page, key, held_bodies))
        if problems:
            raise SiteError(problems)
        self._stage("rendering", len(todo))
        rendered = render_many(
            env,
            [page for page, _, _ in todo],
            keys.common,
            self.jobs,
            progress=self._advance,
            hold=self._spool.hold if self._spool else None,
            arrived=self._spool.arrivals(len(todo)) if self._spool else None,
        )
        for page, key, held_bodies in todo:
            # each page's reads freed as its trace is made, not both held till the loop ends
            done = rendered.pop(page.path)
            files[page.path] = done.content
            records[page.path] = PageRecord(
                key, keys.digests.trace(done.reads), done.content.digest, held_bodies
            )
            if self._spool is None:  # a Builder kept alive (serve) keeps the bytes it wrote
                self._held[page.path] = done
        for stale in set(self._held) - set(records):
            del self._held[stale]
        self._records, self._skeleton, self._holders = records, keys.skeleton, None
        self._readers = None
        return files, len(todo)

    @property
    def jobs(self) -> int:
        return self.options.jobs or default_jobs()

    def _stage(self, name: str, total: int) -> None:
        if self.options.progress:
            self.options.progress.stage(name, total)

    def _advance(self, n: int) -> None:
        if self.options.progress:
            self.options.progress.advance(n)

    def _save_cache(self) -> None:
        """Record what this build parsed and rendered, once the output is written (a failed build records nothing)."""
        if not self._cache or not self._cache.enabled:
            return
        documents = {
            str(path): (cached.item.digest, cached.item, cached.stamp)
            for path, cached in self._documents.items()
        }
        try:
            self._cache.save(documents, self._records or {})
            if self._skeleton != self._skeleton_saved:
                self._cache.put_blob("skeleton", self._skeleton)
                self._skeleton_saved = self._skeleton
        except OSError:  # a read-only or full disk costs speed next time, never the build
            pass


def one_shot(root: Path, options: BuildOptions | None = None) -> Builder:
    """A builder for one build of the project at `root`: its pages wait in a spool, not in memory."""
    return Builder(root.resolve(), dataclasses.replace(options or BuildOptions(), spool=True))


def build(root: Path, options: BuildOptions | None = None) -> BuildReport:
    """Build the project at `root` once."""
    return one_shot(root, options).build()
