"""Seed import, the disk side: seeds/*.txt -> content/briefings/<slug>.md, never overwriting an editor's work.

Rules (one call of `import_seeds`):
- A briefing belongs to the seed named in its front matter `seed.file` (`source.name` in briefings
  imported before `seed:` existed); the index of briefings is built once per call from every
  briefing's front matter (a build keeps what it read in .cache/ and reads only the files that changed).
- Seed bytes hash to the stored `seed.hash` -> "unchanged" (nothing written).
- Seed changed and the briefing untouched since import (its text still hashes to `body_hash`, see
  generator.seeds) -> regenerated in place, same file and slug: "updated".
- Seed changed and the briefing edited (or written by hand, without body_hash) -> "conflict", left alone;
  with force=True it is regenerated after the old file is copied to `<file>.bak` (or `<file>.<time>.bak`).
- A new seed gets `<slug>.md`; a slug already taken gets `-2`, `-3`... and the message says so.
- Date: the seed's dateline, else the `date` argument, else (on update) the briefing's date, else the
  seed file's mtime; always in `tz`.
- A bad seed (empty, binary, no headline) is an "error" with the reason; the others still import.
Files are written atomically (temporary file + os.replace).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from generator.core import atomic
from generator.core.config import Config
from generator.core.errors import Problem, SiteError
from generator.core.parallel import fork_map_batches
from generator.core.urls import is_utf8_name
from generator.read.content import read_document
from generator.read.detect import ENGLISH, NER_LANGUAGES, detect
from generator.read.entities import (
    Entities,
    Registry,
    entity_text,
    find_entities,
    load_registry,
)
from generator.read.ner import BATCH, MIN_TEXTS, find_mentions, load_model, mentions_in
from generator.read.seed_index import (
    MAX_SEED_BYTES,
    BriefingRead,
    LinkedBriefing,
    briefing_index,
    sha256_hex,
)
from generator.read.seed_markdown import is_untouched, seed_to_markdown, slugify_title
from generator.read.seeds import Seed, decode_seed, parse_seed

Status = Literal["created", "updated", "unchanged", "conflict", "error", "skipped"]


@dataclass(frozen=True)
class ImportResult:
    """What happened to one seed."""

    seed: Path
    status: Status
    target: Path | None
    message: str
    encoding: str | None

    def line(self) -> str:
        """`created   seed.txt -> content/briefings/x.md  note`, for the user."""
        target = self.target.name if self.target else "-"
        return f"{self.status:9} {self.seed.name} -> {target}  {self.message}".rstrip()


def _why_unreadable(path: Path, text: str) -> str:
    """What is wrong with a briefing's front matter, at `path:line`: the build's own reading of the file."""
    try:
        read_document(path, text.encode("utf-8"))
    except SiteError as exc:
        return str(exc.problems[0])
    return f"{path}:2: front matter has no keys"


def _unreadable_match(seed: Path, unreadable: dict[Path, str]) -> Path | None:
    """A briefing with front matter the importer cannot read (a YAML slip of the editor's) that names this
    seed: importing the seed again would make a second briefing of it beside the editor's."""
    return next((path for path, text in unreadable.items() if seed.name in text), None)


def _unique_slug(slug: str, taken: set[str]) -> str:
    if slug not in taken:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"


def _as_datetime(value: Any, tz: ZoneInfo) -> datetime | None:
    """A briefing's existing `date` value as an aware datetime, or None."""
    if isinstance(value, datetime):
        result = value
    elif hasattr(value, "year") and hasattr(value, "day"):
        result = datetime.combine(value, time(0, 0))
    elif isinstance(value, str) and value.strip():
        try:
            result = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return result if result.tzinfo else result.replace(tzinfo=tz)


def write_atomic(path: Path, text: str) -> None:
    """Write a content file so readers (a running `serve`) see the old or the new text, never half of it."""
    atomic.write_atomic(path, text.encode("utf-8"))


def _backup(path: Path) -> Path:
    backup = path.with_name(path.name + ".bak")
    if backup.exists():
        backup = path.with_name(f"{path.name}.{datetime.now().strftime('%Y%m%dT%H%M%S%f')}.bak")
    shutil.copy2(path, backup)
    return backup


def import_options(config: Config) -> dict[str, Any]:
    """What `import_seeds` needs of a site: its timezone, entity registry and languages."""
    return {
        "tz": config.tz,
        "registry": load_registry(config.content_dir / "_data" / "entities.yaml"),
        "languages": [lang.code for lang in config.languages],
    }


def import_seeds(
    seed_paths: list[Path],
    briefings_dir: Path,
    *,
    tz: ZoneInfo,
    registry: Registry,
    date: datetime | None = None,
    dry_run: bool = False,
    force: bool = False,
    jobs: int = 1,
    languages: Sequence[str] = (),
    lang: str = "",
    memo: dict[str, BriefingRead] | None = None,
) -> list[ImportResult]:
    """Import seeds into briefings_dir following the rules in the module docstring; one result per seed.
    `memo`: what a build read of the briefings' front matter (read/seed_index.py), so that one new seed
    does not read every briefing again.
    On a multilingual site (`languages`, the default first) each briefing gets the seed's language, `lang`
    or else detected (read/detect.py); entities of a language the NER model does not read come from the
    registry only, and the result says so."""
    if lang and lang not in languages:
        why = f"--lang {lang} is not in site.yaml `languages:` ({', '.join(languages) or 'none'})"
        raise SiteError.at(briefings_dir.parent.parent / "site.yaml", None, why)
    by_seed, taken, unreadable = briefing_index(briefings_dir, memo)
    language_of = {p: _language(p, languages, lang) for p in seed_paths}
    entities = _entities(
        [p for p in seed_paths if language_of[p] in NER_LANGUAGES], by_seed, registry, jobs, force
    )
    results: list[ImportResult] = []
    for seed_path in seed_paths:
        blocked = None if seed_path.name in by_seed else _unreadable_match(seed_path, unreadable)
        if blocked is not None:
            why = (
                f"not imported: {blocked.name} may be this seed's briefing, but its front matter cannot "
                "be read (importing now would make a second briefing of this seed): "
                + _why_unreadable(blocked, unreadable[blocked])
            )
            results.append(ImportResult(seed_path, "error", None, why, None))
            continue
        try:
            result = _import_one(
                seed_path,
                briefings_dir,
                by_seed,
                taken,
                tz=tz,
                registry=registry,
                date=date,
                dry_run=dry_run,
                force=force,
                entities=entities.get(seed_path),
                lang=language_of[seed_path] if languages else "",
                default=languages[0] if languages else "",
            )
        except SiteError as exc:
            result = ImportResult(
                seed_path, "error", None, "; ".join(p.message for p in exc.problems), None
            )
        except OSError as exc:
            result = ImportResult(
                seed_path, "error", None, f"cannot read or write: {exc.strerror or exc}", None
            )
        results.append(result)
    return results


def _language(path: Path, languages: Sequence[str], lang: str) -> str:
    """A seed's language: `lang` when given, else detected among the site's `languages`."""
    if lang or not languages:
        return lang or ENGLISH
    try:
        return detect(decode_seed(path.read_bytes()[:MAX_SEED_BYTES], path)[0], languages)
    except (OSError, SiteError):
        return languages[0]


def _entities(
    seed_paths: list[Path],
    by_seed: dict[str, LinkedBriefing],
    registry: Registry,
    jobs: int,
    force: bool,
) -> dict[Path, Entities]:
    """The entities of every seed that is new or changed (by its hash) and will be written: the NER model
    reads them in batches, in `jobs` processes forked after it loads, and each worker turns its mentions
    into entities too; unchanged and unreadable seeds, and changed ones whose briefing an editor has
    edited (a conflict, unless forced), are left to `_import_one`, so a conflict that stays unresolved
    does not load the model on every build."""
    todo: list[tuple[Path, Seed]] = []
    for path in seed_paths:
        try:
            if path.stat().st_size > MAX_SEED_BYTES:
                continue
            data = path.read_bytes()
            existing = by_seed.get(path.name)
            if existing and existing.source_hash == sha256_hex(data):
                continue
            if existing and not force and _edited(existing) is not None:
                continue
            todo.append((path, parse_seed(decode_seed(data, path)[0], path)))
        except (OSError, SiteError):
            continue
    if not todo:
        return {}
    load_model()  # once, before forking: the workers share it

    def read(seeds: Sequence[Seed]) -> list[Entities]:
        texts = [entity_text(s.plain_text(), s.headline) for s in seeds]
        return [
            find_entities(s.plain_text(), s.headline, registry, m)
            for s, m in zip(seeds, mentions_in(texts), strict=True)
        ]

    found = fork_map_batches(read, [s for _, s in todo], jobs, batch=BATCH, min_items=MIN_TEXTS)
    return {path: e for (path, _), e in zip(todo, found, strict=True)}


def _edited(existing: LinkedBriefing) -> str | None:
    """The text of a seed's briefing if an editor has changed it since import (or wrote it by hand),
    else None: a changed seed then conflicts with it."""
    # not UTF-8 (an editor's tool): read anyway, so that it is never taken for untouched and overwritten
    data = existing.path.read_bytes() if existing.path.exists() else b""
    current = data.decode("utf-8-sig", errors="replace")
    return current if current and not is_untouched(current) else None


def _import_one(
    seed_path: Path,
    briefings_dir: Path,
    by_seed: dict[str, LinkedBriefing],
    taken: set[str],
    *,
    tz: ZoneInfo,
    registry: Registry,
    date: datetime | None,
    dry_run: bool,
    force: bool,
    entities: Entities | None,
    lang: str = "",
    default: str = "",
) -> ImportResult:
    if not is_utf8_name(seed_path.name):  # it goes into the briefing's front matter (source.name)
        raise SiteError.at(seed_path, None, "file name is not valid UTF-8; rename the file")
    size = seed_path.stat().st_size
    if size > MAX_SEED_BYTES:
        # A briefing is a few thousand words; a multi-megabyte text is a mistake (or hostile), and
        # Python-Markdown's inline parsing slows to minutes on megabyte paragraphs.
        raise SiteError.at(
            seed_path,
            None,
            f"seed is {size / 1e6:.1f} MB; seeds over {MAX_SEED_BYTES // 1_000_000} MB are refused: "
            "split the text into briefings",
        )
    data = seed_path.read_bytes()
    seed_hash = sha256_hex(data)
    existing = by_seed.get(seed_path.name)
    if existing and existing.source_hash == seed_hash:
        return ImportResult(seed_path, "unchanged", existing.path, "", None)
    text, encoding = decode_seed(data, seed_path)
    notes: list[str] = []
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(f"not UTF-8: read as {encoding}")
    seed = parse_seed(text, seed_path)

    backup: Path | None = None
    if existing:
        target, slug, status = existing.path, existing.slug, "updated"
        current = _edited(existing)
        if current is not None:
            if not force:
                why = (
                    "edited since import"
                    if "body_hash:" in current
                    else "has no body_hash (written or edited by hand)"
                )
                return ImportResult(
                    seed_path,
                    "conflict",
                    target,
                    f"seed changed but the briefing {why}; "
                    "merge by hand, or re-run with --force to overwrite (a .bak copy is kept)",
                    encoding,
                )
            if not dry_run:
                backup = _backup(existing.path)
                notes.append(f"editor's version saved as {backup.name}")
            else:
                notes.append("editor's version would be saved as .bak")
    else:
        wanted = slugify_title(seed.headline)
        slug = _unique_slug(wanted, taken)
        if slug != wanted:
            notes.append(f"slug {wanted!r} is taken: using {slug!r}")
        target, status = briefings_dir / f"{slug}.md", "created"

    when = (
        datetime.combine(seed.dateline, time(0, 0), tzinfo=tz)
        if seed.dateline
        else (date if date.tzinfo else date.replace(tzinfo=tz))
        if date
        else (_as_datetime(existing.date, tz) if existing else None)
        or datetime.fromtimestamp(int(seed_path.stat().st_mtime), tz)
    )
    if lang and lang not in NER_LANGUAGES:
        notes.append(
            f"no entity model for {lang}: countries, people and organisations from the registry only"
        )
        entities = find_entities(seed.plain_text(), seed.headline, registry, None)
    elif entities is None:
        found = find_mentions([entity_text(seed.plain_text(), seed.headline)])[0]
        entities = find_entities(seed.plain_text(), seed.headline, registry, found)
    output = seed_to_markdown(
        seed,
        source_name=seed_path.name,
        source_hash=seed_hash,
        date=when,
        entities=entities,
        slug=slug,
    )
    if lang and lang != default:  # the front matter's first line: `lang: fr`
        output = output.replace("---\n", f"---\nlang: {lang}\n", 1)
        notes.append(f"language {lang}")
    if not dry_run:
        write_atomic(target, output)
    taken.add(slug)
    by_seed[seed_path.name] = LinkedBriefing(target, slug, seed_hash, when)
    return ImportResult(seed_path, status, target, "; ".join(notes), encoding)  # type: ignore[arg-type]


def import_due(
    config: Config, due: list[Path], jobs: int, memo: dict[str, BriefingRead] | None = None
) -> tuple[str, ...]:
    """Import the seeds `seeds_to_import` found due (as a build does first); one line per seed for the
    user. A seed that cannot be imported fails the build, as it fails `briefings import` (the others are
    in). `memo`: the briefings' front matter as the build read it, brought up to date."""
    briefings_dir = config.content_dir / "briefings"
    results = import_seeds(due, briefings_dir, jobs=jobs, memo=memo, **import_options(config))
    if memo is not None:  # the briefings just written, read while in the page cache
        briefing_index(briefings_dir, memo)
    if failed := [Problem(r.seed, None, r.message) for r in results if r.status == "error"]:
        raise SiteError(failed)
    return tuple(r.line() for r in results if r.status != "unchanged")
